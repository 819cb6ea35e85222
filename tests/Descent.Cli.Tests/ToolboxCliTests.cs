using System.Text.Json.Nodes;

namespace Descent.Cli.Tests;

/// <summary>
/// The library's toolbox reached from the CLI (issue 23): optimizer options and wrappers, the extra schedules, the
/// two-phase and multi-setting sweeps, multi-start minima, evaluation budgets and the NaN-gradient note. Expected
/// values are derived by hand (gradient descent on w², whose step is w ← w − 2ηw) or by a textbook reference
/// implementation written here.
/// </summary>
public class ToolboxCliTests
{
    private static double Final(JsonNode json, string name = "w") => (double)json["final"]!["point"]![name]!;

    private static string Error(string[] args, int code = 2)
    {
        var (actual, output, error) = Cli.Run(args);
        Assert.True(actual == code, $"exit {actual}, expected {code}\nstdout: {output}\nstderr: {error}");
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void AmsGradMatchesTheReferenceAndDiffersFromAdam()
    {
        // PyTorch's Adam with amsgrad: the denominator uses the running maximum of the second moment.
        static double Reference(bool amsgrad)
        {
            double w = 1, m = 0, v = 0, vmax = 0, lr = 0.3, b1 = 0.9, b2 = 0.999, eps = 1e-8;
            for (int t = 1; t <= 20; t++)
            {
                double g = 2 * w;
                m = b1 * m + (1 - b1) * g;
                v = b2 * v + (1 - b2) * g * g;
                vmax = Math.Max(vmax, v);
                double second = amsgrad ? vmax : v;
                w -= lr * (m / (1 - Math.Pow(b1, t))) / (Math.Sqrt(second / (1 - Math.Pow(b2, t))) + eps);
            }
            return w;
        }
        var (code, ams) = Cli.Json("minimize", "w^2", "--start", "w=1", "--optimizer", "adam:amsgrad=true", "--lr", "0.3", "--steps", "20");
        var (_, adam) = Cli.Json("minimize", "w^2", "--start", "w=1", "--optimizer", "adam", "--lr", "0.3", "--steps", "20");
        Assert.Equal(0, code);
        Assert.Equal(Reference(true), Final(ams), 10);
        Assert.Equal(Reference(false), Final(adam), 10);
        Assert.True(Math.Abs(Reference(true) - Reference(false)) > 1e-6); // the maximum matters on this run
        var (_, adamw) = Cli.Json("minimize", "w^2", "--start", "w=1", "--optimizer", "adamw:amsgrad=true,weight-decay=0", "--lr", "0.3", "--steps", "20");
        Assert.Equal(Reference(true), Final(adamw), 10);
        Assert.Contains("amsgrad must be true or false", Error(["minimize", "w^2", "--start", "w=1", "--optimizer", "adam:amsgrad=maybe"]), StringComparison.Ordinal);
    }

    [Fact]
    public void ClippingAccumulationAndSkippingWrapTheOptimizer()
    {
        // w² from 10 with lr 0.1: the gradient 20 clipped to 1 moves w by 0.1 a step.
        var (_, clipped) = Cli.Json("minimize", "w^2", "--start", "w=10", "--lr", "0.1", "--steps", "3", "--clip-value", "1");
        Assert.Equal(9.7, Final(clipped), 12);
        // The global norm of (2x, 2y) = (6, 8) is 10: clipped to 1 the step is 0.1·(0.6, 0.8).
        var (_, normed) = Cli.Json("minimize", "x^2 + y^2", "--start", "x=3,y=4", "--lr", "0.1", "--steps", "1", "--clip-norm", "1");
        Assert.Equal(2.94, Final(normed, "x"), 12);
        Assert.Equal(3.92, Final(normed, "y"), 12);
        // Accumulating 2: no move on the first step, then the mean gradient (20) once: 10 → 8, then 8 → 6.4.
        var (_, accumulated) = Cli.Json("minimize", "w^2", "--start", "w=10", "--lr", "0.1", "--steps", "4", "--accumulate", "2");
        var trajectory = accumulated["trajectory"]!.AsArray().Select(t => (double)t!["point"]!["w"]!).ToArray();
        Assert.Equal([10, 10, 8, 8, 6.4], trajectory.Select(v => Math.Round(v, 12)));
        // |w| = sqrt(w²) from 0.1 with lr 0.05 reaches 0, where autodiff's gradient is 0/0: skipped, the run ends there.
        var (skipCode, skipped) = Cli.Json("minimize", "sqrt(w^2)", "--start", "w=0.1", "--lr", "0.05", "--steps", "5", "--skip-nonfinite");
        Assert.Equal(0, skipCode);
        Assert.Equal(0, Final(skipped));
        Assert.Equal("max-steps", (string)skipped["stop_reason"]!);
        var (divergedCode, diverged) = Cli.Json("minimize", "sqrt(w^2)", "--start", "w=0.1", "--lr", "0.05", "--steps", "5");
        Assert.NotEqual(0, divergedCode);
        Assert.Equal("diverged", (string)diverged["stop_reason"]!);
    }

    [Fact]
    public void FitTakesTheGradientOptions()
    {
        static double[] Parameters(JsonNode json) => [(double)json["parameters"]!["weight"]![0]![0]!, (double)json["parameters"]!["bias"]![0]!];
        // One full-batch gd step from zeros with lr 0.5: the clipped gradient moves the parameters by exactly lr·clip.
        var (_, byNorm) = Cli.Json("fit", "--epochs", "1", "--init", "zeros", "--optimizer", "gd", "--lr", "0.5", "--clip-norm", "1e-3");
        var p = Parameters(byNorm);
        Assert.Equal(5e-4, Math.Sqrt(p[0] * p[0] + p[1] * p[1]), 12);
        var (_, byValue) = Cli.Json("fit", "--epochs", "1", "--init", "zeros", "--optimizer", "gd", "--lr", "0.5", "--clip-value", "1e-4");
        Assert.All(Parameters(byValue), v => Assert.Equal(5e-5, Math.Abs(v), 12));
        // Accumulating 2 full batches: one epoch makes no update yet.
        var (_, accumulated) = Cli.Json("fit", "--epochs", "1", "--init", "zeros", "--optimizer", "gd", "--accumulate", "2", "--skip-nonfinite");
        Assert.All(Parameters(accumulated), v => Assert.Equal(0, v));
        Assert.Contains("--clip-norm must be a positive", Error(["fit", "--epochs", "1", "--clip-norm", "0"]), StringComparison.Ordinal);
        Assert.Contains("--accumulate must be a whole number ≥ 1", Error(["fit", "--epochs", "1", "--accumulate", "0"]), StringComparison.Ordinal);
        Assert.Contains("whole method", Error(["minimize", "w^2", "--start", "w=1", "--optimizer", "nelder-mead", "--clip-value", "1"]), StringComparison.Ordinal);
    }

    [Fact]
    public void MultiStepAndWarmRestartSchedules()
    {
        // multistep at 2 and 4: η = 0.1, 0.1, 0.01, 0.01, 0.001; each gd step on w² multiplies w by 1 − 2η.
        var (_, multi) = Cli.Json("minimize", "w^2", "--start", "w=10", "--lr", "0.1", "--steps", "5", "--schedule", "multistep:at=2/4,factor=0.1");
        Assert.Equal(10 * 0.8 * 0.8 * 0.98 * 0.98 * 0.998, Final(multi), 12);
        // Cosine restarts with period 2: η = 0.1, 0.05, 0.1, 0.05 (half-way down the cosine, then back up).
        var (_, restarts) = Cli.Json("minimize", "w^2", "--start", "w=10", "--lr", "0.1", "--steps", "4", "--schedule", "cosine-restarts:period=2");
        Assert.Equal(10 * 0.8 * 0.9 * 0.8 * 0.9, Final(restarts), 12);
        Assert.Contains("must increase", Error(["minimize", "w^2", "--start", "w=1", "--schedule", "multistep:at=5/2"]), StringComparison.Ordinal);
        Assert.Contains("only fit", Error(["minimize", "w^2", "--start", "w=1", "--schedule", "plateau"]), StringComparison.Ordinal);
    }

    [Fact]
    public void PlateauScheduleHalvesTheRateAsPyTorchWould()
    {
        var (code, json) = Cli.Json("fit", "--data", "synthetic:linear", "--epochs", "80", "--lr", "0.1", "--schedule", "plateau:patience=2,factor=0.5");
        Assert.Equal(0, code);
        var history = json["history"]!.AsArray();
        // ReduceLROnPlateau (mode min, relative threshold 1e-4, no cooldown) replayed on the reported losses; an epoch
        // reports the rate at its end, after the trainer fed its loss to the optimizer's ScaleByPlateau link.
        double lr = 0.1, best = double.PositiveInfinity;
        int bad = 0, reductions = 0;
        foreach (var epoch in history)
        {
            double loss = (double)epoch!["train_loss"]!;
            if (loss < best * (1 - 1e-4)) { best = loss; bad = 0; }
            else if (++bad > 2) { lr *= 0.5; bad = 0; reductions++; }
            Assert.Equal(lr, (double)epoch["learning_rate"]!, 15);
        }
        Assert.True(reductions >= 2, $"the loss plateaus within 80 epochs, so the rate drops ({reductions} drops)");
    }

    [Fact]
    public void PlateauScheduleResumesExactly()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        string checkpoint = Path.Combine(folder, "run.ckpt");
        string[] common = ["fit", "--data", "synthetic:linear", "--lr", "0.1", "--schedule", "plateau:patience=2,factor=0.5"];
        var (_, whole) = Cli.Json([.. common, "--epochs", "80"]);
        var (firstCode, _, _) = Cli.Run([.. common, "--epochs", "50", "--checkpoint", checkpoint]);
        Assert.Equal(0, firstCode);
        var (code, resumed) = Cli.Json([.. common, "--epochs", "80", "--resume", checkpoint]);
        Assert.Equal(0, code);
        // The plateau rule's state is the optimizer's, saved in the checkpoint, so the rates (and the parameters) continue exactly.
        static double[] Rates(JsonNode json) => json["history"]!.AsArray().Select(e => (double)e!["learning_rate"]!).ToArray();
        Assert.Equal(Rates(whole), Rates(resumed));
        Assert.Equal(whole["parameters"]!.ToJsonString(), resumed["parameters"]!.ToJsonString());
    }

