using Descent.Optimization;
using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;
using Xunit.Abstractions;

namespace Descent.Tests.Optimization.Minimization;

/// <summary>Every method on Rosenbrock from (−1.2, 1), and the argument checks every method shares.</summary>
public class ReferenceTests(ITestOutputHelper output)
{
    private static readonly double[] Start = TestFunctions.RosenbrockStart;

    private void Report(MinimizeResult r) =>
        output.WriteLine($"{r.Method,-12} ({r.Point[0]:F8}, {r.Point[1]:F8})  f {r.Value:E2}  steps {r.StopReason.Step,5}  f-evals {r.FunctionEvaluations,6}  g-evals {r.GradientEvaluations,6}  {r.StopReason}");

    [Fact]
    public void SecondOrderAndQuasiNewtonReachTheMinimumTo1e8InUnder100Iterations()
    {
        foreach (var run in new[] { Lbfgs.Minimize(TestFunctions.Rosenbrock, Start, new AnyOf(new MaxSteps(100), new GradientNormBelow(1e-10))),
                                    Newton.Minimize(TestFunctions.Rosenbrock, Start, new AnyOf(new MaxSteps(100), new GradientNormBelow(1e-10))) })
        {
            Report(run);
            Assert.Equal(StopKind.GradientNormBelow, run.StopReason.Kind);
            Assert.True(run.StopReason.Step < 100);
            Assert.Equal(1, run.Point[0], 1e-8);
            Assert.Equal(1, run.Point[1], 1e-8);
        }
    }

    [Fact]
    public void ConjugateGradientConverges()
    {
        var run = ConjugateGradient.Minimize(TestFunctions.Rosenbrock, Start, new AnyOf(new MaxSteps(1000), new GradientNormBelow(1e-8)));
        Report(run);
        Assert.Equal(Behaviour.Converged, run.Behaviour);
        Assert.Equal(1, run.Point[0], 1e-6);
        Assert.Equal(1, run.Point[1], 1e-6);
    }

    [Fact]
    public void AdamAndMomentumConvergeInAFewThousandSteps()
    {
        var adam = Minimizer.Minimize(TestFunctions.Rosenbrock, Start, Optimizers.Adam<double>(0.01), new MaxSteps(5000), new MinimizeOptions { Method = "adam" });
        var momentum = Minimizer.Minimize(TestFunctions.Rosenbrock, Start, Optimizers.Sgd<double>(1e-3, momentum: 0.9), new MaxSteps(5000), new MinimizeOptions { Method = "momentum" });
        foreach (var run in new[] { adam, momentum })
        {
            Report(run);
            Assert.False(run.Diverged);
            Assert.Equal(1, run.Point[0], 0.05);
            Assert.Equal(1, run.Point[1], 0.1);
        }
    }

    [Fact]
    public void GradientFreeMethodsUnderTheSameBudget()
    {
        const int budget = 2000;
        var runs = new[]
        {
            RandomSearch.Minimize(TestFunctions.Rosenbrock, Start, new EvaluationBudget(budget), lower: [-2, -2], upper: [2, 2], seed: 1),
            GeneticAlgorithm.Minimize(TestFunctions.Rosenbrock, Start, new EvaluationBudget(budget), settings: new() { Lower = [-2.0, -2.0], Upper = [2.0, 2.0], Seed = 1 }),
            NelderMead.Minimize(TestFunctions.Rosenbrock, Start, new EvaluationBudget(budget)),
        };
        foreach (var run in runs)
        {
            Report(run);
            Assert.Equal(budget, run.FunctionEvaluations);
            Assert.Equal(0, run.GradientEvaluations);
            Assert.Equal(StopKind.EvaluationBudget, run.StopReason.Kind);
            Assert.True(run.Value < TestFunctions.Rosenbrock(Start[0], Start[1]));
            Assert.Equal(TestFunctions.Rosenbrock(run.Point[0], run.Point[1]), run.Value, 1e-12);
        }
        Assert.Equal(1, runs[2].Point[0], 1e-6);
        Assert.Equal(1, runs[2].Point[1], 1e-6);
        Assert.True(runs[2].Value < runs[1].Value && runs[2].Value < runs[0].Value, "Nelder–Mead beats the unguided searches");
    }

