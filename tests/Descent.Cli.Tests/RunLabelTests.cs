using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Descent.Cli;
using Descent.Tracking;

namespace Descent.Cli.Tests;

/// <summary><c>--name</c> and <c>--tag</c> on fit, minimize and sweep; <c>--live-exit</c> keeps the finished run's page up.</summary>
public sealed class RunLabelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-cli-labels-").FullName;

    private string Db => Path.Combine(_dir, "runs.db");

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void NameAndTagsAreRecordedForFitMinimizeAndSweep()
    {
        var (code, _, err) = Cli.Run("fit", "--data", "synthetic:linear?n=40", "--epochs", "2", "--track", Db, "--name", "baseline", "--tag", "small", "--tag", "linear");
        Assert.True(code == 0, err);
        Assert.Equal(0, Cli.Run("minimize", "w^2", "--start", "w=3", "--steps", "3", "--track", Db, "--name", "parabola", "--tag", "toy").Code);
        Assert.Equal(0, Cli.Run("sweep", "minimize", "w^2", "--start", "w=10", "--lr", "1e-2..1e-1", "--steps", "5", "--track", Db, "--name", "lr sweep", "--tag", "toy").Code);
        Assert.Equal(0, Cli.Run("fit", "--data", "synthetic:linear?n=40", "--epochs", "2", "--track", Db).Code);

        using var store = RunStore.Open(Db);
        var runs = store.ListRuns();
        Assert.Equal(["baseline", "parabola", "lr sweep", "fit synthetic:linear?n=40"], runs.Select(r => r.Name));
        Assert.Equal(["small", "linear"], runs[0].Settings["tags"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(["toy"], runs[1].Settings["tags"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(["toy"], runs[2].Settings["tags"]!.AsArray().Select(t => (string)t!));
        Assert.Null(runs[3].Settings["tags"]);
    }

    [Theory]
    [InlineData("--name", "x", "add --track or --live")]
    [InlineData("--tag", "x", "add --track or --live")]
    [InlineData("--live-exit", "5", "--live-exit goes with --live")]
    public void LabelsWithoutARecordAreUsageErrors(string option, string value, string message)
    {
        var (code, _, err) = Cli.Run("fit", "--data", "synthetic:linear?n=40", "--epochs", "2", option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public void ABlankNameIsAUsageError()
    {
        var (code, _, err) = Cli.Run("minimize", "w^2", "--start", "w=3", "--track", Db, "--name", " ");
        Assert.Equal(2, code);
        Assert.Contains("--name needs a non-blank value", err, StringComparison.Ordinal);
        Assert.False(File.Exists(Db) && RunStore.Open(Db) is var s && s.ListRuns().Count > 0);
    }

    [Fact]
    public async Task LiveExitKeepsTheFinishedRunsPageUpThenExits()
    {
        var stdout = new StringWriter();
        var errors = new StringWriter();
        var stderr = TextWriter.Synchronized(errors);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var fit = Task.Run(() => Program.Run(["fit", "--data", "synthetic:linear?n=40", "--epochs", "5", "--live", "--live-exit", "3", "--name", "kept", "--json"],
            stdout, stderr, CancellationToken.None));
        Uri? address = null;
        while (address is null && clock.Elapsed < TimeSpan.FromSeconds(60) && !fit.IsCompleted)
        {
            string text;
            lock (stderr) text = errors.ToString();
            var match = Regex.Match(text, @"stays at (http://127\.0\.0\.1:\d+/)");
            if (match.Success) address = new Uri(match.Groups[1].Value);
            else await Task.Delay(50);
        }
        Assert.True(address is not null, "no 'stays at' line on stderr: " + errors);
        Assert.False(fit.IsCompleted);
        // The page still answers, with the run finished and its final points.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        // The page takes a run's status and its points in separate frames: wait for the finished status and the last
        // point (or the end of the 3 s the page stays up).
        static bool Complete(JsonNode state) =>
            state["runs"]!.AsArray() is { Count: > 0 } runs && (string?)runs[0]!["status"] == "finished"
            && state["series"]?[(string)runs[0]!["key"]!]?["epoch:loss"]?[0]?.AsArray().Count == 5;
        JsonNode state;
        do state = JsonNode.Parse(await http.GetStringAsync(new Uri(address, "api/state")))!;
        while (!Complete(state) && !fit.IsCompleted && await Task.Delay(50).ContinueWith(_ => true));
        var run = state["runs"]![0]!;
        Assert.Equal("kept", (string)run["name"]!);
        Assert.Equal("finished", (string)run["status"]!);
        Assert.Equal(5, state["series"]![(string)run["key"]!]!["epoch:loss"]![0]!.AsArray().Count);
        Assert.Equal(0, await fit.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"exited after {clock.Elapsed}");
    }
}
