using Descent.Differentiation.Expressions;

namespace Descent.Tests.Differentiation.Expressions;

public class LatexPrinterTests
{
    [Theory]
    [InlineData("x/y", @"\frac{x}{y}")]
    [InlineData("x^2", "x^{2}")]
    [InlineData("(x + 1)^2", @"\left(x + 1\right)^{2}")]
    [InlineData("sin(x)^2", @"\sin(x)^{2}")]
    [InlineData("sigmoid(w*x)", @"\sigma(w x)")]
    [InlineData("sqrt(x)", @"\sqrt{x}")]
    [InlineData("1/(2*sqrt(x))", @"\frac{1}{2 \sqrt{x}}")]
    [InlineData("2*3", @"2 \cdot 3")]
    [InlineData("x*-y", @"x \left(-y\right)")]
    [InlineData("2*pi*r", @"2 \pi r")]
    [InlineData("x_2 + w1", "x_{2} + w_{1}")]
    [InlineData("rate*x", @"\mathrm{rate} x")]
    [InlineData("(a + b)*c", @"\left(a + b\right) c")]
    [InlineData("abs(x)", @"\left|x\right|")]
    [InlineData("log(x) + log10(x)", @"\ln(x) + \log_{10}(x)")]
    [InlineData("pow(x, y)", "x^{y}")]
    [InlineData("max(a, b)", @"\max(a, b)")]
    [InlineData("1e-5", @"1 \cdot 10^{-5}")]
    public void PrintsLatex(string text, string expected) => Assert.Equal(expected, Expr.Parse(text).ToLatex());

    [Fact]
    public void SigmoidDerivativeReadsLikeTheTextbook() =>
        Assert.Equal(@"w \sigma(w x) \left(1 - \sigma(w x)\right)", Expr.Parse("sigmoid(w*x)").Differentiate("x").ToLatex());
}
