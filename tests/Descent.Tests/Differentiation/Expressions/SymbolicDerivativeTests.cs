using Descent.Differentiation.Expressions;

namespace Descent.Tests.Differentiation.Expressions;

public class SymbolicDerivativeTests
{
    [Theory]
    [InlineData("x^2", "2*x")]
    [InlineData("3*x^2 + 2*x + 1", "2 + 6*x")]
    [InlineData("sin(x)", "cos(x)")]
    [InlineData("cos(x)", "-sin(x)")]
    [InlineData("exp(2*x)", "2*exp(2*x)")]
    [InlineData("log(x)", "1/x")]
    [InlineData("sqrt(x)", "1/(2*sqrt(x))")]
    [InlineData("tanh(x)", "1 - tanh(x)^2")]
    [InlineData("abs(x)", "sign(x)")]
    [InlineData("relu(x)", "heaviside(x)")]
    [InlineData("softplus(x)", "sigmoid(x)")]
    [InlineData("sinc(x)", "dsinc(x)")]
    [InlineData("max(x, y)", "heaviside(x - y)")]
    [InlineData("w*x + b", "w")]
    [InlineData("y^3", "0")]
    [InlineData("1/x", "-1/x^2")]
    public void KnownDerivativesPrintSimplified(string f, string expected) =>
        Assert.Equal(expected, Expr.Parse(f).Differentiate("x").ToString());

    [Fact]
    public void SigmoidDerivativeIsReadable()
    {
        var derivative = Expr.Parse("sigmoid(w*x)").Differentiate("x");
        Assert.Equal("w*sigmoid(w*x)*(1 - sigmoid(w*x))", derivative.ToString());
        var point = new Dictionary<string, double> { ["w"] = 1.5, ["x"] = -0.4 };
        var s = 1 / (1 + Math.Exp(0.6));
        Assert.Equal(1.5 * s * (1 - s), derivative.Evaluate(point), 15);
    }

    [Fact]
    public void SecondDerivativeOfSineIsMinusSine()
    {
        var second = Expr.Parse("sin(x)").Differentiate("x").Differentiate("x");
        Assert.Equal("-sin(x)", second.ToString());
        foreach (var x in new[] { -2.0, 0.3, 1.7 })
        {
            Assert.Equal(-Math.Sin(x), second.Evaluate(new Dictionary<string, double> { ["x"] = x }), 15);
        }
    }

    [Fact]
    public void PowerRuleCoversVariableExponents()
    {
        var point = new Dictionary<string, double> { ["x"] = 2, ["y"] = 3 };
        Assert.Equal(3 * 4, Expr.Parse("x^y").Differentiate("x").Evaluate(point), 12);
        Assert.Equal(8 * Math.Log(2), Expr.Parse("x^y").Differentiate("y").Evaluate(point), 12);
        Assert.Equal(8 * Math.Log(2), Expr.Parse("pow(2, y)").Differentiate("y").Evaluate(point), 12);
        Assert.Equal("x^x + x^x*log(x)", Expr.Parse("x^x").Differentiate("x").ToString());
    }

    [Fact]
    public void ConstantExponentNeverIntroducesALogarithm()
    {
        var derivative = Expr.Parse("x^3").Differentiate("x");
        Assert.Equal(27, derivative.Evaluate(new Dictionary<string, double> { ["x"] = -3 }));
    }

    [Fact]
    public void MinAndMaxFollowTheChosenArgumentAndTheSecondOnATie()
    {
        var dMin = Expr.Parse("min(2*x, x + 1)").Differentiate("x");
        Assert.Equal(2, dMin.Evaluate(new Dictionary<string, double> { ["x"] = 0 }));
        Assert.Equal(1, dMin.Evaluate(new Dictionary<string, double> { ["x"] = 2 }));
        Assert.Equal(1, dMin.Evaluate(new Dictionary<string, double> { ["x"] = 1 }));
    }

    [Fact]
    public void DerivativesReparseToTheSameMeaning()
    {
        foreach (var text in new[] { "sigmoid(w*x)", "x^x", "atan(x)/x", "log10(x^2 + 1)", "max(x, 1 - x)*exp(-x)" })
        {
            var derivative = Expr.Parse(text).Differentiate("x");
            var point = new Dictionary<string, double> { ["x"] = 0.7, ["w"] = -1.3 };
            Assert.Equal(derivative.Evaluate(point), Expr.Parse(derivative.ToString()).Evaluate(point));
        }
    }
}
