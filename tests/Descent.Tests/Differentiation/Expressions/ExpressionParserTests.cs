using Descent.Differentiation.Expressions;

namespace Descent.Tests.Differentiation.Expressions;

public class ExpressionParserTests
{
    private static readonly Dictionary<string, double> Point = new() { ["x"] = 3, ["w"] = 2, ["w1"] = 5, ["x_2"] = 7 };

    [Theory]
    [InlineData("2", 2)]
    [InlineData("0.5", 0.5)]
    [InlineData(".5", 0.5)]
    [InlineData("1e-3", 0.001)]
    [InlineData("2.5E+2", 250)]
    [InlineData("w1 + x_2", 12)]
    [InlineData("1 + 2*3", 7)]
    [InlineData("(1 + 2)*3", 9)]
    [InlineData("8/4/2", 1)]
    [InlineData("10 - 3 - 2", 5)]
    [InlineData("2^3^2", 512)]
    [InlineData("2**3**2", 512)]
    [InlineData("-x^2", -9)]
    [InlineData("(-x)^2", 9)]
    [InlineData("2^-1", 0.5)]
    [InlineData("--x", 3)]
    [InlineData("-2*x", -6)]
    [InlineData("max(x, w) + min(x, w)", 5)]
    [InlineData("pow(w, 3)", 8)]
    [InlineData("  sqrt( 16 )  ", 4)]
    [InlineData("sinc(0)", 1)]
    [InlineData("relu(-x) + relu(x)", 3)]
    public void ParsesAndEvaluates(string text, double expected) =>
        Assert.Equal(expected, Expr.Parse(text).Evaluate(Point), 12);

    [Fact]
    public void ParsesConstants()
    {
        Assert.Equal(Math.PI, Expr.Parse("pi").Evaluate());
        Assert.Equal(Math.E, Expr.Parse("e").Evaluate());
        Assert.Equal(2 * Math.E, Expr.Parse("2*e").Evaluate());
    }

    [Theory]
    [InlineData("2*w1^ + 3", "expected an operand after '^' at column 6", 6)]
    [InlineData("2*w1^", "expected an operand after '^' at column 6", 6)]
    [InlineData("x + * 2", "expected an operand after '+' at column 4", 4)]
    [InlineData("*x", "expected an operand before '*' at column 1", 1)]
    [InlineData("+x", "expected an operand before '+' at column 1", 1)]
    [InlineData("sin()", "expected an operand after '(' at column 5", 5)]
    [InlineData("max(x,)", "expected an operand after ',' at column 7", 7)]
    public void MissingOperandPointsAfterTheOperator(string text, string message, int column) =>
        AssertError(text, message, column);

    [Theory]
    [InlineData("sinn(x)", "unknown function 'sinn' at column 1; did you mean 'sin'?", 1)]
    [InlineData("2*sqr(x)", "unknown function 'sqr' at column 3; did you mean 'sqrt'?", 3)]
    [InlineData("Exp(x)", "unknown function 'Exp' at column 1; did you mean 'exp'?", 1)]
    [InlineData("sigmiod(x)", "unknown function 'sigmiod' at column 1; did you mean 'sigmoid'?", 1)]
    public void UnknownFunctionSuggestsTheNearestName(string text, string message, int column) =>
        AssertError(text, message, column);

    [Fact]
    public void UnknownFunctionFarFromAnyNameListsThem()
    {
        var error = Assert.Throws<ExpressionException>(() => Expr.Parse("frobnicate(x)"));
        Assert.StartsWith("unknown function 'frobnicate' at column 1; known functions are sin, cos", error.Message);
    }

    [Theory]
    [InlineData("(x + 1", "unbalanced parentheses: the '(' is never closed at column 1", 1)]
    [InlineData("2*(x + (1)", "unbalanced parentheses: the '(' is never closed at column 3", 3)]
    [InlineData("sin(x", "unbalanced parentheses: the '(' is never closed at column 4", 4)]
    [InlineData("x + 1)", "unbalanced parentheses: unmatched ')' at column 6", 6)]
    [InlineData("(x 2)", "expected ')' to close the '(' at column 1 but found '2' at column 4", 4)]
    public void UnbalancedParentheses(string text, string message, int column) =>
        AssertError(text, message, column);

