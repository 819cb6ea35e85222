using Descent.Differentiation.Expressions;

namespace Descent.Tests.Differentiation.Expressions;

/// <summary>
/// Parse(ToString(e)) gives back e — the same text and the same value — for every tree within <see cref="Expr.MaxDepth"/>,
/// however it nests; text beyond the limits is a clear <see cref="ExpressionException"/>, never a stack overflow.
/// </summary>
public class RoundTripTests
{
    private static readonly string[] Variables = ["x", "y", "w1"];
    private static readonly Dictionary<string, double> Point = new() { ["x"] = 0.7, ["y"] = -1.3, ["w1"] = 2.5 };

    private static Expr Leaf(Random r) => r.Next(6) switch
    {
        0 => Expr.Variable(Variables[r.Next(Variables.Length)]),
        1 => Expr.Number(-r.Next(0, 10)), // negative literals, −0 included
        2 => Expr.Number(r.NextDouble() * Math.Pow(10, r.Next(-300, 300)) * (r.Next(2) == 0 ? 1 : -1)),
        3 => r.Next(2) == 0 ? Expr.Pi : Expr.E,
        _ => Expr.Number(r.Next(0, 5)),
    };

    private static Expr Random(Random r, int depth)
    {
        if (depth <= 1 || r.Next(5) == 0) return Leaf(r);
        switch (r.Next(4))
        {
            case 0:
                return Expr.Negate(Random(r, depth - 1));
            case 1:
                var op = (BinaryOperator)r.Next(5);
                return Expr.Binary(op, Random(r, depth - 1), Random(r, depth - 1));
            default:
                var name = FunctionCatalog.Names[r.Next(FunctionCatalog.Names.Count)];
                return Expr.Call(name, [.. Enumerable.Range(0, FunctionCatalog.Arities[name]).Select(_ => Random(r, depth - 1))]);
        }
    }

    private static void AssertRoundTrips(Expr e)
    {
        string text = e.ToString();
        var back = Expr.Parse(text);
        Assert.Equal(text, back.ToString());
        Assert.True(back.Depth <= Math.Max(e.Depth, 1), $"depth {back.Depth} > {e.Depth} for {text}");
        double a = e.Evaluate(Point), b = back.Evaluate(Point);
        Assert.True(a.Equals(b) || (double.IsNaN(a) && double.IsNaN(b)), $"{text}: {a} != {b}");
    }

    [Fact]
    public void RandomExpressionsRoundTrip()
    {
        var r = new Random(12);
        for (int i = 0; i < 20_000; i++) AssertRoundTrips(Random(r, r.Next(1, 9)));
    }

    /// <summary>Chains of one construct, nested to exactly <see cref="Expr.MaxDepth"/> levels (101+ unary minuses used to fail).</summary>
    [Theory]
    [InlineData("negate")]
    [InlineData("negate-negative-literal")]
    [InlineData("sin")]
    [InlineData("max")]
    [InlineData("power")]
    [InlineData("product-right")]
    [InlineData("difference-right")]
    [InlineData("sum-left")]
    [InlineData("mixed")]
    public void DeepChainsUpToTheLimitRoundTrip(string kind)
    {
        var r = new Random(kind.Length);
        var x = Expr.Variable("x");
        Expr e = kind == "negate-negative-literal" ? Expr.Number(-2) : x;
        while (e.Depth < Expr.MaxDepth)
        {
            e = kind switch
            {
                "negate" or "negate-negative-literal" => Expr.Negate(e),
                "sin" => Expr.Call("sin", e),
                "max" => Expr.Call("max", e, Expr.Number(-1)),
                "power" => Expr.Power(x, e),
                "product-right" => Expr.Multiply(x, e),
                "difference-right" => Expr.Subtract(x, e),
                "sum-left" => Expr.Add(e, x),
                _ => r.Next(4) switch
                {
                    0 => Expr.Negate(e),
                    1 => Expr.Call("exp", e),
                    2 => Expr.Divide(Expr.Number(-3), e),
                    _ => Expr.Subtract(e, Expr.Negate(x)),
                },
            };
            if (e.Depth is 101 or 102 or Expr.MaxDepth) AssertRoundTrips(e);
        }
        Assert.Equal(Expr.MaxDepth, e.Depth);
        // One level more is refused with the limit named, not a crash.
        var deeper = kind == "sum-left" ? Expr.Add(e, x) : Expr.Negate(Expr.Negate(e));
        Assert.Contains("nests deeper", Assert.Throws<ExpressionException>(() => Expr.Parse(deeper.ToString())).Message);
    }

    /// <summary>A 10⁶-character input is refused at once (too long), whatever it nests: no stack overflow.</summary>
    [Theory]
    [InlineData("-")]
    [InlineData("(")]
    [InlineData("-(")]
    [InlineData("sin(")]
    public void MillionCharacterInputsAreClearErrors(string open)
    {
        string text = string.Concat(Enumerable.Repeat(open, 1_000_000 / open.Length)) + "x";
        var error = Assert.Throws<ExpressionException>(() => Expr.Parse(text));
        Assert.Contains("too long", error.Message);
        // Within the length limit, the nesting limit answers.
        string nested = string.Concat(Enumerable.Repeat(open, Expr.MaxLength / (open.Length + 1))) + "x";
        Assert.Contains("nests deeper", Assert.Throws<ExpressionException>(() => Expr.Parse(nested)).Message);
    }

    /// <summary>Folding constants that overflow keeps the node as written (its value is ±∞) instead of throwing.</summary>
    [Theory]
    [InlineData("1e308* 1E3", double.PositiveInfinity)]
    [InlineData("1e308 + 1e308", double.PositiveInfinity)]
    [InlineData("-1e308 - 1e308", double.NegativeInfinity)]
    [InlineData("x*(1e308+1e308)", double.PositiveInfinity)]
    [InlineData("1e200^2", double.PositiveInfinity)]
    [InlineData("1e308*10 - 1e308*10", 0.0)] // like terms cancel symbolically, as x − x does
    [InlineData("exp(1000)", double.PositiveInfinity)]
    public void OverflowingConstantsAreKeptAsWritten(string text, double value)
    {
        var simplified = Expr.Parse(text).Simplify();
        Assert.Equal(value, simplified.Evaluate(new Dictionary<string, double> { ["x"] = 1 }));
        AssertRoundTrips(simplified);
    }

    [Fact]
    public void DerivativeOfAnOverflowingConstantFactor()
    {
        var d = Expr.Parse("x*(1e308+1e308)").Differentiate("x").Simplify();
        Assert.Equal(double.PositiveInfinity, d.Evaluate(new Dictionary<string, double> { ["x"] = 3 }));
        Assert.DoesNotContain("x", d.ToString());
    }
}
