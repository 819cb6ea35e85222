using Descent.Differentiation.Expressions;

namespace Descent.Tests.Differentiation.Expressions;

public class ExpressionPrinterTests
{
    [Theory]
    [InlineData("x+1", "x + 1")]
    [InlineData("((x))", "x")]
    [InlineData("(a*b)*c", "a*b*c")]
    [InlineData("a*(b*c)", "a*(b*c)")]
    [InlineData("a - (b - c)", "a - (b - c)")]
    [InlineData("(a - b) - c", "a - b - c")]
    [InlineData("a/(b*c)", "a/(b*c)")]
    [InlineData("(a + b)*c", "(a + b)*c")]
    [InlineData("-x^2", "-x^2")]
    [InlineData("(-x)^2", "(-x)^2")]
    [InlineData("2^3^2", "2^3^2")]
    [InlineData("(2^3)^2", "(2^3)^2")]
    [InlineData("x**2", "x^2")]
    [InlineData("x^-1", "x^(-1)")]
    [InlineData("x*-y", "x*(-y)")]
    [InlineData("x - -y", "x - (-y)")]
    [InlineData("-(-x)", "-(-x)")]
    [InlineData("-(x + y)", "-(x + y)")]
    [InlineData("1e-3*x", "0.001*x")]
    [InlineData("max(x,2*pi)", "max(x, 2*pi)")]
    public void PrintsWithMinimalParentheses(string text, string expected) =>
        Assert.Equal(expected, Expr.Parse(text).ToString());

    [Fact]
    public void NegativeLiteralsAreParenthesisedWhereNeeded()
    {
        var x = Expr.Variable("x");
        Assert.Equal("(-2)^x", Expr.Power(-2.0, x).ToString());
        Assert.Equal("x - (-2)", (x - (-2.0)).ToString());
        Assert.Equal("-2*x", (-2.0 * x).ToString());
    }

    [Fact]
    public void TinyAndHugeNumbersRoundTrip()
    {
        foreach (var value in new[] { 1e-300, 1.2345678901234567e200, 0.1, 1.0 / 3 })
        {
            var text = (Expr.Number(value) * Expr.Variable("x")).ToString();
            Assert.Equal(value, Expr.Parse(text).Evaluate(new Dictionary<string, double> { ["x"] = 1 }));
        }
    }
}
