// No using line: the snippets compile with the global usings the Descent package gives a project with ImplicitUsings
// (src/Descent/build/Descent.props, imported by this test project as the package imports it into a consumer's).
namespace Descent.Tests;

/// <summary>The code of README.md's "Using the library" section, run with its stated results.</summary>
public class ReadmeExamplesTests
{
    [Fact]
    public void AutodiffLoop()
    {
        var trajectory = new List<double>();
        var w = Tensor.Scalar(10.0).WithGrad();
        for (int step = 0; step < 5; step++)
        {
            var loss = w * w;
            loss.Backward();
            w.SubtractInPlace(w.Grad!, 0.3);
            w.ZeroGrad();
            trajectory.Add(w.Item());
        }
        double[] expected = [4, 1.6, 0.64, 0.256, 0.1024];
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i], trajectory[i], 1e-12);
    }

    [Fact]
    public void MinimizeTextAndTensors()
    {
        var f = TensorBackend.ToFunction(Expr.Parse("2*w1^2 + 3*w2^2"));
        var result = Minimizer.Minimize(f, [2.0, 4.0], Optimizers.GradientDescent<double>(0.1), new MaxSteps(5));
        Assert.Equal(1.2, result.Trajectory[1].Point[0], 1e-12);
        Assert.Equal(1.6, result.Trajectory[1].Point[1], 1e-12);
        Assert.Equal(0.15552, result.Point[0], 1e-12);
        Assert.Equal(0.04096, result.Point[1], 1e-12);
        var lbfgs = Lbfgs.Minimize(TensorBackend.ToFunction(Expr.Parse("(1-x)^2 + 100*(y-x^2)^2")), [-1.2, 1.0]);
        Assert.Equal(1, lbfgs.Point[0], 1e-8);
        Assert.Equal(1, lbfgs.Point[1], 1e-8);
        Assert.False(string.IsNullOrEmpty(lbfgs.StopReason.Message));
    }

    [Fact]
    public void FitAModel()
    {
        var data = SyntheticData.SeedLinear();
        var model = new LinearRegression<double>(seed: 1);
        var trainer = new Trainer<double>(model, (p, y) => Loss.HalfMeanSquaredError(p, y),
            Optimizers.GradientDescent<double>(8e-3), new TrainerOptions { Epochs = 5000 });
        var history = trainer.Fit(DataLoader<double>.FullBatch(data));
        Assert.Equal(0.5, model.Weight.Item(), 2e-3);
        Assert.Equal(5, model.Bias.Item(), 2e-3);
        Assert.Equal(5000, history.Epochs.Count);
        Assert.Equal(StopKind.MaxSteps, history.StopReason!.Kind);
    }
}
