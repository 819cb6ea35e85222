using System.Text.Json;
using System.Text.Json.Nodes;
using Descent.Tracking;

namespace Descent.Dashboard;

/// <summary>One point of a live curve.</summary>
internal readonly record struct FeedPoint(MetricScope Scope, long Step, int Epoch, string Name, double Value);

/// <summary>
/// What the page knows about one run: its settings, progress, status, and its curves stored column-wise (one list of
/// steps and one of values per series, keyed <c>step:NAME</c> or <c>epoch:NAME</c>), appended as they come.
/// </summary>
internal sealed class RunFeed(string key, string name, string settingsJson, bool live)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private int _count;

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

    /// <summary>When the run started (Unix milliseconds): with the progress, the page's estimate of the time left.</summary>
    public long StartedAt { get; init; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>When the run ended (Unix milliseconds), or null while it runs.</summary>
    public long? EndedAt { get; private set; }

    /// <summary>Changes whenever status or progress changes, so a stream knows to resend them.</summary>
    public int Version { get; private set; }

    /// <summary>Points recorded so far, over all series.</summary>
    public int Count
    {
        get { lock (_gate) return _count; }
    }

    public void Add(FeedPoint point)
    {
        lock (_gate) AddLocked(point);
    }

    public void AddRange(IEnumerable<FeedPoint> points)
    {
        lock (_gate)
            foreach (var p in points) AddLocked(p);
    }

    private void AddLocked(FeedPoint p)
    {
        string id = (p.Scope == MetricScope.Step ? "step:" : "epoch:") + p.Name;
        if (!_series.TryGetValue(id, out var s))
        {
            _series[id] = s = new Series();
            _order.Add(id);
        }
        s.X.Add(p.Step);
        s.Y.Add(p.Value);
        _count++;
    }

    /// <summary>The length of every series now: the end of what a frame or a snapshot sends.</summary>
    public Dictionary<string, int> Lengths()
    {
        lock (_gate)
        {
            var lengths = new Dictionary<string, int>(_order.Count, StringComparer.Ordinal);
            foreach (var id in _order) lengths[id] = _series[id].X.Count;
            return lengths;
        }
    }

    /// <summary>
    /// Writes the points of each series from <paramref name="from"/> (0 when absent) up to <paramref name="to"/> as
    /// <c>{"step:loss": [[x…], [y…]], …}</c>, a non-finite value as null. With <paramref name="maxPoints"/>, a longer
    /// series is thinned to the minimum and the maximum of each of <c>maxPoints / 2</c> buckets (and its first and last
    /// point), so a snapshot keeps every spike and its size does not grow with the run.
    /// </summary>
    public void WriteSeries(Utf8JsonWriter json, IReadOnlyDictionary<string, int>? from, IReadOnlyDictionary<string, int> to, int? maxPoints)
    {
        json.WriteStartObject();
        lock (_gate)
        {
            foreach (var id in _order)
            {
                if (!to.TryGetValue(id, out int end)) continue;
                int start = from is not null && from.TryGetValue(id, out int f) ? f : 0;
                if (end <= start) continue;
                var s = _series[id];
                json.WritePropertyName(id);
                json.WriteStartArray();
                if (maxPoints is int max && end - start > max) WriteThinned(json, s, start, end, max);
                else
                {
                    json.WriteStartArray();
                    for (int i = start; i < end; i++) json.WriteNumberValue(s.X[i]);
                    json.WriteEndArray();
                    json.WriteStartArray();
                    for (int i = start; i < end; i++) WriteValue(json, s.Y[i]);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
            }
        }
        json.WriteEndObject();
    }

    private static void WriteThinned(Utf8JsonWriter json, Series s, int start, int end, int max)
    {
        var keep = Thin(s.Y, start, end, max);
        json.WriteStartArray();
        foreach (int i in keep) json.WriteNumberValue(s.X[i]);
        json.WriteEndArray();
        json.WriteStartArray();
        foreach (int i in keep) WriteValue(json, s.Y[i]);
        json.WriteEndArray();
    }

    /// <summary>
    /// The indices kept when <paramref name="values"/>[start, end) is thinned to about <paramref name="max"/> points:
    /// per bucket the smallest and the largest finite value, in their order, a non-finite one when the bucket has no
    /// finite value (so a gap stays a gap), and always the first and last points.
    /// </summary>
    internal static List<int> Thin(IReadOnlyList<double> values, int start, int end, int max)
    {
        int buckets = Math.Max(1, max / 2);
        var keep = new List<int>(max + 2) { start };
        double width = (double)(end - start) / buckets;
        for (int b = 0; b < buckets; b++)
        {
            int lo = start + (int)(b * width), hi = Math.Min(end, start + (int)((b + 1) * width));
            int min = -1, max2 = -1, gap = -1;
            for (int i = lo; i < hi; i++)
            {
                double v = values[i];
                if (!double.IsFinite(v))
                {
                    if (gap < 0) gap = i;
                    continue;
                }
                if (min < 0 || v < values[min]) min = i;
                if (max2 < 0 || v > values[max2]) max2 = i;
            }
            if (min < 0)
            {
                if (gap >= 0) keep.Add(gap);
                continue;
            }
            keep.Add(Math.Min(min, max2));
            if (min != max2) keep.Add(Math.Max(min, max2));
        }
        keep.Add(end - 1);
        keep.Sort();
        // Drop repeats (the first and last points may be a bucket's extreme too).
        int w = 0;
        for (int r = 0; r < keep.Count; r++)
            if (w == 0 || keep[r] != keep[w - 1]) keep[w++] = keep[r];
        keep.RemoveRange(w, keep.Count - w);
        return keep;
    }

    private static void WriteValue(Utf8JsonWriter json, double v)
    {
        if (double.IsFinite(v)) json.WriteNumberValue(v);
        else json.WriteNullValue();
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

    public void SetStatus(string status, string? reason, long? endedAt = null)
    {
        lock (_gate)
        {
            if (Status == status && Reason == reason) return;
            Status = status;
            Reason = reason;
            if (status is not ("running" or "stopping")) EndedAt ??= endedAt ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Version++;
        }
    }

    public JsonObject Describe()
    {
        lock (_gate)
            return new()
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
                ["startedAt"] = StartedAt,
                ["endedAt"] = EndedAt,
                ["settings"] = JsonNode.Parse(SettingsJson),
            };
    }

    private sealed class Series
    {
        public readonly List<double> X = [];
        public readonly List<double> Y = [];
    }
}

/// <summary>
/// All runs the page shows, and a pulse that wakes the frame builder when something changes. A pulse is cheap when
/// nothing waits (the current signal is already set), so every change pulses.
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