    public static TheoryData<string> Methods => ["gd+armijo", "lbfgs", "cg", "newton", "random", "genetic", "nelder-mead"];

    private static MinimizeResult Run(string method, Func<Tensor<double>, Tensor<double>> f, double[] start, MinimizeOptions? options = null) => method switch
    {
        "gd+armijo" => Minimizer.MinimizeWithLineSearch(f, start, options: options),
        "lbfgs" => Lbfgs.Minimize(f, start, options: options),
        "cg" => ConjugateGradient.Minimize(f, start, options: options),
        "newton" => Newton.Minimize(f, start, options: options),
        "random" => RandomSearch.Minimize(f, start, new EvaluationBudget(3000), options, radius: 0.2),
        "genetic" => GeneticAlgorithm.Minimize(f, start, new EvaluationBudget(3000), options, new() { Lower = [-5.0, -5.0], Upper = [5.0, 5.0] }),
        "nelder-mead" => NelderMead.Minimize(f, start, options: options),
        _ => throw new ArgumentException(method),
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void MaximizeFindsTheMaximumAndReportsF(string method)
    {
        // f = 7 − (x − 1)² − 2(y + 2)², maximum 7 at (1, −2).
        var result = Run(method, w => 7.0 - (w[0] - 1.0).Square() - 2.0 * (w[1] + 2.0).Square(), [0.0, 0.0], new MinimizeOptions { Maximize = true });
        double tolerance = method is "random" or "genetic" ? 0.05 : 1e-5;
        Assert.Equal(1, result.Point[0], tolerance);
        Assert.Equal(-2, result.Point[1], tolerance);
        Assert.True(result.Value is > 6.99 and <= 7);
        Assert.Equal(method, result.Method);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void BadInputsGiveClearArgumentExceptions(string method)
    {
        var empty = Assert.Throws<ArgumentException>(() => Run(method, TestFunctions.Rosenbrock, []));
        Assert.Contains("empty", empty.Message);
        var nan = Assert.Throws<ArgumentException>(() => Run(method, TestFunctions.Rosenbrock, [double.NaN, 1.0]));
        Assert.Contains("finite", nan.Message);
        var vector = Assert.Throws<ArgumentException>(() => Run(method, w => w.Square(), [1.0, 2.0]));
        Assert.Contains("scalar", vector.Message);
        Assert.Throws<ArgumentNullException>(() => Run(method, null!, [1.0]));
        Assert.Throws<ArgumentNullException>(() => Run(method, TestFunctions.Rosenbrock, null!));
    }

    [Fact]
    public void NamesAndLogEveryAreHonouredByTheNewMethods()
    {
        var result = Lbfgs.Minimize(TestFunctions.Rosenbrock, Start, new MaxSteps(25), new MinimizeOptions { LogEvery = 10, Names = ["x", "y"], Method = "mine" });
        Assert.Equal(["x", "y"], result.Names);
        Assert.Equal("mine", result.Method);
        Assert.Equal([0L, 10L, 20L, 25L], result.Trajectory.Select(p => p.Step));
        Assert.Throws<ArgumentException>(() => Lbfgs.Minimize(TestFunctions.Rosenbrock, Start, options: new MinimizeOptions { Names = ["x"] }));
    }

    [Fact]
    public void CancellationStopsCleanly()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        var result = NelderMead.Minimize(TestFunctions.Rosenbrock, Start, options: new MinimizeOptions { Cancellation = source.Token });
        Assert.Equal(StopKind.Cancelled, result.StopReason.Kind);
        Assert.Equal(0, result.StopReason.Step);
    }
}
