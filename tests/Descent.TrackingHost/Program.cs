// A small runnable host for the tracking and live-page libraries (what `descent fit --track --live` will do):
//   train --db PATH [--epochs N] [--delay-ms D] [--checkpoint PATH] [--live PORT] [--flush-ms F]
//       trains a small MLP on synthetic blobs, logging to the runs file and (with --live) serving the live page;
//       exits 0 when finished, 130 when stopped from the page.
//   bench [--epochs N] [--folder PATH]
//       times Fashion-MNIST MLP epochs without tracking, with tracking, with the live page, and with both.
//   bench-viewers [--viewers 200] [--epochs N] [--folder PATH]
//       times Fashion-MNIST MLP epochs with the live page read by 1 viewer and by 200 (see ViewerBench.cs).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Descent;
using Descent.Dashboard;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;
using Descent.Tracking;

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

if (args.Length > 0 && args[0] == "bench-viewers")
    return await ViewerBench.RunAsync(int.Parse(Arg("--viewers", "200"), CultureInfo.InvariantCulture), int.Parse(Arg("--epochs", "1"), CultureInfo.InvariantCulture), Arg("--folder", Mnist.FashionMnistDefaultFolder));
if (args.Length == 3 && args[0] == "viewers") return await ViewerBench.ViewAsync(new Uri(args[1]), int.Parse(args[2], CultureInfo.InvariantCulture));
if (args.Length > 0 && args[0] == "bench") return await Bench.RunAsync(int.Parse(Arg("--epochs", "1"), CultureInfo.InvariantCulture), Arg("--folder", Mnist.FashionMnistDefaultFolder));
if (args.Length == 0 || args[0] != "train")
{
    Console.Error.WriteLine("usage: train --db PATH [--epochs N] [--delay-ms D] [--checkpoint PATH] [--live PORT] [--flush-ms F] | bench [--epochs N]");
    return 2;
}

int epochs = int.Parse(Arg("--epochs", "50"), CultureInfo.InvariantCulture);
int delay = int.Parse(Arg("--delay-ms", "20"), CultureInfo.InvariantCulture);
string? checkpoint = Arg("--checkpoint", "") is { Length: > 0 } c ? c : null;
int? port = Arg("--live", "") is { Length: > 0 } p ? int.Parse(p, CultureInfo.InvariantCulture) : null;
var flush = TimeSpan.FromMilliseconds(int.Parse(Arg("--flush-ms", "1000"), CultureInfo.InvariantCulture));

var settings = new JsonObject { ["model"] = "mlp 2-16-2", ["optimizer"] = "adam", ["learning_rate"] = 0.01, ["batch_size"] = 16, ["epochs"] = epochs, ["delay_ms"] = delay };
await using var page = port is { } n ? await LiveDashboard.StartAsync(n) : null;
if (page is not null) Console.WriteLine($"live {page.Address}");
var model = new Mlp<double>(2, [16], 2, seed: 1);
var trainer = new Trainer<double>(model, (pr, y) => Loss.SoftmaxCrossEntropy(pr, y), Optimizers.Adam<double>(0.01),
    new TrainerOptions { Epochs = epochs, CheckpointPath = checkpoint, Cancellation = page?.StopRequested ?? default });
using var store = RunStore.Open(Arg("--db", RunStore.DefaultFileName));
using var tracked = RunTracker.Attach(trainer, store, new RunStart { Command = "host " + string.Join(' ', args), Settings = settings, Seed = 1, CheckpointPath = checkpoint },
    new RunWriterOptions { FlushInterval = flush });
using var live = page?.Attach(trainer, "host", settings, epochs);
Console.WriteLine($"run {tracked.RunId}");
var history = trainer.Fit(new SlowBatches(SyntheticData.Blobs(512, 2, 1.0, seed: 2), 16, delay));
tracked.Complete(history);
live?.Complete(history);
Console.WriteLine($"stopped {history.StopReason}");
return history.StopReason?.Kind == Descent.Optimization.Stopping.StopKind.Cancelled ? 130 : 0;

/// <summary>Mini-batches with a pause before each, to make a run slow enough to watch, stop or kill.</summary>
internal sealed class SlowBatches(Dataset<double> data, int batchSize, int delayMs) : IBatchSource<double>
{
    public int ExampleCount => data.Count;

    public IEnumerable<(Tensor<double> Features, Tensor<double> Targets)> Batches(int epoch)
    {
        for (int start = 0; start < data.Count; start += batchSize)
        {
            if (delayMs > 0) Thread.Sleep(delayMs);
            var part = data.Slice(start, Math.Min(batchSize, data.Count - start));
            yield return (part.X, part.Y);
        }
    }
}