    [Fact]
    public void SweepRunsTwoPhasesAndSearchesSeveralSettings()
    {
        string plot = Path.Combine(Directory.CreateTempSubdirectory().FullName, "sweep.svg");
        var (code, json) = Cli.Json("sweep", "minimize", "w^2", "--start", "w=10", "--lr", "1e-4..1", "--steps", "20", "--fine", "4", "--plot", plot);
        Assert.Equal(0, code);
        Assert.Contains("<svg", File.ReadAllText(plot), StringComparison.Ordinal);
        var trials = json["trials"]!.AsArray();
        Assert.Equal(9, trials.Count);
        Assert.Equal(5, trials.Count(t => (string)t!["phase"]! == "decade"));
        var fine = trials.Where(t => (string)t!["phase"]! == "fine").Select(t => (double)t!["learning_rate"]!).ToArray();
        Assert.All(fine, lr => Assert.InRange(lr, 0.1 / Math.Sqrt(10), 0.1 * Math.Sqrt(10))); // the decade around the best coarse rate, 0.1
        var scores = trials.Where(t => t!["score"]!.GetValueKind() == System.Text.Json.JsonValueKind.Number).Select(t => (double)t!["score"]!).ToArray();
        Assert.Equal(scores.Order(), scores); // ranked, best first

        var (searchCode, output, _) = Cli.Run("sweep", "fit", "--data", "synthetic:moons?n=100", "--model", "mlp", "--epochs", "5", "--set", "lr=1e-2..1e-1", "--set", "hidden=4,8");
        Assert.Equal(0, searchCode);
        Assert.Contains("rank", output, StringComparison.Ordinal);
        Assert.Contains("best: lr=", output, StringComparison.Ordinal);
        var (_, search) = Cli.Json("sweep", "fit", "--data", "synthetic:moons?n=100", "--model", "mlp", "--epochs", "5", "--set", "lr=1e-2..1e-1", "--set", "hidden=4,8/4");
        var rows = search["trials"]!.AsArray();
        Assert.Equal(4, rows.Count); // 2 decades × 2 widths
        Assert.Equal(rows[0]!["settings"]!.ToJsonString(), search["best"]!["settings"]!.ToJsonString());
        Assert.Contains("8/4", rows.Select(r => r!["settings"]!["hidden"]!.ToString()));
        var (_, random) = Cli.Json("sweep", "fit", "--data", "synthetic:moons?n=100", "--model", "mlp", "--epochs", "3", "--set", "lr=1e-3..1", "--set", "hidden=4,8", "--random", "3");
        Assert.Equal("random", (string)random["search"]!);
        Assert.Equal(3, random["trials"]!.AsArray().Count);

        Assert.Contains("unknown setting 'colour'", Error(["sweep", "fit", "--set", "colour=red"]), StringComparison.Ordinal);
        Assert.Contains("add --model mlp", Error(["sweep", "fit", "--set", "hidden=4,8"]), StringComparison.Ordinal);
        Assert.Contains("--set lr=LOW..HIGH", Error(["sweep", "fit", "--lr", "1e-3..1", "--set", "epochs=1,2"]), StringComparison.Ordinal);
        Assert.Contains("excludes --decades and --random", Error(["sweep", "minimize", "w^2", "--start", "w=1", "--fine", "3", "--random", "2"]), StringComparison.Ordinal);
    }

