using Descent.Differentiation.Expressions;
using Descent.Optimization.Lessons;

namespace Descent.Tests.Optimization.Lessons;

/// <summary>The lab's lessons against hand-derived truths: on a quadratic, GD multiplies each eigendirection by 1 − η·λ.</summary>
public class LessonTests
{
    [Fact]
    public void TheQuadraticPresetHasEigenvaluesOneAndKappaAndItsStabilityBound()
    {
        var s = Surface.Preset("quadratic", condition: 10);
        var q = Assert.IsType<QuadraticAnalysis>(s.Quadratic);
        Assert.Equal(1, q.Eigenvalues[0], 12);
        Assert.Equal(10, q.Eigenvalues[1], 12);
        Assert.Equal(0.2, q.StabilityBound, 12);
        Assert.Equal(10, q.ConditionNumber, 12);
        Assert.Equal(2.0 / 11, q.OptimalLearningRate!.Value, 12);
        Assert.Equal([0.85, 0.5], q.GradientDescentRates(0.15), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void GradientDescentOnTheQuadraticShrinksEachAxisByOneMinusEtaLambda()
    {
        var s = Surface.Preset("quadratic", condition: 10);
        var path = Race.Run(s, -2.5, 1.5, [new OptimizerSetting("gd", 0.15)], new RaceOptions { Steps = 30, Tolerance = 0 })[0];
        Assert.Equal(31, path.X.Length);
        for (int k = 0; k <= 30; k++)
        {
            Assert.Equal(-2.5 * Math.Pow(0.85, k), path.X[k], 12);
            Assert.Equal(1.5 * Math.Pow(-0.5, k), path.Y[k], 12);
            Assert.Equal(0.5 * (path.X[k] * path.X[k] + 10 * path.Y[k] * path.Y[k]), path.Loss[k], 12);
        }
        Assert.Equal(RaceOutcome.Ran, path.Outcome);
    }

    [Fact]
    public void AboveTheStabilityBoundGradientDescentDiverges()
    {
        var s = Surface.Preset("quadratic", condition: 10);
        var paths = Race.Run(s, -2.5, 1.5, [new OptimizerSetting("gd", 0.19), new OptimizerSetting("gd", 0.21)], new RaceOptions { Steps = 2000 });
        Assert.Equal(RaceOutcome.Converged, paths[0].Outcome); // |1 − 0.19·10| = 0.9 < 1
        Assert.Equal(RaceOutcome.Diverged, paths[1].Outcome);  // |1 − 0.21·10| = 1.1 > 1
        Assert.Contains("diverged", paths[1].Message);
    }

    [Fact]
    public void ARotatedQuadraticHasItsEigenvectorsAndGdFollowsThem()
    {
        // x² + xy + y²: H = [[2, 1], [1, 2]], λ = 1 along (1, −1)/√2 and 3 along (1, 1)/√2.
        var s = Surface.FromExpression("x^2 + x*y + y^2");
        var q = s.Quadratic!;
        Assert.Equal(1, q.Eigenvalues[0], 12);
        Assert.Equal(3, q.Eigenvalues[1], 12);
        Assert.Equal(1 / Math.Sqrt(2), Math.Abs(q.Eigenvectors[0][0]), 12);
        Assert.Equal(-1, Math.Sign(q.Eigenvectors[0][0] * q.Eigenvectors[0][1]));
        Assert.Equal(1, Math.Sign(q.Eigenvectors[1][0] * q.Eigenvectors[1][1]));
        // From (1, 1), on the λ = 3 eigenvector, each step multiplies the position by 1 − 3η.
        var path = Race.Run(s, 1, 1, [new OptimizerSetting("gd", 0.5)], new RaceOptions { Steps = 10, Tolerance = 0 })[0];
        for (int k = 0; k <= 10; k++)
        {
            Assert.Equal(Math.Pow(-0.5, k), path.X[k], 12);
            Assert.Equal(Math.Pow(-0.5, k), path.Y[k], 12);
        }
    }

    [Fact]
    public void MomentumConvergesAtTheLargerRootOfItsCharacteristicPolynomial()
    {
        // λ = 1, η = 0.1, μ = 0.1: z² − (1 + μ − ηλ)z + μ = z² − z + 0.1, roots (1 ± √0.6)/2; the larger is 0.887298…
        var s = Surface.Preset("quadratic", condition: 10);
        double expected = (1 + Math.Sqrt(0.6)) / 2;
        Assert.Equal(expected, s.Quadratic!.MomentumRates(0.1, 0.1)[0], 12);
        Assert.Equal(s.Quadratic.GradientDescentRates(0.1), s.Quadratic.MomentumRates(0.1, 0), (a, b) => Math.Abs(a - b) < 1e-12);
        var path = Race.Run(s, -2.5, 1.5, [new OptimizerSetting("momentum", 0.1, Beta1: 0.1)], new RaceOptions { Steps = 120, Tolerance = 0 })[0];
        Assert.Equal(expected, path.X[120] / path.X[119], 6);
    }

    [Fact]
    public void TheSeedSurfaceHasHessianFourAndSix()
    {
        var s = Surface.Preset("seed");
        Assert.Equal(["w1", "w2"], s.Variables);
        Assert.Equal([4.0, 6.0], s.Quadratic!.Eigenvalues);
        Assert.Equal(1.0 / 3, s.Quadratic.StabilityBound, 12);
        Assert.Equal((8.0, -12.0), s.Gradient(2, -2));
    }

    [Fact]
    public void TheSaddleHasANegativeEigenvalueAndGdEscapesAlongIt()
    {
        var s = Surface.Preset("saddle");
        Assert.Equal([-2.0, 2.0], s.Quadratic!.Eigenvalues);
        Assert.Equal(1.2, s.Quadratic.GradientDescentRates(0.1)[0], 12); // |1 + 0.2| > 1: the y direction grows
        var path = Race.Run(s, -1.8, 0.05, [new OptimizerSetting("gd", 0.1)], new RaceOptions { Steps = 200 })[0];
        Assert.Equal(RaceOutcome.Diverged, path.Outcome);
    }

    [Fact]
    public void NonQuadraticPresetsHaveNoAnalysisAndEveryOptimizerRuns()
    {
        foreach (var name in Surface.PresetNames.Where(n => n is "rosenbrock" or "himmelblau" or "beale"))
        {
            var s = Surface.Preset(name);
            Assert.Null(s.Quadratic);
            Assert.Equal(0, s.Value(s.Minimum![0], s.Minimum[1]), 12);
            var paths = Race.Run(s, s.Start[0], s.Start[1], OptimizerSetting.Kinds.Select(k => new OptimizerSetting(k, 1e-3)).ToArray());
            Assert.All(paths, p => Assert.True(p.Loss[^1] <= p.Loss[0], $"{name} {p.Setting.Label}: {p.Loss[0]} → {p.Loss[^1]}"));
        }
        var adam = Race.Run(Surface.Preset("rosenbrock"), -1.5, 2.5, [new OptimizerSetting("adam", 0.05)], new RaceOptions { Steps = 3000 })[0];
        Assert.True(adam.Loss[^1] < 1e-3, $"Adam on Rosenbrock ends at {adam.Loss[^1]}");
    }

    [Fact]
    public void TheGridRunsFromTheBottomRowAndTheLeftColumn()
    {
        var s = Surface.FromExpression("x + 10*y", [0, 1, 0, 2]);
        var g = s.Grid(3, 2);
        Assert.Equal([0, 0.5, 1, 20, 20.5, 21], g);
    }

    [Fact]
    public void BadSurfacesSayWhatIsWrong()
    {
        var three = Assert.Throws<SurfaceException>(() => Surface.FromExpression("x*y*z"));
        Assert.Contains("two variables", three.Message);
        Assert.Contains("x, y, z", three.Message);
        Assert.Throws<ExpressionException>(() => Surface.FromExpression("x^2 +* y"));
        Assert.Throws<SurfaceException>(() => Surface.Preset("banana"));
        Assert.Throws<ArgumentException>(() => Race.Run(Surface.Preset("seed"), 0, 0, [new OptimizerSetting("gd", -1)]));
        Assert.Throws<ArgumentException>(() => Race.Run(Surface.Preset("seed"), 0, 0, [new OptimizerSetting("sgdx", 0.1)]));
    }

    [Fact]
    public void APlateauIsReportedAndCanStopTheRun()
    {
        // GD with η = 0.01 on ½(x² + 10y²): the loss ≈ 3.1·0.98ᵏ, its slope ≈ 0.06·0.98ᵏ falls below 1e-4 near k ≈ 320,
        // long before the loss is within 1e-10 of 0 (k ≈ 1200).
        var s = Surface.Preset("quadratic", condition: 10);
        var noStop = Race.Run(s, -2.5, 1.5, [new OptimizerSetting("gd", 0.01)], new RaceOptions { Steps = 3000, PlateauTolerance = 1e-4 })[0];
        Assert.InRange(noStop.PlateauStep!.Value, 280, 360);
        Assert.Equal(RaceOutcome.Converged, noStop.Outcome);
        var stop = Race.Run(s, -2.5, 1.5, [new OptimizerSetting("gd", 0.01)], new RaceOptions { Steps = 3000, PlateauTolerance = 1e-4, StopOnPlateau = true })[0];
        Assert.Equal(RaceOutcome.Plateau, stop.Outcome);
        Assert.Equal(noStop.PlateauStep!.Value + 1, stop.X.Length);
    }

    [Theory]
    [InlineData(0.3, LineVerdict.Converging)]
    [InlineData(0.7, LineVerdict.OscillatingConverging)]
    [InlineData(1.0, LineVerdict.Oscillating)]
    [InlineData(1.5, LineVerdict.Diverging)]
    public void OnWSquaredEachStepMultipliesByOneMinusTwoEta(double eta, LineVerdict verdict)
    {
        var run = LineLesson.Run("w^2", eta, 2, steps: 20);
        Assert.Equal(verdict, run.Verdict);
        for (int k = 0; k < run.W.Length; k++)
        {
            Assert.Equal(2 * Math.Pow(1 - 2 * eta, k), run.W[k], 9);
            Assert.Equal(2 * run.W[k], run.Slope[k], 9);
        }
    }

    [Fact]
    public void TheLineLessonRefusesTwoVariablesAndFarDivergenceIsNamed()
    {
        Assert.Throws<SurfaceException>(() => LineLesson.Run("x*y", 0.1, 1));
        var run = LineLesson.Run("w^4", 0.5, 3, steps: 50); // w − 2w³ blows up from 3
        Assert.Equal(LineVerdict.Diverging, run.Verdict);
    }
}
