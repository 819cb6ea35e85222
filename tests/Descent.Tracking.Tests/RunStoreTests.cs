using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Descent.Tracking.Tests;

public class RunStoreTests
{
    private static object? Pragma(string path, string sql)
    {
        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    [Fact]
    public void ANewFileGetsTheVersionedSchemaInWalMode()
    {
        using var temp = new TempFolder();
        var path = temp.File("runs.db");
        using (RunStore.Open(path)) { }
        Assert.Equal("wal", Pragma(path, "PRAGMA journal_mode"));
        Assert.Equal((long)RunStore.ApplicationId, Pragma(path, "PRAGMA application_id"));
        Assert.Equal((long)RunStore.SchemaVersion, Pragma(path, "PRAGMA user_version"));
        using var again = RunStore.Open(path);
        Assert.Empty(again.ListRuns());
    }

    [Fact]
    public void ARunRecordsItsCommandSettingsSeedVersionTimesStatusAndCheckpoint()
    {
        using var temp = new TempFolder();
        using var store = RunStore.Open(temp.File("runs.db"));
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        long id;
        using (var writer = store.StartRun(new RunStart { Command = "descent fit data.csv", Settings = new JsonObject { ["lr"] = 0.1, ["hidden"] = new JsonArray(8, 4) }, Seed = 42, CheckpointPath = "model.safetensors" }))
        {
            id = writer.RunId;
            var running = store.GetRun(id)!;
            Assert.Equal(RunStatus.Running, running.Status);
            Assert.Null(running.EndedAt);
            writer.LogStep(1, 1, "loss", 0.5, 4);
            writer.Finish(RunStatus.Diverged, "the loss became NaN");
        }
        var run = store.GetRun(id)!;
        Assert.Equal("descent fit data.csv", run.Command);
        Assert.Equal(0.1, run.Settings["lr"]!.GetValue<double>());
        Assert.Equal(42, run.Seed);
        Assert.Equal(DescentInfo.Version, run.LibraryVersion);
        Assert.Equal(RunStatus.Diverged, run.Status);
        Assert.Equal("the loss became NaN", run.StopReason);
        Assert.Equal("model.safetensors", run.CheckpointPath);
        Assert.Equal(Environment.ProcessId, run.ProcessId);
        Assert.InRange(run.StartedAt, before, DateTimeOffset.UtcNow);
        Assert.NotNull(run.EndedAt);
        Assert.Null(store.GetRun(id + 1));
    }

    [Fact]
    public void EpochMeansAreWeightedByBatchSizeAndGivenValuesWin()
    {
        using var temp = new TempFolder();
        using var store = RunStore.Open(temp.File("runs.db"));
        using var writer = store.StartRun(new RunStart { Command = "loop" });
        writer.LogStep(1, 1, "loss", 1.0, 10);
        writer.LogStep(2, 1, "loss", 3.0, 30);
        writer.LogStep(1, 1, "accuracy", 0.5, 10);
        writer.LogStep(2, 1, "accuracy", 1.0, 30);
        writer.EndEpoch(1, [new("accuracy", 0.9), new("val_loss", 2.0)]);
        writer.LogStep(3, 2, "loss", 7.0, 5);
        writer.EndEpoch(2);
        writer.Finish(RunStatus.Finished);
        var epochs = store.GetMetrics(writer.RunId, MetricScope.Epoch);
        Assert.Equal(2.5, epochs.Single(p => p.Epoch == 1 && p.Name == "loss").Value, 12);
        Assert.Equal(0.9, epochs.Single(p => p.Epoch == 1 && p.Name == "accuracy").Value);
        Assert.Equal(2.0, epochs.Single(p => p.Epoch == 1 && p.Name == "val_loss").Value);
        Assert.Equal(2, epochs.Single(p => p.Epoch == 1 && p.Name == "loss").Step);
        Assert.Equal(7.0, epochs.Single(p => p.Epoch == 2 && p.Name == "loss").Value);
        Assert.Equal(5, store.GetMetrics(writer.RunId, MetricScope.Step).Count);
    }

    [Fact]
    public void NonFiniteValuesRoundTrip()
    {
        using var temp = new TempFolder();
        using var store = RunStore.Open(temp.File("runs.db"));
        using var writer = store.StartRun(new RunStart { Command = "x" });
        writer.LogStep(1, 1, "loss", double.NaN);
        writer.LogStep(2, 1, "loss", double.PositiveInfinity);
        writer.Finish(RunStatus.Diverged);
        var values = store.GetMetrics(writer.RunId, MetricScope.Step, "loss").Select(p => p.Value).ToArray();
        Assert.True(double.IsNaN(values[0]));
        Assert.Equal(double.PositiveInfinity, values[1]);
    }