    [Fact]
    public void MultiStartListsTheDistinctMinima()
    {
        var (code, output, _) = Cli.Run("minimize", "x^4 - 3*x^2 + x", "--start", "x=0", "--starts", "10", "--steps", "200", "--lr", "0.01");
        Assert.Equal(0, code);
        Assert.Contains("2 distinct minima found (best first):", output, StringComparison.Ordinal);
        // The two local minima of x⁴ − 3x² + x (roots of 4x³ − 6x + 1 = 0): x ≈ −1.30084 and x ≈ 1.13090.
        int global = output.IndexOf("-1.30084", StringComparison.Ordinal), local = output.IndexOf("1.1309", StringComparison.Ordinal);
        Assert.True(global >= 0 && local > global, output);
    }

    [Theory]
    [InlineData("nelder-mead")]
    [InlineData("random-search")]
    [InlineData("genetic")]
    public void AnEvaluationBudgetAloneIsExact(string method)
    {
        var (code, json) = Cli.Json("minimize", "x^2 + y^2", "--start", "x=1,y=1", "--optimizer", method, "--stop", "evaluations:237");
        Assert.Equal(0, code);
        Assert.Equal(237, (long)json["evaluations"]!["function"]!);
    }

    [Fact]
    public void GradExplainsANaNAndNamesSinc()
    {
        var (code, output, _) = Cli.Run("grad", "sin(x)/x", "--at", "x=0");
        Assert.Equal(0, code);
        Assert.Contains("note: ∂f/∂x and f itself are not finite at x=0 because sin(x)/(x) divides 0 by 0", output, StringComparison.Ordinal);
        Assert.Contains("sinc(x)", output, StringComparison.Ordinal);
        var (_, kink) = Cli.Json("grad", "sqrt(x^2)", "--at", "x=0");
        Assert.Contains("kink", (string)kink["note"]!, StringComparison.Ordinal);
        var (_, fine) = Cli.Json("grad", "sinc(x)", "--at", "x=0");
        Assert.Null(fine["note"]);
        Assert.Equal(0, (double)fine["gradient"]!["x"]!);
    }
}
