using Descent.Differentiation;
using Descent.Differentiation.Expressions;
using Descent.Optimization.Minimization;

namespace Descent.Tests.Differentiation;

public class TensorBackendTests
{
    [Theory]
    [InlineData("x^2 + 3*y", 1.5, -2.0)]
    [InlineData("sin(x) * exp(y) - log(x^2 + 1)", 0.7, 0.3)]
    [InlineData("sigmoid(x*y) + tanh(x) / (1 + y^2)", -0.4, 1.2)]
    [InlineData("sqrt(x^2 + y^2) + abs(x - y) + max(x, y)", 2.0, -1.0)]
    [InlineData("x^y + log10(y + 3) + softplus(x) + relu(y)", 1.3, 0.8)]
    public void ValueAndGradientMatchTheSymbolicDerivative(string text, double x, double y)
    {
        var e = Expr.Parse(text);
        var point = new Dictionary<string, double> { ["x"] = x, ["y"] = y };
        var f = TensorBackend.Function(e, ["x", "y"]);
        var w = Tensor.FromArray([x, y]).WithGrad();
        var value = f(w);
        value.Backward();
        Assert.Equal(e.Evaluate(point), value.Item(), 12);
        Assert.Equal(e.Differentiate("x").Evaluate(point), w.Grad!.Data[0], 10);
        Assert.Equal(e.Differentiate("y").Evaluate(point), w.Grad!.Data[1], 10);
    }

    [Fact]
    public void ConstantExponentKeepsNegativeBasesFinite()
    {
        var f = TensorBackend.Function(Expr.Parse("w^3"), ["w"]);
        var w = Tensor.FromArray([-2.0]).WithGrad();
        var v = f(w);
        v.Backward();
        Assert.Equal(-8, v.Item(), 12);
        Assert.Equal(12, w.Grad!.Data[0], 12);
    }

    [Fact]
    public void SecondDerivativesClassifyASaddle()
    {
        var f = TensorBackend.Function(Expr.Parse("x^2 - y^2"), ["x", "y"]);
        var c = CriticalPoints.Classify(f, [0.0, 0.0]);
        Assert.Equal(CriticalPointKind.Saddle, c.Kind);
        Assert.Equal([-2.0, 2.0], c.Eigenvalues.Select(v => Math.Round(v, 9)).ToArray());
    }

    [Fact]
    public void AVariableWithoutAValueIsNamed()
    {
        var ex = Assert.Throws<ArgumentException>(() => TensorBackend.Function(Expr.Parse("x + z"), ["x"]));
        Assert.Contains("z", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MinimizingACompiledExpressionGivesTheReferenceTrajectory()
    {
        var f = TensorBackend.Function(Expr.Parse("w^2"), ["w"]);
        var r = Minimizer.Minimize(f, [10.0], Descent.Optimization.Optimizers.GradientDescent<double>(0.3), new Descent.Optimization.Stopping.MaxSteps(5));
        Assert.Equal([10, 4, 1.6, 0.64, 0.256, 0.1024], r.Trajectory.Select(p => Math.Round(p.Point[0], 12)).ToArray());
    }
}
