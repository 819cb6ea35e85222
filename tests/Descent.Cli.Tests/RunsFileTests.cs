using Descent.Tracking;
using Microsoft.Data.Sqlite;

namespace Descent.Cli.Tests;

/// <summary>
/// Runs files that must be refused, each with a message that names the file and the fix, its exit code, and the file
/// left as it was: damaged pages, an empty file, an export over the database itself, deleting a run that is running.
/// </summary>
public sealed class RunsFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-cli-runsfile-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string Damaged()
    {
        var path = Path.Combine(_dir, "damaged.db");
        using (var store = RunStore.Open(path))
        using (var w = store.StartRun(new RunStart { Command = "descent fit", Name = "damaged" }))
        {
            for (int i = 1; i <= 3000; i++) w.LogStep(i, 1 + i / 100, "loss", 1.0 / i);
            w.Finish(RunStatus.Finished, "max epochs");
        }
        SqliteConnection.ClearAllPools();
        var bytes = File.ReadAllBytes(path);
        for (int i = 3 * 4096; i < bytes.Length; i += 7) bytes[i] = 0xA5; // the header and schema pages stay intact
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData("runs", "show", "1")]
    [InlineData("runs", "export", "1", "--format", "json")]
    [InlineData("fit", "--data", "synthetic:linear?n=20", "--epochs", "2")]
    [InlineData("minimize", "w^2", "--start", "w=1", "--steps", "3")]
    [InlineData("dashboard")]
    public void ADamagedRunsFileIsNamedWithTheFixAndLeftAsItWas(params string[] command)
    {
        var path = Damaged();
        var before = File.ReadAllBytes(path);
        var (code, output, error) = Cli.Run([.. command, "--track", path]);
        Assert.True(code == 3, $"exit {code}; stdout: {output}; stderr: {error}");
        Assert.Contains($"the runs file {path} is damaged", error, StringComparison.Ordinal);
        Assert.Contains("--track NEW.db", error, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData("list")]
    [InlineData("show", "1")]
    [InlineData("delete", "1")]
    public void AnEmptyFileIsNotMadeIntoARunsDatabase(params string[] command)
    {
        var path = Path.Combine(_dir, "empty.db");
        File.WriteAllBytes(path, []);
        var (code, _, error) = Cli.Run(["runs", .. command, "--track", path]);
        Assert.Equal(3, code);
        Assert.Contains($"'{path}' is an empty file, not a runs database", error, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(path).Length);
        Assert.False(File.Exists(path + "-wal"));
    }

    [Fact]
    public void AFileThatIsNotSqliteIsRefusedByRunsListAndLeftAsItWas()
    {
        var path = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(path, "my notes, not a database\n");
        var (code, _, error) = Cli.Run("runs", "list", "--track", path);
        Assert.Equal(3, code);
        Assert.Contains("not an SQLite database", error, StringComparison.Ordinal);
        Assert.Equal("my notes, not a database\n", File.ReadAllText(path));
    }

    [Fact]
    public void ExportingOverTheRunsFileItselfIsRefused()
    {
        var db = Path.Combine(_dir, "r.db");
        Assert.Equal(0, Cli.Run("minimize", "w^2", "--start", "w=1", "--steps", "3", "--track", db).Code);
        SqliteConnection.ClearAllPools();
        var before = File.ReadAllBytes(db);
        foreach (var output in new[] { db, Path.Combine(_dir, ".", "r.db"), db + "-wal" })
        {
            var (code, _, error) = Cli.Run("runs", "export", "1", "--out", output, "--track", db);
            Assert.Equal(2, code);
            Assert.Contains("is the runs file itself", error, StringComparison.Ordinal);
            Assert.Contains("Choose another --out", error, StringComparison.Ordinal);
        }
        Assert.Equal(before, File.ReadAllBytes(db));
        var (listCode, list) = Cli.Json("runs", "list", "--track", db);
        Assert.Equal(0, listCode);
        Assert.Single(list["runs"]!.AsArray());
    }

    [Fact]
    public void DeletingARunThatIsRunningIsRefusedAndItsRecordGoesOn()
    {
        var db = Path.Combine(_dir, "runs.db");
        using var store = RunStore.Open(db);
        using var writer = store.StartRun(new RunStart { Command = "descent fit", Name = "running" }); // this process: alive
        writer.LogStep(1, 1, "loss", 2.0);
        writer.Flush();
        var (code, _, error) = Cli.Run("runs", "delete", writer.RunId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--track", db);
        Assert.Equal(3, code);
        Assert.Contains("is still running", error, StringComparison.Ordinal);
        Assert.Contains($"kill -TERM {Environment.ProcessId}", error, StringComparison.Ordinal);
        writer.LogStep(2, 1, "loss", 1.0);
        writer.EndEpoch(1);
        writer.Finish(RunStatus.Finished);
        Assert.Equal(2, store.GetMetrics(writer.RunId, MetricScope.Step, "loss").Count);
        Assert.Equal(0, Cli.Run("runs", "delete", writer.RunId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--track", db).Code);
        Assert.Empty(store.ListRuns());
    }
}
