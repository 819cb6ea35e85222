namespace Descent.Cli.Tests;

public class CommandTests
{
    [Fact]
    public void MinimizeGivesTheReferenceTrajectory()
    {
        var (code, json) = Cli.Json("minimize", "w^2", "--start", "w=10", "--lr", "0.3", "--steps", "5");
        Assert.Equal(0, code);
        var w = json["trajectory"]!.AsArray().Select(t => (double)t!["point"]!["w"]!).ToArray();
        Assert.Equal([10, 4, 1.6, 0.64, 0.256, 0.1024], w.Select(v => Math.Round(v, 12)));
        Assert.Equal("gd", (string)json["optimizer"]!);
        Assert.Equal(0.1024, (double)json["final"]!["point"]!["w"]!, 12);
        Assert.Equal("max-steps", (string)json["stop_reason"]!);
        Assert.Equal(6, (long)json["evaluations"]!["function"]!);
    }

    [Fact]
    public void MinimizeHumanOutputShowsTheTable()
    {
        var (code, output, _) = Cli.Run("minimize", "w^2", "--start", "w=10", "--lr", "0.3", "--steps", "5");
        Assert.Equal(0, code);
        Assert.Contains("0.1024", output, StringComparison.Ordinal);
        Assert.Contains("final: w = 0.1024", output, StringComparison.Ordinal);
    }

    [Fact]
    public void LearningRateOneOscillates()
    {
        var (code, json) = Cli.Json("minimize", "w^2", "--start", "w=10", "--lr", "1.0", "--steps", "20");
        Assert.Equal(0, code);
        Assert.Equal("oscillating", (string)json["stop_reason"]!);
    }

    [Fact]
    public void LearningRateAboveOneDiverges()
    {
        var (code, json) = Cli.Json("minimize", "w^2", "--start", "w=10", "--lr", "1.01", "--steps", "2000", "--log-every", "100");
        Assert.Equal(4, code);
        Assert.Equal("diverged", (string)json["stop_reason"]!);
        Assert.True(json["trajectory"]!.AsArray().Count < 10);
    }

    [Fact]
    public void MinimizeWithLbfgsAndSettings()
    {
        var (code, json) = Cli.Json("minimize", "(x-1)^2 + 10*(y+2)^2", "--start", "x=0,y=0", "--optimizer", "lbfgs", "--steps", "50");
        Assert.Equal(0, code);
        Assert.Equal(1, (double)json["final"]!["point"]!["x"]!, 6);
        Assert.Equal(-2, (double)json["final"]!["point"]!["y"]!, 6);
        var (code2, json2) = Cli.Json("minimize", "w^2", "--start", "w=10", "--optimizer", "adam", "--lr", "0.5", "--schedule", "step:factor=0.5,every=200", "--stop", "grad-below:1e-3", "--steps", "1000");
        Assert.Equal(0, code2);
        Assert.True(Math.Abs((double)json2["final"]!["point"]!["w"]!) < 1e-2);
    }

