using Descent.Differentiation;
using Descent.Differentiation.Expressions;

namespace Descent.Tests.Differentiation;

/// <summary>
/// What each mode returns where a formula is singular or the function has a kink, at x = 0. The modes differ,
/// honestly: symbolic and forward mode differentiate the formula, finite differences see only the function.
/// </summary>
public class SingularPointsTests
{
    private static readonly Dictionary<string, double> Zero = new() { ["x"] = 0 };

    [Theory]
    //           text,          symbolic,    forward,     central
    [InlineData("sin(x)/x", double.NaN, double.NaN, 0.0)] // 0/0 in the formula; the function's limit is smooth
    [InlineData("sinc(x)", 0.0, 0.0, 0.0)] // the stable form: every mode agrees
    [InlineData("sqrt(x^2)", double.NaN, double.NaN, 0.0)] // x/sqrt(x^2) = 0/0; |x| has the symmetric slope 0
    [InlineData("abs(x)", 0.0, 0.0, 0.0)] // sign(0) = 0
    [InlineData("relu(x)", 0.0, 0.0, 0.5)] // heaviside(0) = 0; differences average the one-sided slopes 0 and 1
    [InlineData("max(x, 0)", 0.0, 0.0, 0.5)] // a tie: the derivative follows the second argument
    public void EachModeAtZero(string text, double symbolic, double forward, double central)
    {
        var f = Expr.Parse(text);
        Assert.Equal(symbolic, f.Differentiate("x").Evaluate(Zero));
        Assert.Equal(forward, ForwardMode.Derivative(f, Zero, "x"));
        double Along(double x) => f.Evaluate(new Dictionary<string, double> { ["x"] = x });
        Assert.Equal(central, NumericalDifferences.Central(Along, 0), 12);
    }

    [Fact]
    public void ValuesAtZero()
    {
        Assert.True(double.IsNaN(Expr.Parse("sin(x)/x").Evaluate(Zero)));
        Assert.Equal(1, Expr.Parse("sinc(x)").Evaluate(Zero));
        Assert.True(double.IsNaN(Dual.Sin(Dual.Variable(0)).Value / 0));
    }
}
