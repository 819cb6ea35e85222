using Descent.Cli.Commands;
using Descent.Tracking;

namespace Descent.Cli.Tests;

/// <summary>The figures the commands draw: the demo lessons, fit --plot, runs compare --plot, and runs show's text.</summary>
public sealed class FigureCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-cli-figures-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void TheParaboloidLessonIsTheReferenceBowl()
    {
        var (code, output, _) = Cli.Run("demo", "paraboloid", "--out", _dir);
        Assert.Equal(0, code);
        // 2·w1² + 3·w2² from (2, 4), lr 0.1: w1 × 0.6 and w2 × 0.4 a step, so (2·0.6⁵, 4·0.4⁵) after 5 steps.
        Assert.Contains("2·w1² + 3·w2² from (2, 4), learning rate 0.1: after 5 steps (0.15552, 0.04096)", output, StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(_dir, "paraboloid.png")).Length > 5000);
        Assert.True(new FileInfo(Path.Combine(_dir, "paraboloid-distance.png")).Length > 5000);
    }

    [Fact]
    public void TheTeachingLessonsWriteTheirNewFigures()
    {
        DemoCommand.CnnLesson.Value = new(Steps: 1, TestImages: 32); // the CNN lesson shrunk for this call (CnnDemoTests checks it)
        var (code, json) = Cli.Json("demo", "all", "--out", _dir);
        DemoCommand.CnnLesson.Value = null;
        Assert.Equal(0, code);
        var files = json["demos"]!.AsArray().SelectMany(d => d!["figures"]!.AsArray()).Select(f => Path.GetFileName((string)f!["path"]!)).ToList();
        foreach (var name in new[] { "optimizers.png", "linear-regression-fit.png", "logistic-regression-boundary.png", "logistic-regression.png", "gradient-free.png" })
        {
            Assert.Contains(name, files);
            Assert.True(new FileInfo(Path.Combine(_dir, name)).Length > 5000, name);
        }
        var captions = json["demos"]!.AsArray().SelectMany(d => d!["figures"]!.AsArray()).Select(f => (string)f!["caption"]!).ToList();
        Assert.Contains(captions, c => c.Contains("counted in function evaluations", StringComparison.Ordinal));
    }

    [Fact]
    public void TheOptimizersLessonRunsFourOptimizersFromOneStart()
    {
        var (code, output, _) = Cli.Run("demo", "optimizers", "--out", _dir);
        Assert.Equal(0, code);
        foreach (var name in new[] { "gradient descent, lr 0.09", "momentum 0.8, lr 0.03", "Nesterov 0.8, lr 0.03", "Adam, lr 0.3" })
            Assert.Contains(name, output, StringComparison.Ordinal);
        // Gradient descent on w1² + 10·w2² multiplies w1 by 1 − 2·0.09 = 0.82 a step: −4·0.82⁴⁰ after 40 steps.
        Assert.Contains($"({Descent.Cli.Infrastructure.Points.Show(-4 * Math.Pow(0.82, 40))},", output, StringComparison.Ordinal);
    }

    [Fact]
    public void FitPlotOfAClassifierDrawsAccuracyToo()
    {
        string plot = Path.Combine(_dir, "fit.png");
        var (code, output, _) = Cli.Run("fit", "--data", "synthetic:blobs?n=120", "--val-split", "0.25", "--epochs", "10", "--plot", plot);
        Assert.Equal(0, code);
        Assert.Contains("Loss curve written to", output, StringComparison.Ordinal);
        Assert.True(new FileInfo(plot).Length > 5000);
        string svg = Path.Combine(_dir, "fit.svg");
        Assert.Equal(0, Cli.Run("fit", "--data", "synthetic:blobs?n=120", "--val-split", "0.25", "--epochs", "10", "--plot", svg).Code);
        Assert.Contains("validation accuracy", File.ReadAllText(svg), StringComparison.Ordinal);
    }

    [Fact]
    public void PlotOfASavedClassifierRunDrawsItsAccuracy()
    {
        var (code, json) = Cli.Json("fit", "--data", "synthetic:blobs?n=120", "--val-split", "0.25", "--epochs", "6");
        Assert.Equal(0, code);
        var history = json["history"]!.AsArray();
        Assert.All(history, h => Assert.InRange((double)h!["val_accuracy"]!, 0, 1));
        Assert.Equal((double)json["metrics"]!["val_accuracy"]!, (double)history[^1]!["val_accuracy"]!, 12);
        string run = Path.Combine(_dir, "run.json");
        File.WriteAllText(run, json.ToJsonString());
        string svg = Path.Combine(_dir, "run.svg");
        Assert.Equal(0, Cli.Run("plot", run, "--out", svg).Code);
        Assert.Contains("validation accuracy", File.ReadAllText(svg), StringComparison.Ordinal);
        // A regression run has no accuracy in its history.
        var (_, reference) = Cli.Json("fit", "--epochs", "3");
        Assert.All(reference["history"]!.AsArray(), h => Assert.Null(h!["val_accuracy"]));
    }

    [Fact]
    public void RunsShowPrintsAmpersandsAsTheyAre()
    {
        string db = Path.Combine(_dir, "runs.db");
        Assert.Equal(0, Cli.Run("fit", "--data", "synthetic:blobs?n=60&classes=3", "--epochs", "2", "--track", db).Code);
        var (code, output, _) = Cli.Run("runs", "show", "1", "--track", db);
        Assert.Equal(0, code);
        Assert.Contains("synthetic:blobs?n=60&classes=3", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0026", output, StringComparison.Ordinal);
    }

    [Fact]
    public void RunsCompareLegendsNameTheSettingsThatDiffer()
    {
        string db = Path.Combine(_dir, "runs.db");
        Assert.Equal(0, Cli.Run("fit", "--epochs", "20", "--lr", "0.001", "--track", db).Code);
        Assert.Equal(0, Cli.Run("fit", "--epochs", "20", "--lr", "0.004", "--track", db).Code);
        Assert.Equal(0, Cli.Run("fit", "--epochs", "20", "--lr", "0.004", "--optimizer", "adam", "--track", db).Code);
        using (var store = RunStore.Open(db))
        {
            var runs = store.ListRuns().OrderBy(r => r.Id).ToList();
            var differing = RunsCommand.DifferingSettings(runs);
            Assert.Equal(["optimizer", "lr"], differing);
            Assert.Equal("run 1: optimizer gd, lr 0.001", RunsCommand.Legend(runs[0], differing));
            Assert.Equal("run 3: optimizer adam, lr 0.004", RunsCommand.Legend(runs[2], differing));
        }
        string svg = Path.Combine(_dir, "compare.svg");
        Assert.Equal(0, Cli.Run("runs", "compare", "1", "2", "3", "--track", db, "--plot", svg).Code);
        string text = File.ReadAllText(svg);
        Assert.Contains("run 2: optimizer gd, lr 0.004", text, StringComparison.Ordinal);
    }
}
