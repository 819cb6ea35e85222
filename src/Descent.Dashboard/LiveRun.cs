using System.Numerics;
using Descent.Learning.Training;
using Descent.Tracking;

namespace Descent.Dashboard;

/// <summary>
/// A run shown live on a <see cref="LiveDashboard"/>. Feed it points yourself (a hand-written loop) or let
/// <see cref="LiveDashboard.Attach{T}"/> feed it from a trainer's events; each call costs a list append and a pulse, each under a lock,
/// and the page receives the points in batches a few times a second.
/// </summary>
public sealed class LiveRun : IDisposable
{
    private readonly RunFeed _feed;
    private readonly FeedHub _hub;
    private Action? _detach;

    internal LiveRun(RunFeed feed, FeedHub hub)
    {
        _feed = feed;
        _hub = hub;
    }

    /// <summary>The run's key on the page.</summary>
    public string Key => _feed.Key;

    /// <summary>Points recorded so far.</summary>
    public int PointCount => _feed.Count;

    /// <summary>Records one step's value (x = step).</summary>
    public void LogStep(long step, int epoch, string name, double value)
    {
        _feed.Add(new FeedPoint(MetricScope.Step, step, epoch, name, value));
        Notify();
    }

    /// <summary>Records one epoch-level value, drawn at the step that ended the epoch.</summary>
    public void LogEpoch(long step, int epoch, string name, double value)
    {
        _feed.Add(new FeedPoint(MetricScope.Epoch, step, epoch, name, value));
        Notify();
    }

    /// <summary>Reports progress: the current epoch (from 1), the batch within it, and the optimizer step.</summary>
    public void Progress(int epoch, int batch, long step)
    {
        _feed.Progress(epoch, batch, step);
        Notify();
    }

    /// <summary>Marks the run ended: status "finished", "stopped", "diverged" or "failed", with a reason in words.</summary>
    public void End(RunStatus status, string? reason = null)
    {
        _feed.SetStatus(status.ToString().ToLowerInvariant(), reason);
        Notify();
    }

    /// <summary>Marks the run ended according to a trainer's history (cancelled → stopped, diverged → diverged, else finished).</summary>
    public void Complete(History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        End(RunTracker.StatusOf(history.StopReason), history.StopReason?.Message);
    }

    internal void Attach<T>(Trainer<T> trainer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var subscription = trainer.AddCallback(new Callback(this));
        _detach = subscription.Dispose;
    }

    /// <summary>Puts every batch's loss (and the learning rate when it changes) and every epoch's values on the page.</summary>
    private sealed class Callback(LiveRun run) : ITrainingCallback
    {
        private long _lastStep;

        public void OnBatchEnd(BatchRecord b)
        {
            _lastStep = b.Step;
            run._feed.Add(new FeedPoint(MetricScope.Step, b.Step, b.Epoch, "loss", b.Loss));
            if (b.LearningRateChanged && b.LearningRate is { } rate) run._feed.Add(new FeedPoint(MetricScope.Step, b.Step, b.Epoch, "learning_rate", rate));
            run._feed.Progress(b.Epoch, b.Batch, b.Step);
            run.Notify();
        }

        public void OnEpochEnd(EpochRecord e)
        {
            foreach (var (name, value) in RunTracker.EpochValues(e)) run._feed.Add(new FeedPoint(MetricScope.Epoch, _lastStep, e.Epoch, name, value));
            run.Notify();
        }
    }

    /// <summary>Stops listening to the trainer (the run stays on the page).</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _detach, null)?.Invoke();
        Notify();
    }

    // Every change pulses: a stream that waits wakes at once, then sends at most once per push interval, and a pulse
    // that finds no stream waiting costs a lock and a no-op (see FeedHub).
    private void Notify() => _hub.Pulse();
}