internal static class Bench
{
    public static async Task<int> RunAsync(int epochs, string folder)
    {
        var (train, _) = Mnist.LoadFashionMnist<float>(folder);
        var (trainPart, validation) = (train.Slice(0, 55000), train.Slice(55000, 5000));
        var path = Path.Combine(Path.GetTempPath(), $"descent-bench-{Environment.ProcessId}.db");
        Console.WriteLine($"Fashion-MNIST MLP 784-128-10, Adam 1e-3, batch 64, {trainPart.Count} train / {validation.Count} validation examples, {epochs} epoch(s) per configuration");
        try
        {
            // Warm-up (tiered JIT, caches), then the configurations in an interleaved order, four times.
            await Time("warm-up", trainPart, validation, 1, track: true, live: true, path);
            await Time("warm-up", trainPart, validation, 1, track: false, live: false, path);
            var results = new Dictionary<string, List<double>>();
            string[] abcd = ["plain", "tracked", "live", "tracked+live"];
            string[] order = [.. abcd, .. abcd.Reverse(), .. abcd, .. abcd.Reverse()];
            foreach (var name in order)
            {
                double s = await Time(name, trainPart, validation, epochs, track: name.Contains("tracked", StringComparison.Ordinal), live: name.Contains("live", StringComparison.Ordinal), path);
                (results.TryGetValue(name, out var list) ? list : results[name] = []).Add(s);
            }
            double plain = results["plain"].Average();
            foreach (var (name, times) in results)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-13} mean {times.Average(),8:F2} s  ({string.Join(", ", times.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))})  {100 * (times.Average() / plain - 1),+6:F2} %"));
            MicroBench(path);
            return 0;
        }
        finally
        {
            foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
        }
    }

    private static async Task<double> Time(string name, Dataset<float> train, Dataset<float> validation, int epochs, bool track, bool live, string path)
    {
        var model = new Mlp<float>(784, [128], 10, seed: 7);
        await using var page = live ? await LiveDashboard.StartAsync(0) : null;
        var trainer = new Trainer<float>(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<float>(1e-3),
            new TrainerOptions { Epochs = epochs, Cancellation = page?.StopRequested ?? default });
        using var store = track ? RunStore.Open(path) : null;
        using var tracked = store is null ? null : RunTracker.Attach(trainer, store, new RunStart { Command = "bench " + name });
        using var feed = page?.Attach(trainer, name);
        // With the page on, a client must be reading the stream for its cost to count: read it over HTTP.
        using var http = new HttpClient();
        using var cts = new CancellationTokenSource();
        var reader = page is null ? Task.CompletedTask : Task.Run(async () =>
        {
            try
            {
                using var s = await http.GetStreamAsync(new Uri(page.Address, "api/events"), cts.Token);
                var buffer = new byte[1 << 16];
                while (await s.ReadAsync(buffer, cts.Token) > 0) { }
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException) { }
        });
        var clock = Stopwatch.StartNew();
        var history = trainer.Fit(new DataLoader<float>(train, 64, BatchOrder.Shuffled, seed: 3), validation);
        double seconds = clock.Elapsed.TotalSeconds;
        tracked?.Complete(history);
        await cts.CancelAsync();
        await reader;
        if (name != "warm-up") Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {seconds:F2} s, train loss {history.FinalTrainLoss:F4}, validation loss {history.Epochs[^1].ValidationLoss:F4}"));
        return seconds;
    }

    // The cost of logging alone: as many batches as an epoch has, through the writer, without training.
    private static void MicroBench(string path)
    {
        using var store = RunStore.Open(path);
        const int batches = 860, rounds = 20;
        using var writer = store.StartRun(new RunStart { Command = "bench logging only" });
        var clock = Stopwatch.StartNew();
        long step = 0;
        for (int r = 0; r < rounds; r++)
        {
            for (int b = 0; b < batches; b++) writer.LogStep(++step, r + 1, "loss", 1.0 / step, 64);
            writer.EndEpoch(r + 1, [new("val_loss", 0.5), new("learning_rate", 1e-3)]);
        }
        writer.Finish(RunStatus.Finished);
        double perEpoch = clock.Elapsed.TotalMilliseconds / rounds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"logging alone: {perEpoch:F2} ms per epoch of {batches} batches ({1000 * perEpoch / batches:F2} µs per batch), {writer.Commits} commits"));
    }
}
