using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Descent.Learning.Training;
using Descent.Tracking;

namespace Descent.Cli.Tests;

/// <summary>
/// SIGTERM (kill, docker stop, systemctl stop) does what Ctrl-C does: the built CLI, run as a child process, is sent
/// the signal mid-run and must stop at the next batch or step, keep its checkpoint, mark its tracked run stopped and
/// exit 5 (the dashboard: shut down and exit 0).
/// </summary>
public sealed class SignalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-cli-signal-").FullName;

    private string Db => Path.Combine(_dir, "runs.db");

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [SkippableTheory]
    [InlineData("TERM", false)]
    [InlineData("TERM", true)]
    [InlineData("INT", true)]
    public void ASignalStopsAFitAtTheNextBatchWithItsCheckpointAndItsRunStopped(string signal, bool live)
    {
        string checkpoint = Path.Combine(_dir, "model.ckpt");
        string[] args = ["fit", "--data", "synthetic:moons?n=200", "--model", "mlp", "--hidden", "8", "--batch-size", "4",
            "--epochs", "100000", "--track", Db, "--checkpoint", checkpoint, "--json", .. live ? new[] { "--live" } : []];
        using var child = Child.Start(_dir, args);
        child.WaitUntil(() => EpochsRecorded() >= 2, "two epochs recorded in the runs file");
        var signalled = DateTime.UtcNow;
        child.Signal(signal);
        int code = child.WaitForExit();

        Assert.True(code == 5, $"exit {code}; stderr: {child.Error}");
        var result = JsonNode.Parse(child.Output)!;
        Assert.Equal("interrupted", (string)result["stop_reason"]!);
        Assert.True(File.Exists(checkpoint), "no checkpoint");
        Assert.True(File.GetLastWriteTimeUtc(checkpoint) >= signalled.AddSeconds(-1), "the checkpoint was not written at the stop");
        var saved = Checkpoint.Load(checkpoint);
        Assert.NotEmpty(saved.Tensors);
        using var store = RunStore.Open(Db);
        var run = Assert.Single(store.ListRuns());
        Assert.Equal(RunStatus.Stopped, run.Status);
        Assert.Contains("stopped by the user", run.StopReason);
    }

    [SkippableFact]
    public void SigtermStopsAMinimizationAndItsRunStopped()
    {
        using var child = Child.Start(_dir, "minimize", "w^2", "--start", "w=10", "--lr", "1e-9", "--steps", "10000000", "--track", Db, "--json");
        child.WaitUntil(() => RunsRecorded() >= 1, "the run in the runs file");
        Thread.Sleep(300);
        child.Signal("TERM");
        int code = child.WaitForExit();
        Assert.True(code == 5, $"exit {code}; stderr: {child.Error}");
        Assert.Equal("interrupted", (string)JsonNode.Parse(child.Output)!["stop_reason"]!);
        using var store = RunStore.Open(Db);
        Assert.Equal(RunStatus.Stopped, Assert.Single(store.ListRuns()).Status);
    }

    [SkippableFact]
    public void SigtermStopsASweepAndItsRunStopped()
    {
        using var child = Child.Start(_dir, "sweep", "fit", "--data", "synthetic:moons?n=2000", "--model", "mlp",
            "--epochs", "100000", "--lr", "0.01..1", "--track", Db, "--json");
        child.WaitUntil(() => RunsRecorded() >= 1, "the run in the runs file");
        Thread.Sleep(500);
        child.Signal("TERM");
        int code = child.WaitForExit();
        Assert.True(code == 5, $"exit {code}; stderr: {child.Error}");
        using var store = RunStore.Open(Db);
        var run = Assert.Single(store.ListRuns());
        Assert.Equal(RunStatus.Stopped, run.Status);
        Assert.Contains("interrupted", run.StopReason);
    }

    [SkippableFact]
    public void SigtermShutsTheDashboardDownWithExitZero()
    {
        using var child = Child.Start(_dir, "dashboard", "--track", Db);
        child.WaitUntil(() => child.Output.Contains("http://127.0.0.1:", StringComparison.Ordinal), "the page's address");
        child.Signal("TERM");
        int code = child.WaitForExit();
        Assert.True(code == 0, $"exit {code}; stderr: {child.Error}");
    }

    private int EpochsRecorded() => Query(store => store.ListRuns() is [var run, ..] ? store.GetMetrics(run.Id, MetricScope.Epoch, "loss").Count : 0);

    private int RunsRecorded() => Query(store => store.ListRuns().Count);

    private int Query(Func<RunStore, int> read)
    {
        if (!File.Exists(Db)) return 0;
        try
        {
            using var store = RunStore.Open(Db);
            return read(store);
        }
        catch (RunStoreException)
        {
            return 0; // the child is still creating the file
        }
    }

    /// <summary>The built CLI (Descent.Cli.dll beside the tests) as a child process, its output collected.</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly StringBuilder _error = new();

        private Child(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_error) _error.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output
        {
            get { lock (_output) return _output.ToString(); }
        }

        public string Error
        {
            get { lock (_error) return _error.ToString(); }
        }

        public static Child Start(string folder, params string[] args)
        {
            Skip.If(OperatingSystem.IsWindows(), "POSIX signals (kill) only");
            var cli = Path.Combine(AppContext.BaseDirectory, "Descent.Cli.dll");
            Assert.True(File.Exists(cli), $"the CLI is missing: {cli}");
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(cli);
            foreach (var a in args) start.ArgumentList.Add(a);
            return new Child(Process.Start(start)!);
        }

        public void WaitUntil(Func<bool> condition, string what)
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; Thread.Sleep(50))
            {
                if (condition()) return;
                if (_process.HasExited) Assert.Fail($"the CLI exited ({_process.ExitCode}) before {what}; stderr: {Error}");
            }
            Assert.Fail($"no {what} within 60 s; stderr: {Error}");
        }

        public void Signal(string name)
        {
            using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
        }

        public int WaitForExit()
        {
            if (!_process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                _process.Kill(entireProcessTree: true);
                Assert.Fail($"the CLI did not end within 60 s of the signal; stderr: {Error}");
            }
            _process.WaitForExit(); // the output's last lines
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
