using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;
using Descent.Optimization.Stopping;

namespace Descent.Tracking.Tests;

public class RunTrackerTests
{
    private sealed class TestBatches(Dataset<double> data, int size, Action<int>? onBatch = null) : IBatchSource<double>
    {
        public int ExampleCount => data.Count;

        public IEnumerable<(Tensor<double> Features, Tensor<double> Targets)> Batches(int epoch)
        {
            int n = 0;
            for (int start = 0; start < data.Count; start += size)
            {
                onBatch?.Invoke(n++);
                var part = data.Slice(start, Math.Min(size, data.Count - start));
                yield return (part.X, part.Y);
            }
        }
    }

    [Fact]
    public void ATrainersBatchesAndEpochsAreRecordedAndTheEpochLossMatchesTheHistory()
    {
        using var temp = new TempFolder();
        using var store = RunStore.Open(temp.File("runs.db"));
        var data = SyntheticData.Blobs(100, 2, 1.0, seed: 3);
        var trainer = new Trainer<double>(new Mlp<double>(2, [8], 2, seed: 1), (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<double>(0.01),
            new TrainerOptions { Epochs = 4 });
        History history;
        long id;
        using (var tracked = RunTracker.Attach(trainer, store, new RunStart { Command = "test", Seed = 1 }))
        {
            id = tracked.RunId;
            history = trainer.Fit(new TestBatches(data, 30), data.Slice(0, 20));
            tracked.Complete(history);
        }
        var run = store.GetRun(id)!;
        Assert.Equal(RunStatus.Finished, run.Status);
        var steps = store.GetMetrics(id, MetricScope.Step, "loss");
        Assert.Equal(16, steps.Count);
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (long)i), steps.Select(p => p.Step));
        var epochLoss = store.GetMetrics(id, MetricScope.Epoch, "loss").Select(p => p.Value).ToArray();
        Assert.Equal(history.Epochs.Select(e => e.TrainLoss), epochLoss);
        // The epoch loss is the batch-size-weighted mean of the batch losses (batches of 30, 30, 30 and 10).
        var first = steps.Where(p => p.Epoch == 1).Select(p => p.Value).ToArray();
        Assert.Equal((30 * (first[0] + first[1] + first[2]) + 10 * first[3]) / 100, epochLoss[0], 12);
        Assert.Equal(history.Epochs.Select(e => e.ValidationLoss!.Value), store.GetMetrics(id, MetricScope.Epoch, "val_loss").Select(p => p.Value));
        Assert.Equal(0.01, store.GetMetrics(id, MetricScope.Step, "learning_rate").Single().Value);
        Assert.Equal(4, store.GetMetrics(id, MetricScope.Epoch, "gradient_norm").Count);
    }

    [Fact]
    public void ACancelledRunIsStoppedAndAnUncompletedOneFailed()
    {
        using var temp = new TempFolder();
        using var store = RunStore.Open(temp.File("runs.db"));
        using var cancel = new CancellationTokenSource();
        var data = SyntheticData.Blobs(100, 2, 1.0, seed: 3);
        var trainer = new Trainer<double>(new Mlp<double>(2, [8], 2, seed: 1), (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<double>(0.01),
            new TrainerOptions { Epochs = 10, Cancellation = cancel.Token });
        long id;
        using (var tracked = RunTracker.Attach(trainer, store, new RunStart { Command = "test" }))
        {
            id = tracked.RunId;
            var history = trainer.Fit(new TestBatches(data, 10, n => { if (n == 5) cancel.Cancel(); }));
            Assert.Equal(StopKind.Cancelled, history.StopReason!.Kind);
            tracked.Complete(history);
        }
        Assert.Equal(RunStatus.Stopped, store.GetRun(id)!.Status);
        Assert.Equal(5, store.GetMetrics(id, MetricScope.Step, "loss").Count);

        var other = new Trainer<double>(new Mlp<double>(2, [8], 2, seed: 1), (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<double>(0.01));
        using (var tracked = RunTracker.Attach(other, store, new RunStart { Command = "crash" }))
        {
            id = tracked.RunId;
            tracked.Fail(new InvalidDataException("bad row 7"));
        }
        Assert.Equal(RunStatus.Failed, store.GetRun(id)!.Status);
        Assert.Equal("InvalidDataException: bad row 7", store.GetRun(id)!.StopReason);
    }

    [Theory]
    [InlineData(StopKind.Cancelled, RunStatus.Stopped)]
    [InlineData(StopKind.Diverged, RunStatus.Diverged)]
    [InlineData(StopKind.MaxSteps, RunStatus.Finished)]
    [InlineData(StopKind.Patience, RunStatus.Finished)]
    public void StopReasonsMapToStatuses(StopKind kind, RunStatus status) =>
        Assert.Equal(status, RunTracker.StatusOf(new StopReason(kind, 1, "why")));
}
