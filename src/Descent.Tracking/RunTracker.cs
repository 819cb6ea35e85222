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
        TrackedRun? tracked = null;
        var callback = new Callback(writer, error => tracked!.Lose(error.Error, error.Epoch));
        var subscription = trainer.AddCallback(callback);
        tracked = new TrackedRun(writer, ownsWriter, subscription.Dispose);
        return tracked;
    }

    /// <summary>
    /// Writes batches and epochs into a run: the loss of every batch, the learning rate whenever it changes, the
    /// epoch's values. A runs file that stops taking writes (full disk, damaged pages) ends the record, not the training.
    /// </summary>
    private sealed class Callback(RunWriter writer, Action<(RunStoreException Error, int Epoch)> lose) : ITrainingCallback
    {
        public void OnBatchEnd(BatchRecord b)
        {
            try
            {
                writer.LogStep(b.Step, b.Epoch, "loss", b.Loss, b.Size);
                if (b.LearningRateChanged && b.LearningRate is { } rate) writer.LogStep(b.Step, b.Epoch, "learning_rate", rate, 0);
            }
            catch (RunStoreException e)
            {
                lose((e, b.Epoch));
            }
        }

        public void OnEpochEnd(EpochRecord e)
        {
            try
            {
                writer.EndEpoch(e.Epoch, EpochValues(e));
            }
            catch (RunStoreException error)
            {
                lose((error, e.Epoch));
            }
        }
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
    private bool _detached;
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

    /// <summary>
    /// Why the record stopped before the training did: the runs file stopped taking writes (a full disk, damaged
    /// pages). The training went on; the file keeps what was committed before. Null while every value is recorded.
    /// </summary>
    public RunStoreException? Error { get; private set; }

    /// <summary>The epoch during which the record stopped (see <see cref="Error"/>), or 0.</summary>
    public int ErrorEpoch { get; private set; }

    /// <summary>
    /// Marks the run finished, diverged or stopped according to <paramref name="history"/>'s stop reason. When the
    /// file refuses that last write, <see cref="Error"/> says so instead of an exception: the training's result stands.
    /// </summary>
    public void Complete(History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        try
        {
            Writer.Finish(RunTracker.StatusOf(history.StopReason), history.StopReason?.Message);
        }
        catch (RunStoreException e)
        {
            Lose(e, history.Epochs.Count);
        }
    }

    internal void Lose(RunStoreException error, int epoch)
    {
        if (Error is null)
        {
            Error = error;
            ErrorEpoch = epoch;
        }
        Detach();
    }

    private void Detach()
    {
        if (_detached) return;
        _detached = true;
        _detach();
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
        Detach();
        if (_ownsWriter) Writer.Dispose();
    }
}