    [Fact]
    public void ValuesAreCommittedInBatchesNotOneByOne()
    {
        using var temp = new TempFolder();
        using var store = RunStore.Open(temp.File("runs.db"));
        using var writer = store.StartRun(new RunStart { Command = "x" }, new RunWriterOptions { FlushRows = 100, FlushInterval = TimeSpan.FromHours(1) });
        using var reader = RunStore.Open(store.Path);
        for (int i = 1; i <= 99; i++) writer.LogStep(i, 1, "loss", i);
        Assert.Empty(reader.GetMetrics(writer.RunId));
        writer.LogStep(100, 1, "loss", 100);
        Assert.Equal(100, reader.GetMetrics(writer.RunId).Count);
        Assert.Equal(1, writer.Commits);
        writer.LogStep(101, 1, "loss", 101);
        writer.Finish(RunStatus.Finished);
        Assert.Equal(101, reader.GetMetrics(writer.RunId).Count);
    }

    [Fact]
    public void TheTimerCommitsWaitingValues()
    {
        using var temp = new TempFolder();
        using var store = RunStore.Open(temp.File("runs.db"));
        using var writer = store.StartRun(new RunStart { Command = "x" }, new RunWriterOptions { FlushInterval = TimeSpan.FromMilliseconds(50) });
        using var reader = RunStore.Open(store.Path);
        writer.LogStep(1, 1, "loss", 1);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (reader.GetMetrics(writer.RunId).Count == 0 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.Single(reader.GetMetrics(writer.RunId));
        writer.Finish(RunStatus.Finished);
    }

    [Fact]
    public void ADisposedUnfinishedRunIsFailedAndFinishedRunsRefuseMoreValues()
    {
        using var temp = new TempFolder();
        using var store = RunStore.Open(temp.File("runs.db"));
        long id;
        using (var writer = store.StartRun(new RunStart { Command = "x" })) id = writer.RunId;
        Assert.Equal(RunStatus.Failed, store.GetRun(id)!.Status);
        var done = store.StartRun(new RunStart { Command = "y" });
        done.Finish(RunStatus.Finished);
        Assert.Throws<InvalidOperationException>(() => done.LogStep(1, 1, "loss", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.StartRun(new RunStart { Command = "z" }).Finish(RunStatus.Interrupted));
    }

    [Fact]
    public async Task ConcurrentReadersSeeWholeTransactionsWhileARunIsWritten()
    {
        using var temp = new TempFolder();
        var path = temp.File("runs.db");
        using var store = RunStore.Open(path);
        using var writer = store.StartRun(new RunStart { Command = "x" }, new RunWriterOptions { FlushRows = 50, FlushInterval = TimeSpan.FromHours(1) });
        const int total = 3000;
        var done = 0;
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            using var reader = RunStore.Open(path);
            int reads = 0, last = 0;
            while (Volatile.Read(ref done) == 0 || reads == 0)
            {
                var points = reader.GetMetrics(writer.RunId, MetricScope.Step, "loss");
                Assert.True(points.Count >= last, "a reader saw fewer values than before");
                Assert.True(points.Count % 50 == 0 || points.Count == total, $"a reader saw {points.Count} values: part of a transaction");
                for (int i = 0; i < points.Count; i++) Assert.Equal(i + 1, points[i].Step);
                Assert.Contains(reader.GetRun(writer.RunId)!.Status, new[] { RunStatus.Running, RunStatus.Finished });
                last = points.Count;
                reads++;
            }
            return reads;
        })).ToArray();
        for (int i = 1; i <= total; i++)
        {
            writer.LogStep(i, 1 + i / 1000, "loss", 1.0 / i, 8);
            if (i % 200 == 0) Thread.Sleep(1);
        }
        writer.Finish(RunStatus.Finished);
        Volatile.Write(ref done, 1);
        int[] counts = await Task.WhenAll(readers);
        Assert.All(counts, c => Assert.True(c > 0));
        using var check = RunStore.Open(path);
        Assert.Equal(total, check.GetMetrics(writer.RunId, MetricScope.Step).Count);
    }

