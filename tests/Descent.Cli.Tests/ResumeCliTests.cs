using System.Diagnostics;
using System.Text.Json.Nodes;
using Descent.Learning.Training;

namespace Descent.Cli.Tests;

/// <summary><c>fit --checkpoint / --resume / --init</c>: resumes are exact, and every misuse gets a clear answer.</summary>
public sealed class ResumeCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("descent-resume-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string File(string name) => Path.Combine(_folder, name);

    /// <summary>Every parameter value, in order (JSON numbers are written round-trip, so equal doubles give equal text).</summary>
    private static List<double> Parameters(JsonNode json)
    {
        var values = new List<double>();
        void Walk(JsonNode? n)
        {
            if (n is JsonArray a) foreach (var e in a) Walk(e);
            else if (n is JsonObject o) foreach (var (_, v) in o) Walk(v);
            else values.Add((double)n!);
        }
        Walk(json["parameters"]);
        return values;
    }

    [Fact]
    public void TheReferenceFitFromZeroGivesPyTorchsFloat64ResultExactly()
    {
        var (code, output, _) = Cli.Run("fit", "--data", "builtin:seed-linear", "--init", "zeros", "--lr", "8e-3", "--epochs", "5000", "--batch-size", "full", "--dtype", "float64", "--loss", "half-mse", "--json");
        Assert.Equal(0, code);
        var json = JsonNode.Parse(output)!;
        Assert.Equal(4.999207659943997, (double)json["parameters"]!["bias"]![0]!);
        Assert.Equal(0.5001497128481164, (double)json["parameters"]!["weight"]![0]![0]!);
        // Round-trip formatting: the text itself carries every digit.
        Assert.Contains("4.999207659943997", output, StringComparison.Ordinal);
        Assert.Contains("0.5001497128481164", output, StringComparison.Ordinal);
        // With no options the reference fit is the same run.
        var (code2, plain) = Cli.Json("fit", "--init", "zeros");
        Assert.Equal(0, code2);
        Assert.Equal(Parameters(json), Parameters(plain));

        var (bad, _, error) = Cli.Run("fit", "--init", "ones");
        Assert.Equal(2, bad);
        Assert.Contains("--init 'ones'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void StoppedAtARandomMomentAndResumedEqualsTheUninterruptedRun()
    {
        static string[] Run(int epochs) => ["fit", "--data", "synthetic:moons?n=6000", "--model", "mlp", "--hidden", "16", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "16", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "4", "--val-split", "0.1"];
        // The uninterrupted run, made long enough (≥ 0.5 s) to be stopped part-way on a fast machine. The first
        // in-process runs pay for JIT and tiering (and a loaded machine for anything), so a run can take several times
        // less than the one measured before it: when no stop lands inside an epoch, the run is made 4× longer and tried
        // again (at most three times).
        Assert.Equal(0, Cli.Json(Run(3)).Code);   // warm-up
        var clock = new Stopwatch();
        var checkpoint = File("moons.ckpt");
        int partial = 0;
        var seen = new List<string>();
        int epochs = 3;
        for (int attempt = 0; attempt < 3 && partial == 0; attempt++, epochs = Math.Min(3000, epochs * 4))
        {
            JsonNode straight;
            double seconds;
            while (true)
            {
                clock.Restart();
                var (code, json) = Cli.Json(Run(epochs));
                seconds = clock.Elapsed.TotalSeconds;
                Assert.Equal(0, code);
                straight = json;
                if (seconds >= 0.5 || epochs >= 3000) break;
                epochs = Math.Min(3000, (int)Math.Ceiling(epochs * 0.8 / Math.Max(seconds, 1e-3)));
            }
            string[] run = Run(epochs);

            foreach (double fraction in new[] { 0.2, 0.35, 0.5, 0.65, 0.8 })
            {
                // Ctrl-C / SIGTERM / the Stop button all cancel this token; it lands wherever the run is at that moment
                // (each epoch has 338 batches, so almost surely inside one; the run lasts ≥ 0.5 s).
                System.IO.File.Delete(checkpoint);
                using var stop = new CancellationTokenSource();
                stop.CancelAfter(TimeSpan.FromSeconds(seconds * fraction));
                var stdout = new StringWriter();
                int stopped = Program.Run([.. run, "--checkpoint", checkpoint, "--json"], stdout, new StringWriter(), stop.Token);
                seen.Add($"{fraction}×{seconds:F2}s: exit {stopped}");
                if (stopped == 0) continue; // finished before the stop: nothing to resume
                Assert.Equal(5, stopped);
                var first = JsonNode.Parse(stdout.ToString())!;
                seen.Add((string)first["stop_message"]!);
                if (first["partial_epoch"] is JsonObject p)
                {
                    partial++;
                    Assert.Equal((int)first["epochs_run"]! + 1, (int)p["epoch"]!);
                    Assert.Contains("a resume continues with batch", (string)first["stop_message"]!, StringComparison.Ordinal);
                }
                var (resumedCode, resumed) = Cli.Json([.. run, "--resume", checkpoint]);
                Assert.Equal(0, resumedCode);
                Assert.Equal(Parameters(straight), Parameters(resumed));
                Assert.Equal(straight["history"]!.ToJsonString(), resumed["history"]!.ToJsonString());
                Assert.Equal(straight["metrics"]!.ToJsonString(), resumed["metrics"]!.ToJsonString());
            }
        }
        Assert.True(partial > 0, "no stop landed inside an epoch: " + string.Join("; ", seen));
    }

    [Fact]
    public void KilledWithSigkillAndResumedFromTheLastCheckpointEqualsTheUninterruptedRun()
    {
        var cli = typeof(Program).Assembly.Location;
        string[] run = ["fit", "--data", "synthetic:moons?n=400", "--model", "mlp", "--hidden", "8", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "16", "--seed", "2"];
        var checkpoint = File("killed.ckpt");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", cli }.Concat(run).Concat(["--epochs", "1000000", "--checkpoint", checkpoint, "--checkpoint-every", "1"])) start.ArgumentList.Add(a);
        int epochs = 0;
        using (var child = Process.Start(start)!)
        {
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(90);
                while (DateTime.UtcNow < deadline && !child.HasExited && epochs < 20)
                {
                    Thread.Sleep(100);
                    try { epochs = Checkpoint.Load(checkpoint).Metadata["epoch"]!.GetValue<int>(); }
                    catch (Exception e) when (e is FileNotFoundException or CheckpointException) { }
                }
                Assert.False(child.HasExited, "the child exited early: " + (child.HasExited ? child.StandardError.ReadToEnd() : ""));
            }
            finally
            {
                child.Kill(); // SIGKILL: no handler runs, whatever write was in progress is cut
                child.WaitForExit();
            }
        }
        // The run went on between the last look and the kill: what the checkpoint holds now is where a resume starts.
        epochs = Checkpoint.Load(checkpoint).Metadata["epoch"]!.GetValue<int>();
        Assert.True(epochs >= 20, $"only {epochs} epochs were checkpointed in 90 s");

        // Resumed as one would: from the checkpoint, writing to it again (which also removes a killed write's temporary file).
        var (code, resumed) = Cli.Json([.. run, "--epochs", (epochs + 5).ToString(System.Globalization.CultureInfo.InvariantCulture), "--resume", checkpoint, "--checkpoint", checkpoint]);
        Assert.Equal(0, code);
        int total = (int)resumed["epochs_run"]!;
        Assert.True(total >= epochs + 5 - 1 && total <= epochs + 5, $"resumed to {total} epochs"); // the checkpoint may have moved on after the last look
        var (straightCode, straight) = Cli.Json([.. run, "--epochs", total.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(0, straightCode);
        Assert.Equal(Parameters(straight), Parameters(resumed));
        Assert.Equal(straight["history"]!.ToJsonString(), resumed["history"]!.ToJsonString());
        Assert.DoesNotContain(Directory.EnumerateFiles(_folder), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void AResumeTakesTheRunsSettingsFromTheCheckpointAndRefusesOnesThatContradictIt()
    {
        string[] run = ["fit", "--data", "synthetic:spirals?n=300", "--model", "mlp", "--hidden", "12,6", "--optimizer", "adam:beta1=0.8", "--lr", "0.02",
            "--batch-size", "32", "--seed", "5", "--val-split", "0.2", "--schedule", "cosine:steps=60", "--clip-norm", "1", "--dtype", "float32", "--epochs", "6"];
        var (code, straight) = Cli.Json(run);
        Assert.Equal(0, code);
        var checkpoint = File("spirals.ckpt");
        Assert.Equal(0, Cli.Run([.. run[..^1], "3", "--checkpoint", checkpoint]).Code);

        // Only --resume: the data, the model, its sizes, the optimizer and every other setting come from the checkpoint, and
        // so does --epochs (the run it continues was to train 3, so this one asks for 6).
        var (resumedCode, resumedOut, note) = Cli.Run("fit", "--resume", checkpoint, "--epochs", "6", "--json");
        Assert.True(resumedCode == 0, note);
        var resumed = JsonNode.Parse(resumedOut)!;
        Assert.Equal(Parameters(straight), Parameters(resumed));
        Assert.Equal(straight["history"]!.ToJsonString(), resumed["history"]!.ToJsonString());
        Assert.Equal(straight["metrics"]!.ToJsonString(), resumed["metrics"]!.ToJsonString());
        Assert.Equal("float32", (string)resumed["dtype"]!);
        Assert.Contains("note: resuming", note, StringComparison.Ordinal);
        Assert.Contains("--model mlp --hidden 12,6", note, StringComparison.Ordinal);
        Assert.Contains("--optimizer adam:beta1=0.8", note, StringComparison.Ordinal);
        Assert.Contains("--data synthetic:spirals?n=300", note, StringComparison.Ordinal);

        // Options given again that agree are accepted (written another way too); the result is the same.
        var (againCode, again) = Cli.Json("fit", "--resume", checkpoint, "--epochs", "6", "--model", "MLP", "--hidden", "12, 6", "--lr", "2e-2", "--schedule", "cosine: steps=60", "--seed", "5", "--loss", "ce");
        Assert.Equal(0, againCode);
        Assert.Equal(Parameters(straight), Parameters(again));

        // A run stopped early (here by a stopping rule after its first epoch) continues, without --epochs, to the epochs
        // it was started with; stopping rules belong to each command line and are not kept.
        var stopped = File("stopped.ckpt");
        var (stoppedCode, stoppedRun) = Cli.Json([.. run, "--stop", "loss-below:100", "--checkpoint", stopped]);
        Assert.Equal(0, stoppedCode);
        Assert.Equal(1, (int)stoppedRun["epochs_run"]!);
        var (continuedCode, continued) = Cli.Json("fit", "--resume", stopped);
        Assert.Equal(0, continuedCode);
        Assert.Equal(6, (int)continued["epochs_run"]!);
        Assert.Equal(Parameters(straight), Parameters(continued));

        // Contradictions: usage errors (exit 2) naming the option and the checkpoint's value, no stack trace.
        foreach (var (option, value, saved) in new[]
        {
            ("--hidden", "16", "--hidden 12,6"), ("--model", "softmax", "--model mlp"), ("--lr", "0.1", "--lr 0.02"), ("--optimizer", "adam", "--optimizer adam:beta1=0.8"),
            ("--batch-size", "64", "--batch-size 32"), ("--seed", "1", "--seed 5"), ("--val-split", "0.3", "--val-split 0.2"), ("--dtype", "float64", "--dtype float32"),
            ("--loss", "nll", "--loss cross-entropy"), ("--schedule", "constant", "--schedule cosine:steps=60"), ("--clip-norm", "2", "--clip-norm 1"),
        })
        {
            var (bad, _, error) = Cli.Run("fit", "--resume", checkpoint, "--epochs", "6", option, value);
            Assert.True(bad == 2, $"{option} {value}: exit {bad}: {error}");
            Assert.Contains($"{option} {value}: the checkpoint '{checkpoint}' was written with {saved}", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        var (layers, _, layersError) = Cli.Run("fit", "--resume", checkpoint, "--epochs", "6", "--layers", "conv(4,3) flatten linear");
        Assert.Equal(2, layers);
        Assert.Contains("holds a mlp model, not a cnn; drop --layers", layersError, StringComparison.Ordinal);
    }

    [Fact]
    public void ACheckpointWrittenBeforeTheSettingsWereKeptStillGivesItsArchitectureOptimizerAndLoss()
    {
        string[] run = ["fit", "--data", "synthetic:moons?n=200", "--model", "mlp", "--hidden", "10", "--optimizer", "adam", "--lr", "0.02", "--batch-size", "16", "--seed", "3", "--epochs", "4"];
        var (code, straight) = Cli.Json(run);
        Assert.Equal(0, code);
        var checkpoint = File("old.ckpt");
        Assert.Equal(0, Cli.Run([.. run[..^1], "2", "--checkpoint", checkpoint]).Code);
        // As the CLI wrote checkpoints before: the model description and the optimizer, model, loss and augment keys, no settings.
        var old = Checkpoint.Load(checkpoint);
        Assert.True(((JsonObject)old.Metadata["metadata"]!).Remove("settings"));
        old.Save(checkpoint);

        // The architecture and the optimizer come from it; what it did not keep is given again.
        var (resumedCode, resumedOut, note) = Cli.Run("fit", "--resume", checkpoint, "--data", "synthetic:moons?n=200", "--lr", "0.02", "--batch-size", "16", "--seed", "3", "--epochs", "4", "--json");
        Assert.True(resumedCode == 0, note);
        Assert.Contains("--model mlp --hidden 10", note, StringComparison.Ordinal);
        Assert.Contains("--optimizer adam", note, StringComparison.Ordinal);
        Assert.Equal(Parameters(straight), Parameters(JsonNode.Parse(resumedOut)!));
        var (bad, _, error) = Cli.Run("fit", "--resume", checkpoint, "--data", "synthetic:moons?n=200", "--hidden", "8", "--epochs", "4");
        Assert.Equal(2, bad);
        Assert.Contains("--hidden 8: the checkpoint", error, StringComparison.Ordinal);
    }

    [Fact]
    public void MisusesOfResumeAreRefusedClearly()
    {
        var checkpoint = File("adam.ckpt");
        string[] run = ["fit", "--data", "synthetic:linear?n=50", "--optimizer", "adam", "--epochs", "10", "--checkpoint", checkpoint];
        Assert.Equal(0, Cli.Run(run).Code);

        // Fewer epochs than the checkpoint has: nothing to train, and the message says what to give.
        var (code, _, error) = Cli.Run("fit", "--data", "synthetic:linear?n=50", "--optimizer", "adam", "--epochs", "5", "--resume", checkpoint);
        Assert.Equal(2, code);
        Assert.Contains("--epochs 5", error, StringComparison.Ordinal);
        Assert.Contains("already trained 10 epochs", error, StringComparison.Ordinal);
        Assert.Contains("give --epochs 11 or more", error, StringComparison.Ordinal);

        // Another optimizer, in either direction.
        (code, _, error) = Cli.Run("fit", "--data", "synthetic:linear?n=50", "--optimizer", "gd", "--epochs", "20", "--resume", checkpoint);
        Assert.Equal(2, code);
        Assert.Contains("--optimizer adam", error, StringComparison.Ordinal);
        var gd = File("gd.ckpt");
        Assert.Equal(0, Cli.Run("fit", "--data", "synthetic:linear?n=50", "--epochs", "10", "--checkpoint", gd).Code);
        (code, _, error) = Cli.Run("fit", "--data", "synthetic:linear?n=50", "--optimizer", "adam", "--epochs", "20", "--resume", gd);
        Assert.Equal(2, code);
        Assert.Contains("--optimizer gd", error, StringComparison.Ordinal);

        // Damaged or foreign files: exit 3 with the one message, never a stack trace.
        var bytes = System.IO.File.ReadAllBytes(checkpoint);
        bytes[40] ^= 4;
        var damaged = File("damaged.ckpt");
        System.IO.File.WriteAllBytes(damaged, bytes);
        System.IO.File.Copy(checkpoint + ".history.jsonl", damaged + ".history.jsonl");
        foreach (var bad in new[] { damaged, "/dev/zero", File("adam.ckpt.history.jsonl") })
        {
            if (!System.IO.File.Exists(bad)) continue;
            (code, _, error) = Cli.Run("fit", "--data", "synthetic:linear?n=50", "--optimizer", "adam", "--epochs", "20", "--resume", bad);
            Assert.Equal(3, code);
            Assert.Contains("corrupted or unreadable checkpoint " + bad, error, StringComparison.Ordinal);
            Assert.Contains("retrain, or resume from an earlier checkpoint", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }

        (code, _, error) = Cli.Run("fit", "--checkpoint-every", "10");
        Assert.Equal(2, code);
        Assert.Contains("--checkpoint-every goes with --checkpoint", error, StringComparison.Ordinal);
        (code, _, error) = Cli.Run("fit", "--checkpoint", File("x.ckpt"), "--checkpoint-every", "soon");
        Assert.Equal(2, code);
        Assert.Contains("--checkpoint-every 'soon'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonFiniteMetricDoesNotStopCheckpointing()
    {
        // A constant target: val_r2 is −∞ after every epoch.
        var csv = File("constant.csv");
        System.IO.File.WriteAllText(csv, "x,y\n1,2\n2,2\n3,2\n4,2\n5,2\n6,2\n7,2\n8,2\n9,2\n10,2\n");
        var checkpoint = File("constant.ckpt");
        var (code, json) = Cli.Json("fit", "--data", csv, "--target", "y", "--val-split", "0.3", "--epochs", "20", "--checkpoint", checkpoint, "--checkpoint-every", "1");
        Assert.Equal(0, code);
        Assert.Equal(20, (int)json["epochs_run"]!);
        Assert.Equal("-Infinity", (string)json["metrics"]!["val_r2"]!);
        var (resumedCode, resumed) = Cli.Json("fit", "--data", csv, "--target", "y", "--val-split", "0.3", "--epochs", "25", "--resume", checkpoint);
        Assert.Equal(0, resumedCode);
        Assert.Equal(25, (int)resumed["epochs_run"]!);
    }
}
