using Descent.Optimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Optimization;

/// <summary>Gradient descent on L(w) = w² (∇L = 2w, so w ← (1 − 2η)·w) for a range of learning rates.</summary>
public class LearningRateStudyTests
{
    private static (List<double> Path, StopReason? Reason) Descend(double learningRate, double start, int steps)
    {
        var w = new ArrayParameter<double>(start);
        var optimizer = new Optimizer<double>([w], Optimizers.GradientDescent<double>(learningRate));
        var divergence = new Divergence();
        var path = new List<double> { start };
        for (int step = 0; ; step++)
        {
            double loss = w.Data[0] * w.Data[0];
            StopReason? reason = divergence.Observe(new StepRecord(step, loss) { ParameterNorm = Math.Abs(w.Data[0]) });
            if (reason is not null || step == steps)
            {
                return (path, reason);
            }

            w.Grad[0] = 2 * w.Data[0];
            optimizer.Step();
            path.Add(w.Data[0]);
        }
    }

    [Fact]
    public void LearningRateRegimes()
    {
        double[] rates = [0.001, 0.01, 0.1, 0.999, 1.0, 1.01];
        var runs = rates.ToDictionary(r => r, r => Descend(r, 100, 1000));

        // 0.1 contracts by 0.8 per step: the fastest of all.
        foreach (double r in rates.Where(r => r != 0.1))
        {
            Assert.True(Math.Abs(runs[0.1].Path[^1]) < Math.Abs(runs[r].Path[^1]), $"η = 0.1 should end closer to 0 than η = {r}");
        }

        Assert.True(Math.Abs(runs[0.1].Path[^1]) < 1e-90);

        // 0.999 contracts by −0.998: the sign alternates every step, |w| shrinks every step.
        var zigzag = runs[0.999].Path;
        for (int k = 1; k < zigzag.Count; k++)
        {
            Assert.True(Math.Sign(zigzag[k]) == -Math.Sign(zigzag[k - 1]), $"sign should alternate at step {k}");
            Assert.True(Math.Abs(zigzag[k]) < Math.Abs(zigzag[k - 1]));
        }

        Assert.Null(runs[0.999].Reason);

        // 1.0 maps w to −w exactly: oscillates forever at |w| = 100, neither diverging nor converging.
        Assert.Null(runs[1.0].Reason);
        Assert.Equal(1001, runs[1.0].Path.Count);
        Assert.All(runs[1.0].Path, w => Assert.Equal(100, Math.Abs(w)));

        // 1.01 grows by 1.02 per step: L exceeds 1e6 × L₀ = 1e10 at step 349 (1.0404^349 ≈ 1.007e6).
        StopReason? diverged = runs[1.01].Reason;
        Assert.NotNull(diverged);
        Assert.Equal(StopKind.Diverged, diverged.Kind);
        Assert.Equal(349, diverged.Step);
        Assert.StartsWith("diverged: loss 1.007e+10 at step 349 is more than 1e+06 times the best loss 10000 (step 0)", diverged.Message, StringComparison.Ordinal);
        foreach (double r in new[] { 0.001, 0.01, 0.1 })
        {
            Assert.Null(runs[r].Reason);
        }
    }

    [Fact]
    public void ReferenceNumbersFromTen()
    {
        double[] expected = [10, 4, 1.6, 0.64, 0.256, 0.1024];
        Assert.Equal(expected.Length, Descend(0.3, 10, 5).Path.Count);
        Assert.All(expected.Zip(Descend(0.3, 10, 5).Path), p => Assert.Equal(p.First, p.Second, 1e-12));
        Assert.All(expected.Zip(Descend(0.3, -10, 5).Path), p => Assert.Equal(-p.First, p.Second, 1e-12));
    }

    [Fact]
    public void ReferenceNumbersOnAnisotropicQuadratic()
    {
        // L = 2w₁² + 3w₂², ∇L = (4w₁, 6w₂), η = 0.1: w₁ ← 0.6·w₁, w₂ ← 0.4·w₂.
        var w = new ArrayParameter<double>(2.0, 4.0);
        var optimizer = new Optimizer<double>([w], Optimizers.GradientDescent<double>(0.1));
        double[][] expected = [[1.2, 1.6], [0.72, 0.64], [0.432, 0.256], [0.2592, 0.1024], [0.15552, 0.04096]];
        foreach (double[] e in expected)
        {
            w.Grad[0] = 4 * w.Data[0];
            w.Grad[1] = 6 * w.Data[1];
            optimizer.Step();
            Assert.Equal(e[0], w.Data[0], 1e-12);
            Assert.Equal(e[1], w.Data[1], 1e-12);
        }
    }
}
