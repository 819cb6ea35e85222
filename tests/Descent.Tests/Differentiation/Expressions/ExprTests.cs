using Descent.Differentiation.Expressions;

namespace Descent.Tests.Differentiation.Expressions;

public class ExprTests
{
    [Fact]
    public void EvaluateUsesTheGivenValues()
    {
        var f = Expr.Parse("w*x + b");
        Assert.Equal(7, f.Evaluate(new Dictionary<string, double> { ["w"] = 2, ["x"] = 3, ["b"] = 1 }));
    }

    [Fact]
    public void MissingVariableIsNamed()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => Expr.Parse("w*x + b").Evaluate(new Dictionary<string, double> { ["w"] = 2, ["x"] = 3 }));
        Assert.Equal("Variable 'b' has no value; add it to the dictionary passed to Evaluate (given: w, x).", error.Message);
    }

    [Fact]
    public void VariablesAreSortedAndDistinct() =>
        Assert.Equal(["b", "w", "x"], Expr.Parse("x*w + sin(x) + b*w").Variables);

    [Fact]
    public void ConstantsAreNotVariables() => Assert.Empty(Expr.Parse("2*pi + e").Variables);

    [Fact]
    public void FactoriesAndOperatorsBuildTheSameTreeAsParsing()
    {
        var x = Expr.Variable("x");
        var built = (2 * Expr.Call("sin", x)) + Expr.Power(x, 2) - (x / 3);
        Assert.Equal("2*sin(x) + x^2 - x/3", built.ToString());
        Assert.Equal(Expr.Parse("2*sin(x) + x^2 - x/3").ToString(), built.ToString());
        Assert.Equal(ExprKind.Binary, built.Kind);
    }

    [Fact]
    public void FactoriesValidate()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Expr.Number(double.NaN));
        Assert.Throws<ArgumentException>(() => Expr.Variable("sin"));
        Assert.Throws<ArgumentException>(() => Expr.Variable("2x"));
        Assert.Throws<ArgumentException>(() => Expr.Variable("pi"));
        Assert.Contains("Did you mean 'cos'", Assert.Throws<ArgumentException>(() => Expr.Call("cs", Expr.Variable("x"))).Message);
        Assert.Contains("takes 2 argument(s) but was given 1", Assert.Throws<ArgumentException>(() => Expr.Call("max", Expr.Variable("x"))).Message);
    }

    [Fact]
    public void KnownFunctionsListsNamesWithArity()
    {
        Assert.Equal(1, Expr.KnownFunctions["sigmoid"]);
        Assert.Equal(2, Expr.KnownFunctions["pow"]);
        Assert.True(Expr.KnownFunctions.ContainsKey("heaviside"));
    }

    [Fact]
    public void NodesExposeTheirParts()
    {
        var e = (BinaryExpr)Expr.Parse("-x * max(2, pi)");
        Assert.Equal(BinaryOperator.Multiply, e.Operator);
        Assert.Equal("x", ((VariableExpr)((NegateExpr)e.Left).Operand).Name);
        var call = (FunctionExpr)e.Right;
        Assert.Equal("max", call.Name);
        Assert.Equal("pi", ((NumberExpr)call.Arguments[1]).Name);
        Assert.Equal(3, e.Depth);
    }

    [Fact]
    public void CompileFoldsThroughAnyBackend()
    {
        var text = Expr.Parse("-x + pow(2, y)*sin(x)").Compile(new PrefixBackend());
        Assert.Equal("(+ (neg x) (* (^ 2 y) (sin x)))", text);
    }

    [Fact]
    public void EvaluateFollowsIeeeOutsideTheDomain()
    {
        Assert.True(double.IsNaN(Expr.Parse("log(-1)").Evaluate()));
        Assert.Equal(double.PositiveInfinity, Expr.Parse("1/0").Evaluate());
    }

    /// <summary>A backend that prints prefix notation, to show Compile's fold order.</summary>
    private sealed class PrefixBackend : IExpressionBackend<string>
    {
        public string Constant(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public string Variable(string name) => name;

        public string Negate(string operand) => $"(neg {operand})";

        public string Add(string left, string right) => $"(+ {left} {right})";

        public string Subtract(string left, string right) => $"(- {left} {right})";

        public string Multiply(string left, string right) => $"(* {left} {right})";

        public string Divide(string left, string right) => $"(/ {left} {right})";

        public string Power(string left, string right) => $"(^ {left} {right})";

        public string Function(string name, IReadOnlyList<string> arguments) => $"({name} {string.Join(" ", arguments)})";
    }
}
