using Descent.Differentiation;
using Descent.Differentiation.Expressions;

namespace Descent.Tests.Differentiation;

/// <summary>The side-by-side example of docs/differentiation.md, checked: its numbers are these.</summary>
public class FourModesDocTests
{
    [Fact]
    public void LogisticBuildingBlocksAgreeInEveryMode()
    {
        // u = w1·x1 + w2·x2, p = σ(u), L = −log p ; at w = (0.5, −1), x = (2, 1): u = 0, p = ½, ∂L/∂w = (p − 1)·x = (−1, −½).
        var loss = Expr.Parse("-log(sigmoid(w1*x1 + w2*x2))");
        var point = new Dictionary<string, double> { ["w1"] = 0.5, ["w2"] = -1, ["x1"] = 2, ["x2"] = 1 };
        var result = DerivativeComparison.Compare(loss, point);
        Assert.Equal(Math.Log(2), result.Value, 1e-15);
        foreach (var mode in result.Modes)
        {
            Assert.Equal(-1, mode.Gradient["w1"], mode.Mode == "numeric" ? 1e-9 : 1e-12);
            Assert.Equal(-0.5, mode.Gradient["w2"], mode.Mode == "numeric" ? 1e-9 : 1e-12);
        }
        Assert.True(result.MaxDisagreement < 1e-9);
        Assert.Equal("x1*(sigmoid(w1*x1 + w2*x2) - 1)", loss.Differentiate("w1").ToString());
    }
}
