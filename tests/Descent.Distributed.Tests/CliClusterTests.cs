using System.Text.Json.Nodes;

namespace Descent.Distributed.Tests;

/// <summary>'descent fit --workers N': worker processes on loopback, one of them killed mid-run.</summary>
public sealed class CliClusterTests
{
    private static (int Code, string Stdout, string Stderr) Descent(params string[] args) => CliRunner.Run(args);

    private static double[] Parameters(JsonNode result)
    {
        var values = new List<double>();
        void Walk(JsonNode? n)
        {
            if (n is JsonArray a) foreach (var x in a) Walk(x);
            else if (n is JsonObject o) foreach (var (_, x) in o) Walk(x);
            else if (n is JsonValue v) values.Add(v.GetValue<double>());
        }
        Walk(result["parameters"]);
        return [.. values];
    }

    /// <summary>The worker processes this process started ('descent worker … --parent PID').</summary>
    private static List<int> WorkerProcesses()
    {
        var found = new List<int>();
        string parent = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            string[] args;
            try { args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0'); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            int i = Array.IndexOf(args, "--parent");
            if (Array.IndexOf(args, "worker") >= 0 && i >= 0 && i + 1 < args.Length && args[i + 1] == parent) found.Add(pid);
        }
        return found;
    }

    [SkippableFact]
    public void KillingAWorkerProcessMidRunChangesNothing()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "finds the worker processes through /proc");
        string dir = Directory.CreateTempSubdirectory("descent-dist-").FullName;
        try
        {
            string[] fit = ["fit", "--data", "synthetic:spirals", "--model", "mlp", "--hidden", "16,16", "--batch-size", "32", "--epochs", "100", "--seed", "4", "--dtype", "float64", "--json"];
            var single = Descent(fit);
            Assert.True(single.Code == 0, single.Stderr);

            string checkpoint = Path.Combine(dir, "run.ckpt");
            (int Code, string Stdout, string Stderr) distributed = default;
            var run = new Thread(() => distributed = Descent([.. fit, "--workers", "2", "--checkpoint", checkpoint, "--checkpoint-every", "1"]));
            run.Start();
            // The first checkpoint means training is under way on both workers: kill one of them.
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (!File.Exists(checkpoint) && run.IsAlive && DateTime.UtcNow < deadline) Thread.Sleep(50);
            var workers = WorkerProcesses();
            Assert.Equal(2, workers.Count);
            System.Diagnostics.Process.GetProcessById(workers[0]).Kill();
            bool midRun = run.IsAlive; // the run was still training when the worker died
            run.Join();
            Assert.True(midRun, "the run ended before a worker could be killed");

            Assert.True(distributed.Code == 0, distributed.Stderr);
            var a = JsonNode.Parse(single.Stdout)!;
            var b = JsonNode.Parse(distributed.Stdout!)!;
            var (pa, pb) = (Parameters(a), Parameters(b));
            Assert.Equal(pa.Length, pb.Length);
            double max = pa.Zip(pb).Max(p => Math.Abs(p.First - p.Second));
            Assert.True(max <= 1e-12, $"max difference {max}");
            var report = b["distributed"]!;
            Assert.Equal(2, report["workers"]!.GetValue<int>());
            Assert.Equal(100 * 7, report["steps"]!.GetValue<int>()); // 200 rows / 32 = 7 batches an epoch: none lost, none repeated
            // The killed worker's shard is retried on the survivor: recorded in "faults" when Descent retries it, not when
            // Orleans resends the call itself (it may, depending on when the silo's death is noticed), so not asserted.
            Assert.NotNull(report["faults"]);
            Assert.True(report["communication_seconds"]!.GetValue<double>() > 0);
            Assert.Empty(WorkerProcesses()); // the run stops its workers
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Starts 'dotnet Descent.Cli.dll worker ARGS' as its own process.</summary>
    private static System.Diagnostics.Process Worker(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Descent.Cli.dll"));
        info.ArgumentList.Add("worker");
        foreach (var a in args) info.ArgumentList.Add(a);
        return System.Diagnostics.Process.Start(info)!;
    }

    [Fact]
    public void FitOnARunningClusterOfWorkerCommands()
    {
        int port = Cluster.FreePort();
        string primary = $"127.0.0.1:{port}";
        using var first = Worker("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--address", "127.0.0.1");
        using var second = Worker("--cluster", primary);
        try
        {
            string[] fit = ["fit", "--data", "synthetic:spirals", "--model", "mlp", "--hidden", "8", "--batch-size", "64", "--epochs", "3", "--seed", "2", "--dtype", "float64", "--json"];
            var single = Descent(fit);
            var distributed = Descent([.. fit, "--cluster", primary, "--workers", "2"]);
            Assert.True(distributed.Code == 0, distributed.Stderr);
            var (pa, pb) = (Parameters(JsonNode.Parse(single.Stdout)!), Parameters(JsonNode.Parse(distributed.Stdout)!));
            Assert.True(pa.Zip(pb).Max(p => Math.Abs(p.First - p.Second)) <= 1e-12);
            var report = JsonNode.Parse(distributed.Stdout)!["distributed"]!;
            Assert.Equal("cluster " + primary, report["mode"]!.GetValue<string>());
            Assert.Equal(2, report["silos"]!.AsArray().Count);
        }
        finally
        {
            foreach (var p in new[] { second, first })
            {
                if (!p.HasExited) p.Kill();
                p.WaitForExit(5000);
            }
        }
    }

    [Fact]
    public void AClusterThatIsNotThereIsExitCodeSix()
    {
        global::Descent.Cli.Infrastructure.DistributedTraining.ClusterJoinTimeout = TimeSpan.FromSeconds(3);
        int port = Cluster.FreePort(); // nothing listens there
        var (code, _, stderr) = Descent("fit", "--data", "synthetic:spirals", "--model", "mlp", "--epochs", "1", "--cluster", $"127.0.0.1:{port}");
        Assert.Equal(6, code);
        Assert.Contains($"could not join the cluster at 127.0.0.1:{port}", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public void BadClusterOptionsAreUsageErrors()
    {
        var (code, _, stderr) = Descent("fit", "--data", "synthetic:spirals", "--workers", "0");
        Assert.Equal(2, code);
        Assert.Contains("--workers 0", stderr, StringComparison.Ordinal);
        (code, _, stderr) = Descent("fit", "--data", "synthetic:spirals", "--model", "mlp", "--cluster", "nonsense");
        Assert.Equal(2, code);
        Assert.Contains("--cluster 'nonsense'", stderr, StringComparison.Ordinal);
    }
}
