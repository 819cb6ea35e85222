using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Descent.Tracking.Tests;

public class KillTests
{
    [Fact]
    public void ARunKilledWithSigkillLeavesAConsistentFileWhoseRunShowsInterrupted()
    {
        using var temp = new TempFolder();
        var db = temp.File("runs.db");
        var host = Path.Combine(AppContext.BaseDirectory, "Descent.TrackingHost.dll");
        Assert.True(File.Exists(host), $"the helper host is missing: {host}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", host, "train", "--db", db, "--epochs", "100000", "--delay-ms", "2", "--flush-ms", "100" }) start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        int seenBeforeKill;
        try
        {
            // Wait until the child has committed a good number of batches, in several transactions.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            seenBeforeKill = 0;
            while (DateTime.UtcNow < deadline && !child.HasExited)
            {
                if (File.Exists(db))
                {
                    try
                    {
                        using var store = RunStore.Open(db);
                        if (store.GetRun(1) is { } run)
                        {
                            Assert.Equal(RunStatus.Running, run.Status);
                            seenBeforeKill = store.GetMetrics(1, MetricScope.Step, "loss").Count;
                            if (seenBeforeKill >= 150) break;
                        }
                    }
                    catch (RunStoreException)
                    {
                        // The child is still creating the schema.
                    }
                }
                Thread.Sleep(50);
            }
            if (child.HasExited) Assert.Fail("the host exited early: " + child.StandardError.ReadToEnd());
            Assert.True(seenBeforeKill >= 150, $"the host logged only {seenBeforeKill} batches in 60 s");
        }
        finally
        {
            child.Kill(); // SIGKILL on Linux: no handler, no finally, no flush runs in the child.
            child.WaitForExit();
        }
        Assert.Equal(137, child.ExitCode);

        using (var check = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            check.Open();
            using var cmd = check.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", cmd.ExecuteScalar());
        }
        using var reopened = RunStore.Open(db);
        var killed = reopened.GetRun(1)!;
        Assert.Equal(RunStatus.Interrupted, killed.Status);
        Assert.Null(killed.EndedAt);
        var losses = reopened.GetMetrics(1, MetricScope.Step, "loss");
        Assert.True(losses.Count >= seenBeforeKill, $"{losses.Count} batches after the kill, {seenBeforeKill} seen before it");
        Assert.Equal(Enumerable.Range(1, losses.Count).Select(i => (long)i), losses.Select(p => p.Step));
        // Every epoch that ended was committed with it: 32 batches of 16 make an epoch of the 512 blobs.
        int epochs = reopened.GetMetrics(1, MetricScope.Epoch, "loss").Count;
        Assert.InRange(epochs, losses.Count / 32 - 1, losses.Count / 32);

        // The file is still good for new runs.
        using var writer = reopened.StartRun(new RunStart { Command = "after" });
        writer.Finish(RunStatus.Finished);
        Assert.Equal(RunStatus.Finished, reopened.GetRun(writer.RunId)!.Status);
    }
}
