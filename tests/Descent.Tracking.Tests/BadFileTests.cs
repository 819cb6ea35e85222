using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;
using Microsoft.Data.Sqlite;

namespace Descent.Tracking.Tests;

/// <summary>Runs files that fail under a writer or a reader: damaged pages (SQLite error 11) and a full disk (SQLITE_FULL).</summary>
public class BadFileTests
{
    /// <summary>A runs file of one run with <paramref name="rows"/> step values, its pages from the fourth on overwritten.</summary>
    internal static void WriteDamaged(string path, int rows = 3000)
    {
        using (var store = RunStore.Open(path))
        using (var w = store.StartRun(new RunStart { Command = "descent fit", Name = "damaged" }))
        {
            for (int i = 1; i <= rows; i++) w.LogStep(i, 1 + i / 100, "loss", 1.0 / i);
            w.Finish(RunStatus.Finished, "max epochs");
        }
        SqliteConnection.ClearAllPools();
        Assert.False(File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0, "the WAL was not checkpointed on close");
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length >= 8 * 4096, $"only {bytes.Length} bytes");
        for (int i = 3 * 4096; i < bytes.Length; i += 7) bytes[i] = 0xA5;
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void DamagedPagesAreReportedWithTheFileAndTheFixAndNothingIsWritten()
    {
        using var temp = new TempFolder();
        var path = temp.File("runs.db");
        WriteDamaged(path);
        var before = File.ReadAllBytes(path);
        using (var store = RunStore.Open(path))
        {
            var check = Assert.Throws<RunStoreException>(store.CheckIntegrity);
            Assert.StartsWith($"the runs file {path} is damaged: ", check.Message, StringComparison.Ordinal);
            Assert.Contains("--track NEW.db", check.Message, StringComparison.Ordinal);
            Assert.Equal(path, check.StorePath);
            // Reading the damaged pages: the same words, never a bare SqliteException.
            var read = Assert.Throws<RunStoreException>(() => store.GetMetrics(1));
            Assert.StartsWith($"the runs file {path} is damaged: ", read.Message, StringComparison.Ordinal);
            Assert.IsType<SqliteException>(read.InnerException);
        }
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void AFullDiskEndsTheRecordNotTheTrainingAndTheCheckpointIsKept()
    {
        using var temp = new TempFolder();
        var path = temp.File("runs.db");
        var checkpoint = temp.File("model.ckpt");
        using var store = RunStore.Open(path);
        // SQLITE_FULL without filling a disk: this connection may not grow the file past a few more pages.
        using (var cmd = store.Connection.CreateCommand())
        {
            cmd.CommandText = "PRAGMA page_count";
            long pages = (long)cmd.ExecuteScalar()!;
            cmd.CommandText = $"PRAGMA max_page_count = {pages + 3}";
            Assert.Equal(pages + 3, (long)cmd.ExecuteScalar()!);
        }
        var data = SyntheticData.Blobs(200, 2, 1.0, seed: 3);
        var trainer = new Trainer<double>(new Mlp<double>(2, [8], 2, seed: 1), (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<double>(0.01),
            new TrainerOptions { Epochs = 40, CheckpointPath = checkpoint });
        History history;
        TrackedRun tracked;
        using (tracked = RunTracker.Attach(trainer, store, new RunStart { Command = "test" }, new RunWriterOptions { FlushRows = 16 }))
        {
            history = trainer.Fit(DataLoader<double>.MiniBatches(data, 4, seed: 1), data.Slice(0, 20));
            tracked.Complete(history);
        }
        Assert.Equal(40, history.Epochs.Count); // the training went on to the end
        var error = Assert.IsType<RunStoreException>(tracked.Error);
        Assert.StartsWith($"the runs file {path} cannot grow: the disk is full", error.Message, StringComparison.Ordinal);
        Assert.InRange(tracked.ErrorEpoch, 1, 39);
        Assert.NotEmpty(Checkpoint.Load(checkpoint).Tensors); // written after every epoch, the last one included
        // What was committed before the disk filled is still there and readable.
        using var reader = RunStore.Open(path);
        var run = Assert.Single(reader.ListRuns());
        var steps = reader.GetMetrics(run.Id, MetricScope.Step, "loss");
        Assert.NotEmpty(steps);
        Assert.Equal(Enumerable.Range(1, steps.Count).Select(i => (long)i), steps.Select(p => p.Step));
    }
}
