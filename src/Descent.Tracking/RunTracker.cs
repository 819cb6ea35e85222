using System.Numerics;
using Descent.Learning.Training;
using Descent.Optimization.Stopping;

namespace Descent.Tracking;

/// <summary>Records a <see cref="Trainer{T}"/>'s run in a <see cref="RunStore"/> through the trainer's events.</summary>
public static class RunTracker
{
    /// <summary>
    /// Starts a run in <paramref name="store"/> and logs <paramref name="trainer"/>'s batches and epochs into it
    /// until the returned handle is completed and disposed. Typical use:
    /// <code>
    /// using var tracked = RunTracker.Attach(trainer, store, new RunStart { Command = "descent fit …" });
    /// var history = trainer.Fit(train, validation);
    /// tracked.Complete(history);
    /// </code>
    /// </summary>
    public static TrackedRun Attach<T>(Trainer<T> trainer, RunStore store, RunStart start, RunWriterOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(trainer);
        return Attach(trainer, store.StartRun(start, options), ownsWriter: true);
    }

    /// <summary>Logs <paramref name="trainer"/>'s batches and epochs into an existing run's writer.</summary>
    public static TrackedRun Attach<T>(Trainer<T> trainer, RunWriter writer, bool ownsWriter = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(writer);
        double? lastRate = null;
        void OnBatch(BatchRecord b)
        {
            writer.LogStep(b.Step, b.Epoch, "loss", b.Loss, b.Size);
            var rate = trainer.Optimizer.LearningRate;
            if (rate is { } r && rate != lastRate)
            {
                writer.LogStep(b.Step, b.Epoch, "learning_rate", r, 0);
                lastRate = rate;
            }
        }
        void OnEpoch(EpochRecord e) => writer.EndEpoch(e.Epoch, EpochValues(e));
        trainer.BatchEnded += OnBatch;
        trainer.EpochEnded += OnEpoch;
        return new TrackedRun(writer, ownsWriter, () =>
        {
            trainer.BatchEnded -= OnBatch;
            trainer.EpochEnded -= OnEpoch;
        });
    }

    /// <summary>The values an epoch record adds to the epoch's batch means.</summary>
    public static IEnumerable<KeyValuePair<string, double>> EpochValues(EpochRecord epoch)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        yield return new("loss", epoch.TrainLoss);
        if (epoch.ValidationLoss is { } v) yield return new("val_loss", v);
        if (epoch.LearningRate is { } lr) yield return new("learning_rate", lr);
        yield return new("gradient_norm", epoch.GradientNorm);
        yield return new("seconds", epoch.Seconds);
        foreach (var kv in epoch.Metrics) yield return kv;
    }

    /// <summary>The status a run ends with for a stop reason: cancelled → stopped, diverged → diverged, anything else → finished.</summary>
    public static RunStatus StatusOf(StopReason? reason) => reason?.Kind switch
    {
        StopKind.Cancelled => RunStatus.Stopped,
        StopKind.Diverged => RunStatus.Diverged,
        _ => RunStatus.Finished,
    };
}

/// <summary>A trainer's run being logged; complete it with the history, then dispose it to detach.</summary>
public sealed class TrackedRun : IDisposable
{
    private readonly bool _ownsWriter;
    private readonly Action _detach;
    private bool _disposed;

    internal TrackedRun(RunWriter writer, bool ownsWriter, Action detach)
    {
        Writer = writer;
        _ownsWriter = ownsWriter;
        _detach = detach;
    }

    /// <summary>The run's writer (for extra values, or the checkpoint path).</summary>
    public RunWriter Writer { get; }

    /// <summary>The run's id in its store.</summary>
    public long RunId => Writer.RunId;

    /// <summary>Marks the run finished, diverged or stopped according to <paramref name="history"/>'s stop reason.</summary>
    public void Complete(History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        Writer.Finish(RunTracker.StatusOf(history.StopReason), history.StopReason?.Message);
    }

    /// <summary>Marks the run failed with the error's message.</summary>
    public void Fail(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Writer.Finish(RunStatus.Failed, error.GetType().Name + ": " + error.Message);
    }

    /// <summary>Detaches from the trainer; when the writer is owned, disposes it (a run never completed is marked failed).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _detach();
        if (_ownsWriter) Writer.Dispose();
    }
}
