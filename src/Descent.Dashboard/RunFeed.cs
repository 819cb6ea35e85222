using System.Text.Json.Nodes;
using Descent.Tracking;

namespace Descent.Dashboard;

/// <summary>One point of a live curve.</summary>
internal readonly record struct FeedPoint(MetricScope Scope, long Step, int Epoch, string Name, double Value);

/// <summary>What the page knows about one run: its settings, progress, status and points, appended as they come.</summary>
internal sealed class RunFeed(string key, string name, string settingsJson, bool live)
{
    private readonly Lock _gate = new();
    private readonly List<FeedPoint> _points = [];

    public string Key { get; } = key;
    public string Name { get; } = name;
    public string SettingsJson { get; } = settingsJson;
    public bool Live { get; } = live;
    public string Status { get; private set; } = "running";
    public string? Reason { get; private set; }
    public int Epoch { get; private set; }
    public int Batch { get; private set; }
    public int? BatchesPerEpoch { get; private set; }
    public int? TotalEpochs { get; set; }
    public long Step { get; private set; }

    /// <summary>Changes whenever status or progress changes, so a stream knows to resend them.</summary>
    public int Version { get; private set; }

    public int Count
    {
        get { lock (_gate) return _points.Count; }
    }

    public void Add(FeedPoint point)
    {
        lock (_gate) _points.Add(point);
    }

    public void AddRange(IEnumerable<FeedPoint> points)
    {
        lock (_gate) _points.AddRange(points);
    }

    public FeedPoint[] Since(int index)
    {
        lock (_gate) return index >= _points.Count ? [] : _points.GetRange(index, _points.Count - index).ToArray();
    }

    public void Progress(int epoch, int batch, long step)
    {
        lock (_gate)
        {
            if (epoch > Epoch && Epoch > 0 && Batch > 0) BatchesPerEpoch = Batch;
            Epoch = epoch;
            Batch = batch;
            Step = step;
            Version++;
        }
    }

    public void SetStatus(string status, string? reason)
    {
        lock (_gate)
        {
            if (Status == status && Reason == reason) return;
            Status = status;
            Reason = reason;
            Version++;
        }
    }

    public JsonObject Describe() => new()
    {
        ["key"] = Key,
        ["name"] = Name,
        ["live"] = Live,
        ["status"] = Status,
        ["reason"] = Reason,
        ["epoch"] = Epoch,
        ["batch"] = Batch,
        ["batchesPerEpoch"] = BatchesPerEpoch,
        ["totalEpochs"] = TotalEpochs,
        ["step"] = Step,
        ["settings"] = JsonNode.Parse(SettingsJson),
    };
}

/// <summary>
/// All runs the page shows, and a pulse that wakes the event streams when something changes. A pulse is cheap when
/// no stream waits (the current signal is already set), so every change pulses: a throttled pulse could leave the last
/// points of a burst unsent until the next keep-alive.
/// </summary>
internal sealed class FeedHub
{
    private readonly Lock _gate = new();
    private readonly List<RunFeed> _feeds = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RunFeed[] Feeds
    {
        get { lock (_gate) return [.. _feeds]; }
    }

    public RunFeed? Find(string key)
    {
        lock (_gate) return _feeds.Find(f => f.Key == key);
    }

    public void Add(RunFeed feed)
    {
        lock (_gate) _feeds.Add(feed);
        Pulse();
    }

    public void Remove(string key)
    {
        lock (_gate) _feeds.RemoveAll(f => f.Key == key);
        Pulse();
    }

    /// <summary>
    /// A task that completes at the first change after this call. Take it before looking at the feeds: a change made
    /// after the look then completes it, and one made before is seen by the look.
    /// </summary>
    public Task Changed
    {
        get
        {
            lock (_gate)
            {
                if (_changed.Task.IsCompleted) _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _changed.Task;
            }
        }
    }

    public void Pulse()
    {
        TaskCompletionSource current;
        lock (_gate) current = _changed;
        current.TrySetResult();
    }
}
