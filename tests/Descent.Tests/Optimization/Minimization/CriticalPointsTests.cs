using Descent.Optimization;
using Descent.Optimization.Minimization;

namespace Descent.Tests.Optimization.Minimization;

public class CriticalPointsTests
{
    [Fact]
    public void HessianOfAQuadraticIsExact()
    {
        var result = CriticalPoints.Classify(w => 2.0 * w[0].Square() + 3.0 * w[1].Square(), [0.0, 0.0]);
        Assert.Equal(4.0, result.Hessian[0, 0]);
        Assert.Equal(0.0, result.Hessian[0, 1]);
        Assert.Equal(0.0, result.Hessian[1, 0]);
        Assert.Equal(6.0, result.Hessian[1, 1]);
        Assert.Equal([4.0, 6.0], result.Eigenvalues);
        Assert.Equal(CriticalPointKind.Minimum, result.Kind);
        Assert.Equal(0, result.GradientNorm);
    }

    [Fact]
    public void Maximum() => Assert.Equal(CriticalPointKind.Maximum, CriticalPoints.Classify(w => -w[0].Square() - w[1].Square(), [0.0, 0.0]).Kind);

    [Fact]
    public void Saddle()
    {
        var result = CriticalPoints.Classify(w => w[0].Square() - w[1].Square(), [0.0, 0.0]);
        Assert.Equal(CriticalPointKind.Saddle, result.Kind);
        Assert.Equal([-2.0, 2.0], result.Eigenvalues);
    }

    [Fact]
    public void QuarticIsDegenerate()
    {
        var result = CriticalPoints.Classify(w => w.Pow(4.0).Sum(), [0.0]);
        Assert.Equal(CriticalPointKind.Degenerate, result.Kind);
        Assert.Equal(0, result.Eigenvalues[0]);
    }

    [Fact]
    public void NotCriticalAwayFromStationaryPoints()
    {
        var result = CriticalPoints.Classify(w => w[0].Square() - w[1].Square(), [1.0, 0.0]);
        Assert.Equal(CriticalPointKind.NotCritical, result.Kind);
        Assert.Equal(2, result.GradientNorm);
    }

    [Fact]
    public void MixedHessianIsSymmetric()
    {
        // f = x²y + y³: H = [[2y, 2x], [2x, 6y]] at (1, 2) is [[4, 2], [2, 12]].
        var h = CriticalPoints.Hessian(w => w[0].Square() * w[1] + w[1].Pow(3.0), [1.0, 2.0]);
        Assert.Equal(new double[,] { { 4, 2 }, { 2, 12 } }, h);
    }

    [Fact]
    public void GradientDescentStaysOnTheSaddleAndEscapesWhenPerturbed()
    {
        static Tensor<double> F(Tensor<double> w) => w[0].Square() - w[1].Square();
        var exact = Minimizer.Minimize(F, [0.0, 0.0], Optimizers.GradientDescent<double>(0.1), new Descent.Optimization.Stopping.MaxSteps(50));
        Assert.All(exact.Trajectory, p => Assert.Equal([0.0, 0.0], p.Point));

        var nudged = Minimizer.Minimize(F, [0.0, 1e-8], Optimizers.GradientDescent<double>(0.1), new Descent.Optimization.Stopping.MaxSteps(50));
        // y ← 1.2·y at every step: |y| grows geometrically, away from the saddle.
        for (int i = 1; i < nudged.Trajectory.Count; i++) Assert.True(Math.Abs(nudged.Trajectory[i].Point[1]) > Math.Abs(nudged.Trajectory[i - 1].Point[1]));
        Assert.Equal(1e-8 * Math.Pow(1.2, 50), nudged.Point[1], 1e-10);
    }
}
