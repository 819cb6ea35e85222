using Descent.Learning.Lessons;
using Descent.Optimization.Lessons;

namespace Descent.Tests.Learning.Lessons;

public class PlaygroundTests
{
    [Fact]
    public void TheBoundarySeparatesTheMoonsAfterTraining()
    {
        var play = new Playground(new PlaygroundSettings { Dataset = "moons", Noise = 0.1, Seed = 3 });
        Assert.Equal(200, play.Train.Count + play.Test.Count);
        play.Step(120);
        Assert.Equal(121, play.TrainLoss.Count);
        Assert.True(play.TrainLoss[^1] < 0.2 * play.TrainLoss[0], $"train loss {play.TrainLoss[0]} → {play.TrainLoss[^1]}");
        Assert.True(play.TestAccuracy > 0.9, $"test accuracy {play.TestAccuracy}");
        // The upper moon (class 0) is around (0, 1), the lower one (class 1) around (1, −0.5).
        var grid = play.Boundary(40);
        double At(double x, double y)
        {
            int c = (int)Math.Round((x - play.Bounds[0]) / (play.Bounds[1] - play.Bounds[0]) * 39);
            int r = (int)Math.Round((y - play.Bounds[2]) / (play.Bounds[3] - play.Bounds[2]) * 39);
            return grid[r * 40 + c];
        }
        Assert.True(At(0, 1) < 0.2, $"p(class 1) at (0, 1) = {At(0, 1)}");
        Assert.True(At(1, -0.5) > 0.8, $"p(class 1) at (1, −0.5) = {At(1, -0.5)}");
    }

    [Fact]
    public void TheSameSettingsGiveTheSameRun()
    {
        var settings = new PlaygroundSettings { Dataset = "xor", Hidden = [4], Optimizer = new OptimizerSetting("gd", 0.3), BatchSize = 8, L2 = 0.001, Seed = 5 };
        var a = new Playground(settings);
        var b = new Playground(settings);
        a.Step(5);
        b.Step(3);
        b.Step(2);
        Assert.Equal(a.TrainLoss, b.TrainLoss);
        Assert.Equal(a.Boundary(10), b.Boundary(10));
    }

    [Fact]
    public void EveryDatasetHasTwoClassesAndBadSettingsAreNamed()
    {
        foreach (var name in PlaygroundSettings.DatasetNames)
        {
            var d = Playground.Make(name, 100, 0.1, 1);
            Assert.Equal(100, d.Count);
            Assert.Equal([0, 1], d.GetLabels().Distinct().Order());
        }
        Assert.Contains("dataset", Assert.Throws<ArgumentException>(() => new Playground(new PlaygroundSettings { Dataset = "stars" })).Message);
        Assert.Contains("activation", Assert.Throws<ArgumentException>(() => new Playground(new PlaygroundSettings { Activation = "cube" })).Message);
    }

    [Fact]
    public void AHugeLearningRateIsReportedAsDiverged()
    {
        var play = new Playground(new PlaygroundSettings { Optimizer = new OptimizerSetting("gd", 1e6) });
        play.Step(20);
        Assert.True(play.Diverged);
    }
}