    [Theory]
    [InlineData("2 3", "unexpected '3' after a complete expression at column 3", 3)]
    [InlineData("x y", "unexpected 'y' after a complete expression at column 3", 3)]
    [InlineData("x, y", "unexpected ',' after a complete expression at column 2", 2)]
    public void TrailingGarbage(string text, string message, int column) =>
        AssertError(text, message, column);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void EmptyInput(string text) => AssertError(text, "expression is empty at column 1", 1);

    [Theory]
    [InlineData("1.2.3", "malformed number '1.2.3' at column 1", 1)]
    [InlineData("x + 2x", "malformed number '2x' at column 5; there is no implicit multiplication", 5)]
    [InlineData("1e", "malformed number '1e' at column 1", 1)]
    [InlineData("3 * .", "malformed number '.' at column 5", 5)]
    [InlineData("1e999", "number '1e999' is out of range at column 1", 1)]
    public void BadNumbers(string text, string message, int column) => AssertError(text, message, column);

    [Theory]
    [InlineData("x $ 2", "unexpected character '$' at column 3", 3)]
    [InlineData("max(x)", "function 'max' takes 2 arguments but was given 1 at column 1", 1)]
    [InlineData("1 + sin(x, 2)", "function 'sin' takes 1 argument but was given 2 at column 5", 5)]
    [InlineData("sin x", "function 'sin' must be followed by '(' at column 5; write sin(x)", 5)]
    [InlineData("pi(2)", "'pi' is a constant, not a function at column 1", 1)]
    public void OtherErrors(string text, string message, int column) => AssertError(text, message, column);

    [Theory]
    [InlineData(201, "(", ")")]
    [InlineData(5000, "(", ")")]
    [InlineData(300, "-", "")]
    [InlineData(300, "sin(", ")")]
    [InlineData(100_000 / 8, "(", ")")]
    public void DeepNestingIsRejectedWithoutCrashing(int depth, string open, string close)
    {
        var text = string.Concat(Enumerable.Repeat(open, depth)) + "x" + string.Concat(Enumerable.Repeat(close, depth));
        var error = Assert.Throws<ExpressionException>(() => Expr.Parse(text));
        Assert.Contains(text.Length > Expr.MaxLength ? "too long" : "nests deeper than 200 levels", error.Message);
    }

    [Fact]
    public void LongPowerTowersAndChainsAreRejected()
    {
        Assert.Contains("nests deeper", Assert.Throws<ExpressionException>(() => Expr.Parse(string.Join("^", Enumerable.Repeat("x", 300)))).Message);
        Assert.Contains("nests deeper", Assert.Throws<ExpressionException>(() => Expr.Parse(string.Join("+", Enumerable.Repeat("x", 300)))).Message);
    }

    [Fact]
    public void NestingWithinTheLimitParses()
    {
        var text = new string('(', 150) + "x" + new string(')', 150);
        Assert.Equal(3, Expr.Parse(text).Evaluate(Point));
        Assert.Equal(100, Expr.Parse(string.Join("+", Enumerable.Repeat("1", 100))).Evaluate());
    }

    [Fact]
    public void TooLongInputIsRejected()
    {
        var text = string.Join("+", Enumerable.Repeat("1", 6000));
        var error = Assert.Throws<ExpressionException>(() => Expr.Parse(text));
        Assert.Equal($"expression is too long ({text.Length} characters; the limit is 10000) at column 10001", error.Message);
        Assert.Equal(10_001, error.Column);
    }

    [Fact]
    public void NullIsAnArgumentError() => Assert.Throws<ArgumentNullException>(() => Expr.Parse(null!));

    private static void AssertError(string text, string message, int column)
    {
        var error = Assert.Throws<ExpressionException>(() => Expr.Parse(text));
        Assert.StartsWith(message, error.Message);
        Assert.Equal(column, error.Column);
        Assert.Equal(text, error.Expression);
    }
}
