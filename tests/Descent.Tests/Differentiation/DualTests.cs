using Descent.Differentiation;

namespace Descent.Tests.Differentiation;

public class DualTests
{
    public static TheoryData<string, double> Points => new()
    {
        { "sin", 0.7 }, { "cos", 0.7 }, { "tan", 0.7 }, { "asin", 0.3 }, { "acos", 0.3 }, { "atan", 1.2 },
        { "sinh", 0.8 }, { "cosh", 0.8 }, { "tanh", 0.8 }, { "exp", 0.5 }, { "log", 2.5 }, { "log2", 2.5 },
        { "log10", 2.5 }, { "sqrt", 2.5 }, { "abs", -1.5 }, { "sigmoid", -0.9 }, { "relu", 1.5 }, { "softplus", -0.9 },
        { "sinc", 0.4 }, { "sinc", 3 }, { "dsinc", 0.05 }, { "dsinc", 2 },
    };

    [Theory]
    [MemberData(nameof(Points))]
    public void TangentIsTheHandDerivedDerivative(string name, double x)
    {
        var (f, df) = Reference(name);
        var y = Apply(name, Dual.Variable(x));
        Assert.Equal(f(x), y.Value, 14);
        Assert.Equal(df(x), y.Tangent, 12);
    }

    [Fact]
    public void ArithmeticFollowsTheRules()
    {
        var x = new Dual(3, 1);
        var y = (x * x / (x + 1)) - (2 * x);
        Assert.Equal((9.0 / 4) - 6, y.Value, 15);
        Assert.Equal((((2 * 3 * 4) - 9) / 16.0) - 2, y.Tangent, 15); // (x² + 2x)/(x + 1)² − 2
        Assert.Equal(new Dual(-3, -1), -x);
    }

    [Fact]
    public void PowSkipsTheLogarithmForConstantExponents()
    {
        Assert.Equal(new Dual(-8, 12), Dual.Pow(Dual.Variable(-2), 3));
        var exponential = Dual.Pow(2, Dual.Variable(3));
        Assert.Equal(8 * Math.Log(2), exponential.Tangent, 14);
    }

    [Fact]
    public void MinAndMaxTakeTheSecondArgumentOnATie()
    {
        Assert.Equal(new Dual(1, 5), Dual.Min(new Dual(1, 4), new Dual(1, 5)));
        Assert.Equal(new Dual(1, 5), Dual.Max(new Dual(1, 4), new Dual(1, 5)));
        Assert.Equal(new Dual(0, 4), Dual.Min(new Dual(0, 4), new Dual(1, 5)));
    }

    [Fact]
    public void SincIsExactAtZero()
    {
        var y = Dual.Sinc(Dual.Variable(0));
        Assert.Equal(new Dual(1, 0), y);
        Assert.Equal(-1.0 / 3, Dual.SincDerivative(Dual.Variable(0)).Tangent, 15);
    }

    private static Dual Apply(string name, Dual x) => new DualBackend(new Dictionary<string, double>(), "x").Function(name, [x]);

    private static (Func<double, double> F, Func<double, double> Df) Reference(string name) => name switch
    {
        "sin" => (Math.Sin, Math.Cos),
        "cos" => (Math.Cos, x => -Math.Sin(x)),
        "tan" => (Math.Tan, x => 1 + (Math.Tan(x) * Math.Tan(x))),
        "asin" => (Math.Asin, x => 1 / Math.Sqrt(1 - (x * x))),
        "acos" => (Math.Acos, x => -1 / Math.Sqrt(1 - (x * x))),
        "atan" => (Math.Atan, x => 1 / (1 + (x * x))),
        "sinh" => (Math.Sinh, Math.Cosh),
        "cosh" => (Math.Cosh, Math.Sinh),
        "tanh" => (Math.Tanh, x => 1 / (Math.Cosh(x) * Math.Cosh(x))),
        "exp" => (Math.Exp, Math.Exp),
        "log" => (Math.Log, x => 1 / x),
        "log2" => (Math.Log2, x => 1 / (x * Math.Log(2))),
        "log10" => (Math.Log10, x => 1 / (x * Math.Log(10))),
        "sqrt" => (Math.Sqrt, x => 0.5 / Math.Sqrt(x)),
        "abs" => (Math.Abs, x => Math.Sign(x)),
        "sigmoid" => (x => 1 / (1 + Math.Exp(-x)), x => Math.Exp(-x) / Math.Pow(1 + Math.Exp(-x), 2)),
        "relu" => (x => Math.Max(x, 0), x => x > 0 ? 1 : 0),
        "softplus" => (x => Math.Log(1 + Math.Exp(x)), x => 1 / (1 + Math.Exp(-x))),
        "sinc" => (x => Math.Sin(x) / x, x => ((x * Math.Cos(x)) - Math.Sin(x)) / (x * x)),
        "dsinc" => (x => ((x * Math.Cos(x)) - Math.Sin(x)) / (x * x), x => (((2 - (x * x)) * Math.Sin(x)) - (2 * x * Math.Cos(x))) / (x * x * x)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
