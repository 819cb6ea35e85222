namespace Descent.Cli.Tests;

public class SweepAndPlotTests
{
    [Fact]
    public void SweepMinimizeFindsTheBestDecade()
    {
        var (code, json) = Cli.Json("sweep", "minimize", "w^2", "--start", "w=10", "--lr", "1e-4..1", "--steps", "50");
        Assert.Equal(0, code);
        Assert.Equal(5, json["trials"]!.AsArray().Count);
        Assert.Equal(0.1, (double)json["best"]!["learning_rate"]!, 12);
        var (code2, output, _) = Cli.Run("sweep", "minimize", "w^2", "--start", "w=10", "--lr", "1e-3..1", "--random", "3", "--seed", "2");
        Assert.Equal(0, code2);
        Assert.Contains("best: learning rate", output, StringComparison.Ordinal);
    }

    [Fact]
    public void SweepFitWithFoldsReportsDivergedTrials()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        string plot = Path.Combine(folder, "sweep.png");
        var (code, json) = Cli.Json("sweep", "fit", "--lr", "1e-3..1e-1", "--folds", "3", "--epochs", "100", "--plot", plot);
        Assert.Equal(0, code);
        Assert.Equal("diverged", (string)json["trials"]![2]!["status"]!);
        Assert.Equal("NaN", (string)json["trials"]![2]!["score"]!);
        Assert.Equal(0.01, (double)json["best"]!["learning_rate"]!, 12);
        Assert.True(File.Exists(plot));
    }

    [Fact]
    public void BadRangeIsAUsageError()
    {
        var (code, _, error) = Cli.Run("sweep", "minimize", "w^2", "--start", "w=1", "--lr", "1-5");
        Assert.Equal(2, code);
        Assert.Contains("LOW..HIGH", error, StringComparison.Ordinal);
    }

    [Fact]
    public void PlotDrawsASavedRun()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        string run = Path.Combine(folder, "run.json");
        var (_, output, _) = Cli.Run("minimize", "w^2", "--start", "w=10", "--lr", "0.3", "--steps", "5", "--json");
        File.WriteAllText(run, output);
        var (code, json) = Cli.Json("plot", run, "--out", Path.Combine(folder, "run.svg"));
        Assert.Equal(0, code);
        Assert.Equal("trajectory", (string)json["kind"]!);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(folder, "run.svg")), StringComparison.Ordinal);
        var (missing, _, _) = Cli.Run("plot", Path.Combine(folder, "none.json"));
        Assert.Equal(3, missing);
    }

    [Fact]
    public void MinimizePlotsOneAndTwoVariables()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        var (code, _, _) = Cli.Run("minimize", "w^2", "--start", "w=10", "--lr", "0.3", "--steps", "5", "--plot", Path.Combine(folder, "a.png"));
        var (code2, _, _) = Cli.Run("minimize", "x^2 + 10*y^2", "--start", "x=2,y=1", "--lr", "0.05", "--steps", "20", "--plot", Path.Combine(folder, "b.png"));
        Assert.Equal(0, code);
        Assert.Equal(0, code2);
        Assert.True(File.Exists(Path.Combine(folder, "a.png")) && File.Exists(Path.Combine(folder, "b.png")));
    }
}