    [Fact]
    public void ListCompareExportAndDelete()
    {
        using var temp = new TempFolder();
        using var store = RunStore.Open(temp.File("runs.db"));
        long[] ids = new long[2];
        for (int r = 0; r < 2; r++)
        {
            using var w = store.StartRun(new RunStart { Command = $"run {r}", Name = $"lr {r}", Settings = new JsonObject { ["lr"] = r } });
            ids[r] = w.RunId;
            for (int e = 1; e <= 3; e++)
            {
                w.LogStep(e, e, "loss", (r + 1.0) / e, 2);
                w.EndEpoch(e, [new("val_loss", (r + 2.0) / e)]);
            }
            w.Finish(RunStatus.Finished, "max epochs");
        }
        Assert.Equal(ids, store.ListRuns().Select(r => r.Id));
        var comparison = store.Compare(ids, "val_loss");
        Assert.Equal(2, comparison.Curves.Count);
        Assert.Equal([2.0, 1.0, 2.0 / 3], comparison.Curves[0].Points.Select(p => p.Value));
        Assert.Equal(1.0, comparison.Curves[1].Last, 12);
        Assert.Equal(1.0, comparison.Curves[1].Best, 12);
        Assert.Throws<KeyNotFoundException>(() => store.Compare([ids[0], 99]));

        var csv = temp.File("run.csv");
        store.ExportCsv(ids[0], csv);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("scope,step,epoch,name,value,seconds", lines[0]);
        Assert.Equal(1 + 3 * 3, lines.Length);
        Assert.StartsWith("step,1,1,loss,1,", lines[1]);
        var json = temp.File("run.json");
        store.ExportJson(ids[1], json);
        using (var doc = JsonDocument.Parse(File.ReadAllText(json)))
        {
            Assert.Equal("lr 1", doc.RootElement.GetProperty("run").GetProperty("name").GetString());
            Assert.Equal(1, doc.RootElement.GetProperty("run").GetProperty("settings").GetProperty("lr").GetInt32());
            Assert.Equal("finished", doc.RootElement.GetProperty("run").GetProperty("status").GetString());
            Assert.Equal(9, doc.RootElement.GetProperty("metrics").GetArrayLength());
        }
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp-*"));
        Assert.Throws<KeyNotFoundException>(() => store.ExportCsv(99, csv));

        Assert.True(store.DeleteRun(ids[0]));
        Assert.False(store.DeleteRun(ids[0]));
        Assert.Null(store.GetRun(ids[0]));
        Assert.Throws<KeyNotFoundException>(() => store.GetMetrics(ids[0]));
        Assert.Equal(9, store.GetMetrics(ids[1]).Count);
    }

    [Fact]
    public void AFileThatIsNotSqliteIsRefusedAndLeftAlone()
    {
        using var temp = new TempFolder();
        var path = temp.File("notes.db");
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<RunStoreException>(() => RunStore.Open(path));
        Assert.Contains("not an SQLite database", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void ADamagedSqliteFileIsRefused()
    {
        using var temp = new TempFolder();
        var path = temp.File("damaged.db");
        using (var store = RunStore.Open(path))
        using (var w = store.StartRun(new RunStart { Command = "x" }))
            w.Finish(RunStatus.Finished);
        var bytes = File.ReadAllBytes(path);
        for (int i = 100; i < bytes.Length; i++) bytes[i] = 0xA5;
        File.WriteAllBytes(path, bytes);
        foreach (var side in new[] { path + "-wal", path + "-shm" }) File.Delete(side);
        var e = Assert.Throws<RunStoreException>(() => RunStore.Open(path));
        Assert.Contains($"the runs file {path} is damaged", e.Message);
    }

    [Fact]
    public void AnotherApplicationsDatabaseIsRefusedAndNotChanged()
    {
        using var temp = new TempFolder();
        var path = temp.File("app.db");
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE customers (id INTEGER, name TEXT); INSERT INTO customers VALUES (1, 'Ada');";
            cmd.ExecuteNonQuery();
        }
        var before = File.ReadAllBytes(path);
        var e = Assert.Throws<RunStoreException>(() => RunStore.Open(path));
        Assert.Contains("another application", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + "-wal"));

        var marked = temp.File("marked.db");
        using (var c = new SqliteConnection($"Data Source={marked};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA application_id = 1234;";
            cmd.ExecuteNonQuery();
        }
        Assert.Contains("0x000004D2", Assert.Throws<RunStoreException>(() => RunStore.Open(marked)).Message);
    }

    [Fact]
    public void ANewerSchemaIsRefused()
    {
        using var temp = new TempFolder();
        var path = temp.File("runs.db");
        using (RunStore.Open(path)) { }
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 99;";
            cmd.ExecuteNonQuery();
        }
        Assert.Contains("newer Descent", Assert.Throws<RunStoreException>(() => RunStore.Open(path)).Message);
    }

    [Fact]
    public void AnEmptyFileBecomesAStore()
    {
        using var temp = new TempFolder();
        var path = temp.File("empty.db");
        File.WriteAllBytes(path, []);
        using var store = RunStore.Open(path);
        Assert.Empty(store.ListRuns());
    }

    [Fact]
    public void ARunningRunIsInterruptedWhenItsWriterIsGone()
    {
        Assert.True(RunStore.WriterAlive(Environment.MachineName, Environment.ProcessId, null, DateTimeOffset.UtcNow));
        Assert.False(RunStore.WriterAlive(Environment.MachineName, int.MaxValue - 7, null, DateTimeOffset.UtcNow));
        using var self = System.Diagnostics.Process.GetProcessById(1);
        long bogusStart = new DateTimeOffset(self.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() - 3_600_000;
        Assert.False(RunStore.WriterAlive(Environment.MachineName, 1, bogusStart, DateTimeOffset.UtcNow));
        Assert.True(RunStore.WriterAlive("elsewhere", 1, null, DateTimeOffset.UtcNow));
        Assert.False(RunStore.WriterAlive("elsewhere", 1, null, DateTimeOffset.UtcNow - RunStore.StaleHeartbeat - TimeSpan.FromSeconds(1)));
    }
}