    [Theory]
    [InlineData("minimize", "w^2", "--start", "w=1", "--bogus")]
    [InlineData("minimize", "w^2", "--start", "w=abc")]
    [InlineData("minimize", "w^2", "--start", "w=1", "--optimizer", "sgdx")]
    [InlineData("minimize", "w^2", "--start", "w=1", "--schedule", "step:every=10,bad=1")]
    [InlineData("minimize", "w^2", "--start", "w=1", "--stop", "nonsense:1")]
    [InlineData("minimize", "w^2+v", "--start", "w=1")]
    [InlineData("fit", "--model", "tree")]
    public void UsageErrorsExitWithTwoAndNoStackTrace(params string[] args)
    {
        var (code, output, error) = Cli.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.StartsWith("error:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void BadOptionMessagesNameTheOptionAndTheForm()
    {
        var (_, _, error) = Cli.Run("minimize", "w^2", "--start", "w=1", "--stop", "nonsense:1");
        Assert.Contains("--stop", error, StringComparison.Ordinal);
        Assert.Contains("max-steps:10000", error, StringComparison.Ordinal);
    }

    [Fact]
    public void BadExpressionExitsWithThreeAndTheColumn()
    {
        var (code, output, error) = Cli.Run("minimize", "w^2 +", "--start", "w=1");
        Assert.Equal(3, code);
        Assert.Equal("", output);
        Assert.Contains("column 6", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDataFileExitsWithThree()
    {
        var (code, _, error) = Cli.Run("fit", "--data", "/no/such/file.csv");
        Assert.Equal(3, code);
        Assert.Contains("--data", error, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultFitReproducesTheReferenceLine()
    {
        var (code, json) = Cli.Json("fit", "--log-every", "1000");
        Assert.Equal(0, code);
        Assert.Equal("linear", (string)json["model"]!);
        Assert.Equal(0.5, (double)json["parameters"]!["weight"]![0]![0]!, 2);
        Assert.Equal(5, (double)json["parameters"]!["bias"]![0]!, 2);
        Assert.Equal(5000, (int)json["epochs_run"]!);
        Assert.Equal("max-epochs", (string)json["stop_reason"]!);
        Assert.Equal(6, json["history"]!.AsArray().Count);
        Assert.Equal(0.008, (double)json["history"]![0]!["learning_rate"]!, 12);
        Assert.True((double)json["train_seconds"]! <= (double)json["seconds"]!);
    }

    [Fact]
    public void FitHumanOutputAndSyntheticClassification()
    {
        var (code, output, _) = Cli.Run("fit");
        Assert.Equal(0, code);
        Assert.Contains("weight", output, StringComparison.Ordinal);
        Assert.Contains("0.5001", output, StringComparison.Ordinal);
        var (code2, json) = Cli.Json("fit", "--data", "synthetic:blobs?n=200", "--epochs", "50", "--lr", "0.1", "--val-split", "0.25", "--seed", "1");
        Assert.Equal(0, code2);
        Assert.Equal("logistic", (string)json["model"]!);
        Assert.True((double)json["metrics"]!["val_accuracy"]! > 0.8);
        Assert.NotNull(json["history"]![0]!["val_loss"]);
    }

    [Fact]
    public void FitReadsACsvAndCheckpoints()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        string csv = Path.Combine(folder, "d.csv");
        File.WriteAllText(csv, "x,y\n1,5.5\n2,6\n3,6.5\n4,7\n5,7.5\n6,8\n8,9\n");
        string checkpoint = Path.Combine(folder, "c.ckpt");
        var (code, json) = Cli.Json("fit", "--data", csv, "--target", "y", "--loss", "half-mse", "--lr", "8e-3", "--epochs", "3000", "--init", "zeros", "--scale", "none", "--checkpoint", checkpoint);
        Assert.Equal(0, code);
        Assert.True(File.Exists(checkpoint));
        Assert.Equal(0.5, (double)json["parameters"]!["weight"]![0]![0]!, 1);
        var (code2, json2) = Cli.Json("fit", "--data", csv, "--target", "y", "--loss", "half-mse", "--lr", "8e-3", "--epochs", "5000", "--init", "zeros", "--scale", "none", "--resume", checkpoint);
        Assert.Equal(0, code2);
        // 3000 + 2000 resumed epochs are the uninterrupted 5000 from w = 0: PyTorch's float64 result, every bit.
        Assert.Equal(4.999207659943997, (double)json2["parameters"]!["bias"]![0]!);
        Assert.Equal(0.5001497128481164, (double)json2["parameters"]!["weight"]![0]![0]!);
        Assert.Equal(5000, (int)json2["epochs_run"]!);
    }

    [Fact]
    public void FitDivergesWithExitFour()
    {
        var (code, json) = Cli.Json("fit", "--lr", "1", "--epochs", "500");
        Assert.Equal(4, code);
        Assert.Equal("diverged", (string)json["stop_reason"]!);
    }

    [Fact]
    public void CancelledFitExitsWithFive()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var stdout = new StringWriter();
        int code = Program.Run(["fit", "--json"], stdout, new StringWriter(), cts.Token);
        Assert.Equal(5, code);
        Assert.Contains("\"stop_reason\": \"interrupted\"", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void GradByEveryMethodAgrees()
    {
        var (code, json) = Cli.Json("grad", "x^2*sin(y)", "--at", "x=1.5,y=-2", "--method", "all");
        Assert.Equal(0, code);
        Assert.Equal(2.25 * Math.Sin(-2), (double)json["value"]!, 12);
        Assert.Equal(3 * Math.Sin(-2), (double)json["gradient"]!["x"]!, 10);
        Assert.Equal(4, json["methods"]!.AsObject().Count);
        Assert.True((double)json["max_disagreement"]! < 1e-6);
        var (code2, output, _) = Cli.Run("grad", "x^2", "--at", "x=3");
        Assert.Equal(0, code2);
        Assert.Contains("∂f/∂x = 6", output, StringComparison.Ordinal);
    }

    [Fact]
    public void DiffPrintsTheDerivativeAndLatex()
    {
        var (code, json) = Cli.Json("diff", "x^3", "--wrt", "x");
        Assert.Equal(0, code);
        Assert.Equal("3*x^2", (string)json["derivative"]!);
        Assert.Contains("x^{2}", (string)json["latex"]!, StringComparison.Ordinal);
        var (code2, output, _) = Cli.Run("diff", "sin(x)", "--latex");
        Assert.Equal(0, code2);
        Assert.Contains("cos(x)", output, StringComparison.Ordinal);
        Assert.Contains(@"\cos", output, StringComparison.Ordinal);
    }

    [Fact]
    public void HessianClassifiesASaddle()
    {
        var (code, json) = Cli.Json("hessian", "x^2 - y^2", "--at", "x=0,y=0");
        Assert.Equal(0, code);
        Assert.Equal("saddle", (string)json["classification"]!);
        Assert.Equal(2, (double)json["hessian"]![0]![0]!, 9);
        Assert.Equal(-2, (double)json["eigenvalues"]![0]!, 9);
        var (_, output, _) = Cli.Run("hessian", "x^2 + y^2", "--at", "x=0,y=0");
        Assert.Contains("classification: minimum", output, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphWritesDotAndMermaid()
    {
        var (code, output, _) = Cli.Run("graph", "x*y + sin(x)", "--at", "x=1,y=2");
        Assert.Equal(0, code);
        Assert.StartsWith("digraph", output, StringComparison.Ordinal);
        var (code2, json) = Cli.Json("graph", "x*y", "--at", "x=1,y=2", "--format", "mermaid");
        Assert.Equal(0, code2);
        Assert.Contains("flowchart", (string)json["text"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void DemoWritesItsFigure()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        var (code, output, _) = Cli.Run("demo", "parabola", "--out", folder);
        Assert.Equal(0, code);
        Assert.Contains("10, 4, 1.6, 0.64, 0.256, 0.1024", output, StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(folder, "parabola.png")).Length > 1000);
    }

    [Fact]
    public void DemoAllWritesEveryFigureAndAnIndex()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        // The CNN lesson's training, shrunk for this call (a Debug build trains about 15× slower; CnnDemoTests checks it).
        Descent.Cli.Commands.DemoCommand.CnnLesson.Value = new(Steps: 1, TestImages: 32);
        var (code, json) = Cli.Json("demo", "all", "--out", folder);
        Descent.Cli.Commands.DemoCommand.CnnLesson.Value = null;
        Assert.Equal(0, code);
        var figures = json["demos"]!.AsArray().SelectMany(d => d!["figures"]!.AsArray()).Select(f => (string)f!["path"]!).ToList();
        Assert.True(figures.Count >= 9);
        Assert.All(figures, f => Assert.True(File.Exists(f), f));
        string index = File.ReadAllText(Path.Combine(folder, "index.html"));
        Assert.All(figures, f => Assert.Contains(Path.GetFileName(f), index, StringComparison.Ordinal));
    }

    [Fact]
    public void NonFiniteNumbersAreStrings()
    {
        Assert.Equal("\"NaN\"", Descent.Cli.Infrastructure.Json.Number(double.NaN).ToJsonString());
        Assert.Equal("\"-Infinity\"", Descent.Cli.Infrastructure.Json.Number(double.NegativeInfinity).ToJsonString());
        Assert.Equal("\"Infinity\"", Descent.Cli.Infrastructure.Json.Number(double.PositiveInfinity).ToJsonString());
    }
}
