using Descent.Differentiation;
using Descent.Differentiation.Expressions;

namespace Descent.Tests.Differentiation;

public class ForwardModeTests
{
    [Fact]
    public void DerivativeOfAScalarFunction() =>
        Assert.Equal(2 * Math.E, ForwardMode.Derivative(x => x * Dual.Exp(x), 1.0), 14);

    [Fact]
    public void GradientTakesOnePassPerCoordinate()
    {
        var passes = 0;
        var gradient = ForwardMode.Gradient(
            v =>
            {
                passes++;
                return (v[0] * v[1]) + Dual.Sin(v[2]);
            },
            [2, 3, 0.5]);
        Assert.Equal([3, 2, Math.Cos(0.5)], gradient);
        Assert.Equal(3, passes);
    }

    [Fact]
    public void JacobianVectorProductInOnePass()
    {
        // f(x, y) = (x y, x + y²); J = [[y, x], [1, 2y]]; at (2, 3) with v = (1, -1): (3 - 2, 1 - 6).
        var jvp = ForwardMode.JacobianVectorProduct(v => [v[0] * v[1], v[0] + (v[1] * v[1])], [2, 3], [1, -1]);
        Assert.Equal([1, -5], jvp);
        Assert.Throws<ArgumentException>(() => ForwardMode.JacobianVectorProduct(v => v, [1, 2], [1]));
    }

    [Fact]
    public void ExpressionsDifferentiateThroughTheDualBackend()
    {
        var f = Expr.Parse("w*x^2 + sin(w)");
        var point = new Dictionary<string, double> { ["w"] = 2, ["x"] = 3 };
        Assert.Equal(12, ForwardMode.Derivative(f, point, "x"));
        var gradient = ForwardMode.Gradient(f, point);
        Assert.Equal(9 + Math.Cos(2), gradient["w"], 14);
        Assert.Equal(12, gradient["x"]);
    }

    [Fact]
    public void DirectionalDerivativeAlongArbitraryTangents()
    {
        var backend = new DualBackend(new Dictionary<string, double> { ["x"] = 1, ["y"] = 2 }, new Dictionary<string, double> { ["x"] = 0.5, ["y"] = 1 });
        var d = Expr.Parse("x*y").Compile(backend);
        Assert.Equal(new Dual(2, (0.5 * 2) + 1), d);
    }
}
