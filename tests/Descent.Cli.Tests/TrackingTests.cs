using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Descent.Cli;
using Descent.Tracking;

namespace Descent.Cli.Tests;

public sealed class TrackingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-cli-track-").FullName;

    private string Db => Path.Combine(_dir, "runs.db");

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void FitTrackThenRunsListShowExportCompareDelete()
    {
        var (code, _, err) = Cli.Run("fit", "--data", "synthetic:linear?n=40", "--epochs", "4", "--track", Db);
        Assert.True(code == 0, err);
        Assert.Equal(0, Cli.Run("fit", "--data", "synthetic:linear?n=40", "--epochs", "3", "--lr", "0.05", "--track", Db, "--json").Code);

        var (listCode, list) = Cli.Json("runs", "list", "--track", Db);
        Assert.Equal(0, listCode);
        var runs = list["runs"]!.AsArray();
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal("finished", (string)r!["status"]!));
        long first = (long)runs[0]!["id"]!, second = (long)runs[1]!["id"]!;
        Assert.Contains("--epochs 4", (string)runs[0]!["command"]!, StringComparison.Ordinal);
        Assert.Equal(0.05, (double)runs[1]!["settings"]!["lr"]!);
        Assert.Contains("finished", Cli.Run("runs", "list", "--track", Db).Out, StringComparison.Ordinal);

        var (showCode, show) = Cli.Json("runs", "show", first.ToString(), "--track", Db);
        Assert.Equal(0, showCode);
        Assert.Equal(4, (int)show["epochs"]!);
        Assert.Contains(show["metrics"]!.AsArray(), m => (string)m!["name"]! == "loss" && (string)m["scope"]! == "epoch" && (int)m["count"]! == 4);
        var human = Cli.Run("runs", "show", first.ToString(), "--track", Db);
        Assert.Equal(0, human.Code);
        Assert.Contains("status:     finished", human.Out, StringComparison.Ordinal);

        string csv = Path.Combine(_dir, "one.csv");
        Assert.Equal(0, Cli.Run("runs", "export", first.ToString(), "--format", "csv", "--out", csv, "--track", Db).Code);
        Assert.StartsWith("scope,step,epoch,name,value,seconds", File.ReadAllText(csv), StringComparison.Ordinal);
        string json = Path.Combine(_dir, "one.json");
        var (exportCode, export) = Cli.Json("runs", "export", first.ToString(), "--format", "json", "--out", json, "--track", Db);
        Assert.Equal(0, exportCode);
        Assert.Equal(Path.GetFullPath(json), (string)export["path"]!);
        Assert.Equal(first, (long)JsonNode.Parse(File.ReadAllText(json))!["run"]!["id"]!);
        Assert.Equal(2, Cli.Run("runs", "export", first.ToString(), "--format", "xml", "--track", Db).Code);

        string png = Path.Combine(_dir, "compare.png");
        var (compareCode, compare) = Cli.Json("runs", "compare", first.ToString(), second.ToString(), "--plot", png, "--track", Db);
        Assert.Equal(0, compareCode);
        Assert.Equal([4, 3], compare["runs"]!.AsArray().Select(r => (int)r!["points"]!));
        Assert.True(new FileInfo(png).Length > 1000);
        Assert.Contains("best: run", Cli.Run("runs", "compare", first.ToString(), second.ToString(), "--track", Db).Out, StringComparison.Ordinal);

        Assert.Contains("deleted", Cli.Run("runs", "delete", first.ToString(), "--track", Db).Out, StringComparison.Ordinal);
        var (deleteCode, deleted) = Cli.Json("runs", "delete", second.ToString(), "--track", Db);
        Assert.Equal(0, deleteCode);
        Assert.Equal(second, (long)deleted["deleted"]!);
        Assert.Empty(Cli.Json("runs", "list", "--track", Db).Json["runs"]!.AsArray());
        var (again, _, againErr) = Cli.Run("runs", "delete", first.ToString(), "--track", Db);
        Assert.Equal(3, again);
        Assert.Contains($"no run {first}", againErr, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingOrMalformedDatabaseIsAnInputError()
    {
        var (code, _, err) = Cli.Run("runs", "list", "--track", Path.Combine(_dir, "absent.db"));
        Assert.Equal(3, code);
        Assert.Contains("No runs database", err, StringComparison.Ordinal);
        string junk = Path.Combine(_dir, "junk.db");
        File.WriteAllText(junk, new string('x', 5000));
        (code, _, err) = Cli.Run("runs", "show", "1", "--track", junk);
        Assert.Equal(3, code);
        Assert.Contains("not an SQLite database", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        (code, _, err) = Cli.Run("fit", "--data", "synthetic:linear?n=20", "--epochs", "2", "--track", junk);
        Assert.Equal(3, code);
        Assert.Contains("not an SQLite database", err, StringComparison.Ordinal);
    }

    [Fact]
    public void MinimizeTrackLogsTheTrajectoryAndTheStatus()
    {
        Assert.Equal(0, Cli.Run("minimize", "w^2", "--start", "w=10", "--lr", "0.3", "--steps", "5", "--track", Db).Code);
        Assert.Equal(4, Cli.Run("minimize", "w^2", "--start", "w=10", "--lr", "1.5", "--steps", "50", "--track", Db).Code);
        using var store = RunStore.Open(Db);
        var runs = store.ListRuns();
        Assert.Equal([RunStatus.Finished, RunStatus.Diverged], runs.Select(r => r.Status));
        var values = store.GetMetrics(runs[0].Id, MetricScope.Step, "value").Select(m => Math.Round(m.Value, 10)).ToArray();
        Assert.Equal([100, 16, 2.56, 0.4096, 0.065536, 0.01048576], values);
        var (code, compare) = Cli.Json("runs", "compare", runs[0].Id.ToString(), "--track", Db);
        Assert.Equal(0, code);
        Assert.Equal("value", (string)compare["runs"]![0]!["metric"]!);
        Assert.Equal(6, (int)compare["runs"]![0]!["points"]!);
    }

    [Fact]
    public void SweepTrackRecordsOneRunWithATrialPerEpoch()
    {
        Assert.Equal(0, Cli.Run("sweep", "minimize", "w^2", "--start", "w=10", "--lr", "1e-3..1e-1", "--steps", "10", "--track", Db).Code);
        using var store = RunStore.Open(Db);
        var run = Assert.Single(store.ListRuns());
        Assert.Equal(RunStatus.Finished, run.Status);
        var rates = store.GetMetrics(run.Id, MetricScope.Epoch, "learning_rate").Select(m => m.Value).ToArray();
        Assert.Equal([1e-3, 1e-2, 1e-1], rates.Select(r => Math.Round(r, 12)));
        Assert.Equal(3, store.GetMetrics(run.Id, MetricScope.Epoch, "score").Count);
    }

    [Fact]
    public async Task LiveStopFromThePageEndsTheFitStoppedWithExitFive()
    {
        string checkpoint = Path.Combine(_dir, "model.ckpt");
        var stdout = new StringWriter();
        var errors = new StringWriter();
        var stderr = TextWriter.Synchronized(errors);
        var fit = Task.Run(() => Program.Run(["fit", "--data", "synthetic:moons?n=200", "--model", "mlp", "--hidden", "8", "--batch-size", "4",
            "--epochs", "100000", "--live", "--track", Db, "--checkpoint", checkpoint, "--json"], stdout, stderr, CancellationToken.None));

        Uri? address = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (address is null && DateTime.UtcNow < deadline && !fit.IsCompleted)
        {
            string text;
            lock (stderr) text = errors.ToString();
            var match = Regex.Match(text, @"Live page: (http://127\.0\.0\.1:\d+/)");
            if (match.Success) address = new Uri(match.Groups[1].Value);
            else await Task.Delay(50);
        }
        Assert.True(address is not null, "no address on stderr: " + errors);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string html = await http.GetStringAsync(address);
        var token = Regex.Match(html, "name=\"descent-token\" content=\"([0-9a-f]+)\"").Groups[1].Value;
        if (token.Length == 0) token = Regex.Match(html, "content=\"([0-9a-f]{48})\"").Groups[1].Value;
        Assert.Equal(48, token.Length);
        await Task.Delay(300); // let a few batches run
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "api/stop"));
        request.Headers.Add("X-Descent-Token", token);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"stop answered {(int)response.StatusCode}");

        int code = await fit.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 5, $"exit {code}; stderr: {errors}");
        var result = JsonNode.Parse(stdout.ToString())!;
        Assert.Equal("interrupted", (string)result["stop_reason"]!);
        Assert.True(File.Exists(checkpoint));
        using var store = RunStore.Open(Db);
        var run = Assert.Single(store.ListRuns());
        Assert.Equal(RunStatus.Stopped, run.Status);
        Assert.Equal(Path.GetFullPath(checkpoint), run.CheckpointPath);
    }

    [Fact]
    public async Task DashboardServesTheWatchPageUntilCancelled()
    {
        Assert.Equal(0, Cli.Run("minimize", "w^2", "--start", "w=1", "--steps", "3", "--track", Db).Code);
        using var cts = new CancellationTokenSource();
        var stdout = new StringWriter();
        var output = TextWriter.Synchronized(stdout);
        var serve = Task.Run(() => Program.Run(["dashboard", "--track", Db], output, TextWriter.Null, cts.Token));
        Uri? address = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (address is null && DateTime.UtcNow < deadline && !serve.IsCompleted)
        {
            string text;
            lock (output) text = stdout.ToString();
            var match = Regex.Match(text, @"(http://127\.0\.0\.1:\d+/)");
            if (match.Success) address = new Uri(match.Groups[1].Value);
            else await Task.Delay(50);
        }
        Assert.True(address is not null, "no address: " + stdout);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Contains("<html", await http.GetStringAsync(address), StringComparison.OrdinalIgnoreCase);
        await cts.CancelAsync();
        Assert.Equal(0, await serve.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
