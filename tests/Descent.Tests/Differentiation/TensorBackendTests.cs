using CsCheck;
using Descent.Differentiation;
using Descent.Differentiation.Expressions;

namespace Descent.Tests.Differentiation;

public class TensorBackendTests
{
    [Fact]
    public void ReverseModeOnCompiledExpressionsAgreesWithForwardAndSymbolic()
    {
        int tested = 0;
        Gen.Int[0, 1_000_000].Sample(seed =>
        {
            var (f, point) = RandomExpressions.Sample(seed);
            if (!RandomExpressions.IsWellInsideDomain(f, point)) return;
            var names = RandomExpressions.VariableNames;
            var x = names.Select(n => point[n]).ToArray();
            var fn = TensorBackend.ToFunction(f, names);
            double value;
            using (Autograd.NoGrad()) value = fn(Tensor.FromArray(x)).Item();
            Assert.Equal(f.Evaluate(point), value, 1e-9 * Math.Max(1, Math.Abs(value)));
            var reverse = Derivatives.Gradient(fn, x);
            var forward = ForwardMode.Gradient(f, point);
            for (int i = 0; i < names.Length; i++)
            {
                double expected = forward.TryGetValue(names[i], out var d) ? d : 0; // an unused variable has derivative 0
                if (!double.IsFinite(expected)) continue;
                Assert.True(Math.Abs(reverse[i] - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected)),
                    $"seed {seed}: d/d{names[i]} {f}: reverse {reverse[i]} vs forward {expected}");
            }
            Interlocked.Increment(ref tested);
        }, iter: 1000);
        Assert.True(tested > 150, $"only {tested} samples were inside the domain");
    }

    [Fact]
    public void FunctionalHelpersMatchHandDerivedValues()
    {
        var f = TensorBackend.ToFunction(Expr.Parse("2*w1^2 + 3*w2^2"), ["w1", "w2"]);
        Assert.Equal([4.0, 12.0], Derivatives.Gradient(f, [1, 2]));
        var h = Derivatives.Hessian(f, [1, 2]);
        Assert.Equal(4.0, h[0, 0]);
        Assert.Equal(0.0, h[0, 1]);
        Assert.Equal(0.0, h[1, 0]);
        Assert.Equal(6.0, h[1, 1]);
        Assert.Equal([4.0 * 3, 6.0 * -1], Derivatives.HessianVectorProduct(f, [1, 2], [3, -1]));
        // Along (3, 4)/5: (4·3 + 12·4)/5.
        Assert.Equal((12 + 48) / 5.0, Derivatives.DirectionalDerivative(f, [1, 2], [3, 4]), 1e-12);
        Assert.Throws<ArgumentException>(() => Derivatives.DirectionalDerivative(f, [1, 2], [0, 0]));

        // J of (x·y, sin x) at (2, 3) = [[3, 2], [cos 2, 0]].
        var j = Derivatives.Jacobian(w => Tensor<double>.Stack(0, w[0] * w[1], w[0].Sin()), [2, 3]);
        Assert.Equal(3, j[0, 0]);
        Assert.Equal(2, j[0, 1]);
        Assert.Equal(Math.Cos(2), j[1, 0], 1e-15);
        Assert.Equal(0, j[1, 1]);
    }

    [Fact]
    public void HessianAndJacobianAgreeWithFiniteDifferencesOfTheGradient()
    {
        var expr = Expr.Parse("sin(x)*exp(y) + x^3*y - log(1 + x^2 + y^2)");
        var f = TensorBackend.ToFunction(expr, ["x", "y"]);
        double[] at = [0.7, -0.4];
        var h = Derivatives.Hessian(f, at);
        for (int j = 0; j < 2; j++)
        {
            double step = 1e-5;
            var plus = (double[])at.Clone(); plus[j] += step;
            var minus = (double[])at.Clone(); minus[j] -= step;
            var gp = Derivatives.Gradient(f, plus);
            var gm = Derivatives.Gradient(f, minus);
            for (int i = 0; i < 2; i++) Assert.Equal((gp[i] - gm[i]) / (2 * step), h[i, j], 1e-7);
        }
        var jac = Derivatives.Jacobian(w => Tensor<double>.Stack(0, f(w), (w * w).Sum()), at);
        var grad = Derivatives.Gradient(f, at);
        Assert.Equal(grad[0], jac[0, 0], 1e-12);
        Assert.Equal(2 * at[1], jac[1, 1], 1e-12);
    }

    [Fact]
    public void ComparisonReportsEveryModeAndTheDisagreement()
    {
        var result = DerivativeComparison.Compare(Expr.Parse("x^2*y + sin(y)"), new Dictionary<string, double> { ["x"] = 1.5, ["y"] = -2 });
        Assert.Equal(DerivativeComparison.ModeNames, result.Modes.Select(m => m.Mode).ToArray());
        foreach (var m in result.Modes)
        {
            Assert.Equal(2 * 1.5 * -2, m.Gradient["x"], 1e-6);
            Assert.Equal(1.5 * 1.5 + Math.Cos(-2), m.Gradient["y"], 1e-6);
            Assert.True(m.Seconds >= 0);
        }
        Assert.True(result.MaxDisagreement < 1e-6);

        // At a kink the modes honestly disagree: relu'(0) is 0 by convention, 0.5 by central differences.
        var kink = DerivativeComparison.Compare(Expr.Parse("relu(x)"), new Dictionary<string, double> { ["x"] = 0 });
        Assert.Equal(0.5, kink.MaxDisagreement, 1e-9);
    }

    [Fact]
    public void SincIsTheStableFormOfSinXOverX()
    {
        var naive = TensorBackend.ToFunction(Expr.Parse("sin(x)/x"));
        var stable = TensorBackend.ToFunction(Expr.Parse("sinc(x)"));
        Assert.True(double.IsNaN(Derivatives.Gradient(naive, [0])[0]));
        Assert.Equal(0, Derivatives.Gradient(stable, [0])[0]);
        Assert.Equal(-1.0 / 3, Derivatives.Hessian(stable, [0])[0, 0], 1e-12);
        // sqrt(x^2) differentiates as (1/(2·√0))·(2·0) = ∞·0: NaN, although |x| has a subgradient 0 there.
        Assert.True(double.IsNaN(Derivatives.Gradient(TensorBackend.ToFunction(Expr.Parse("sqrt(x^2)")), [0])[0]));
    }
}
