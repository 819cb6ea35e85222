using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Descent.Dashboard;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;

/// <summary>
/// <c>bench-viewers [--viewers 200] [--epochs 1] [--folder PATH]</c>: what many viewers of the live page cost training.
/// One Fashion-MNIST MLP epoch is timed with the live page read by one viewer and by <c>--viewers</c> viewers (ABBA
/// order, twice), the viewers in a separate process (<c>viewers URL N</c>, as browsers would be), each reading the whole
/// event stream, plus one newcomer a second that takes a snapshot and leaves. Reported: the epoch's wall time and the
/// training process's CPU time (all its threads: training, the server, serialisation).
/// </summary>
internal static class ViewerBench
{
    public static async Task<int> RunAsync(int viewers, int epochs, string folder)
    {
        var (train, _) = Mnist.LoadFashionMnist<float>(folder);
        var (trainPart, validation) = (train.Slice(0, 55000), train.Slice(55000, 5000));
        Console.WriteLine($"Fashion-MNIST MLP 784-128-10, Adam 1e-3, batch 64, {epochs} epoch(s) per configuration; 1 viewer versus {viewers}; {Environment.ProcessorCount} CPUs");
        await Time(trainPart, validation, 1, 1, report: false);
        var results = new Dictionary<int, List<(double Wall, double Cpu)>> { [1] = [], [viewers] = [] };
        foreach (int n in new[] { 1, viewers, viewers, 1, 1, viewers, viewers, 1 })
            results[n].Add(await Time(trainPart, validation, epochs, n, report: true));
        var (wall1, cpu1) = (Median(results[1].Select(r => r.Wall)), Median(results[1].Select(r => r.Cpu)));
        var (wallN, cpuN) = (Median(results[viewers].Select(r => r.Wall)), Median(results[viewers].Select(r => r.Cpu)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median epoch: 1 viewer {wall1:F2} s wall, {cpu1:F2} s CPU; {viewers} viewers {wallN:F2} s wall ({100 * (wallN / wall1 - 1):+0.0;-0.0} %), {cpuN:F2} s CPU ({100 * (cpuN / cpu1 - 1):+0.0;-0.0} %)"));

        // The viewers' cost alone, without training's noise: an epoch's points replayed at the pace of the slowest epoch
        // measured above, served to 1 viewer and to N; the difference in this process's CPU time is what N viewers cost.
        double pace = results.Values.SelectMany(r => r).Max(r => r.Wall);
        await Replay(pace, 1, report: false);
        var serving = new Dictionary<int, List<double>> { [1] = [], [viewers] = [] };
        foreach (int n in new[] { 1, viewers, viewers, 1, 1, viewers, viewers, 1 }) serving[n].Add(await Replay(pace, n, report: true));
        double extra = Median(serving[viewers]) - Median(serving[1]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"serving an epoch (860 batches over {pace:F2} s): 1 viewer {1000 * Median(serving[1]):F0} ms CPU, {viewers} viewers {1000 * Median(serving[viewers]):F0} ms CPU; the extra {1000 * extra:F0} ms is {100 * extra / cpu1:F1} % of a training epoch's {cpu1:F2} s CPU"));
        return 0;
    }

    private static async Task<double> Replay(double seconds, int viewers, bool report)
    {
        await using var page = await LiveDashboard.StartAsync(0);
        using var run = page.AddRun($"{viewers} viewers", totalEpochs: 1);
        using var child = StartViewers(page, viewers);
        string? ready = await child.StandardOutput.ReadLineAsync();
        if (ready != "connected") throw new InvalidOperationException("the viewers did not connect: " + ready);
        using var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        const int batches = 860;
        for (int b = 1; b <= batches; b++)
        {
            run.LogStep(b, 1, "loss", 2.0 / Math.Sqrt(b));
            run.Progress(1, b, b);
            if (b % 10 == 0 && clock.Elapsed.TotalSeconds < seconds * b / batches) await Task.Delay(TimeSpan.FromSeconds(seconds * b / batches) - clock.Elapsed);
        }
        foreach (var (name, value) in new[] { ("loss", 0.5), ("val_loss", 0.55), ("val_accuracy", 0.8), ("gradient_norm", 1.0), ("seconds", seconds) }) run.LogEpoch(batches, 1, name, value);
        run.End(Descent.Tracking.RunStatus.Finished, "replayed");
        await Task.Delay(600); // the last frame reaches the viewers
        self.Refresh();
        double cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
        child.Kill();
        await child.WaitForExitAsync();
        if (report) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  serving {viewers,3} viewer(s): {1000 * cpu:F0} ms CPU over {clock.Elapsed.TotalSeconds:F2} s"));
        return cpu;
    }

    private static Process StartViewers(LiveDashboard page, int viewers) =>
        Process.Start(new ProcessStartInfo("dotnet", [Assembly.GetExecutingAssembly().Location, "viewers", page.Address.ToString(), viewers.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
        })!;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static async Task<(double Wall, double Cpu)> Time(Dataset<float> train, Dataset<float> validation, int epochs, int viewers, bool report)
    {
        var model = new Mlp<float>(784, [128], 10, seed: 7);
        await using var page = await LiveDashboard.StartAsync(0);
        var trainer = new Trainer<float>(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<float>(1e-3), new TrainerOptions { Epochs = epochs });
        using var feed = page.Attach(trainer, $"{viewers} viewers");
        using var child = StartViewers(page, viewers);
        string? ready = await child.StandardOutput.ReadLineAsync();
        if (ready != "connected") throw new InvalidOperationException("the viewers did not connect: " + ready);
        using var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var history = trainer.Fit(new DataLoader<float>(train, 64, BatchOrder.Shuffled, seed: 3), validation);
        double wall = clock.Elapsed.TotalSeconds;
        self.Refresh();
        double cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
        feed.Complete(history);
        await Task.Delay(600); // the last frame reaches the viewers
        child.Kill();
        await child.WaitForExitAsync();
        if (report) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {viewers,3} viewer(s): {wall:F2} s wall, {cpu:F2} s CPU, train loss {history.FinalTrainLoss:F4}"));
        return (wall, cpu);
    }

    /// <summary>The viewers' process: opens <paramref name="count"/> event streams, says "connected", reads until killed.</summary>
    public static async Task<int> ViewAsync(Uri address, int count)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { Timeout = Timeout.InfiniteTimeSpan };
        var streams = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => http.GetStreamAsync(new Uri(address, "api/events"))));
        Console.WriteLine("connected");
        var readers = streams.Select(s => Task.Run(async () =>
        {
            var buffer = new byte[1 << 16];
            try
            {
                while (await s.ReadAsync(buffer) > 0) { }
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException) { }
        })).ToList();
        // A newcomer a second: takes the snapshot and leaves.
        readers.Add(Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    await http.GetByteArrayAsync(new Uri(address, "api/state"));
                }
                catch (Exception e) when (e is IOException or HttpRequestException) { return; }
                await Task.Delay(1000);
            }
        }));
        await Task.WhenAll(readers);
        return 0;
    }
}
