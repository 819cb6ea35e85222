using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Descent.Dashboard;

/// <summary>
/// What every viewer is sent, built once for all of them. One builder turns what changed since the last frame (new
/// points column-wise, changed run descriptions, removed runs) into a numbered <em>frame</em>, at most once per push
/// interval; the last frames are kept as ready-made Server-Sent Event bytes. A newcomer gets a <em>snapshot</em> (all
/// runs, every series thinned to at most <see cref="SnapshotPoints"/> points) as of the latest frame — built once per
/// frame however many ask — and then the frames after it. So 200 viewers cost one serialisation per frame, and a
/// viewer's cost is writing bytes that already exist.
/// </summary>
internal sealed class FrameLog(FeedHub hub, Func<bool> stopRequested)
{
    /// <summary>The most points per series in a snapshot (min/max per bucket beyond that).</summary>
    public const int SnapshotPoints = 4000;

    /// <summary>Frames kept for viewers that are behind; one further behind gets a fresh snapshot.</summary>
    private const int Kept = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, int>> _ends = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _versions = new(StringComparer.Ordinal);
    private readonly Queue<(long Seq, byte[] Event)> _frames = new();
    private long _seq;
    private (long Seq, byte[] Json, byte[] Event)? _snapshot;
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stopSent;

    /// <summary>How many snapshots were serialised (tests check that viewers share them).</summary>
    internal int SnapshotsBuilt { get; private set; }

    /// <summary>The number of the latest frame.</summary>
    public long Sequence
    {
        get { lock (_gate) return _seq; }
    }

    /// <summary>Completes when a frame after <paramref name="seq"/> exists.</summary>
    public Task After(long seq)
    {
        lock (_gate)
        {
            if (_seq > seq) return Task.CompletedTask;
            if (_next.Task.IsCompleted) _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _next.Task;
        }
    }

    /// <summary>Builds a frame of what changed; false when nothing did.</summary>
    public bool Publish()
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            var feeds = hub.Feeds;
            var buffer = new ArrayBufferWriter<byte>();
            bool news = false;
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("seq", _seq + 1);
                json.WriteStartArray("runs");
                foreach (var feed in feeds)
                {
                    int version = feed.Version;
                    if (_versions.TryGetValue(feed.Key, out int v) && v == version) continue;
                    _versions[feed.Key] = version;
                    feed.Describe().WriteTo(json);
                    news = true;
                }
                json.WriteEndArray();
                json.WriteStartArray("removed");
                foreach (var key in _versions.Keys.Where(k => !feeds.Any(f => f.Key == k)).ToArray())
                {
                    json.WriteStringValue(key);
                    _ends.Remove(key);
                    _versions.Remove(key);
                    news = true;
                }
                json.WriteEndArray();
                json.WriteStartObject("series");
                foreach (var feed in feeds)
                {
                    var to = feed.Lengths();
                    _ends.TryGetValue(feed.Key, out var from);
                    if (to.All(kv => (from?.GetValueOrDefault(kv.Key) ?? 0) == kv.Value)) continue;
                    json.WritePropertyName(feed.Key);
                    feed.WriteSeries(json, from, to, maxPoints: null);
                    _ends[feed.Key] = to;
                    news = true;
                }
                json.WriteEndObject();
                bool stop = stopRequested();
                if (stop != _stopSent) news = true;
                _stopSent = stop;
                json.WriteBoolean("stopRequested", stop);
                json.WriteEndObject();
            }
            if (!news) return false;
            _seq++;
            _frames.Enqueue((_seq, Event("update", buffer.WrittenSpan)));
            while (_frames.Count > Kept) _frames.Dequeue();
            wake = _next;
        }
        wake.TrySetResult();
        return true;
    }

    /// <summary>The snapshot as of the latest frame: (its frame number, its JSON, the same as an SSE event).</summary>
    public (long Seq, byte[] Json, byte[] Event) Snapshot()
    {
        lock (_gate)
        {
            if (_snapshot is { } cached && cached.Seq == _seq) return cached;
            SnapshotsBuilt++;
            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("seq", _seq);
                json.WriteBoolean("snapshot", true);
                json.WriteStartArray("runs");
                var shown = hub.Feeds.Where(f => _versions.ContainsKey(f.Key)).ToArray();
                foreach (var feed in shown) feed.Describe().WriteTo(json);
                json.WriteEndArray();
                json.WriteStartArray("removed");
                json.WriteEndArray();
                json.WriteStartObject("series");
                foreach (var feed in shown)
                {
                    if (!_ends.TryGetValue(feed.Key, out var to)) continue;
                    json.WritePropertyName(feed.Key);
                    feed.WriteSeries(json, null, to, SnapshotPoints);
                }
                json.WriteEndObject();
                json.WriteBoolean("stopRequested", _stopSent);
                json.WriteEndObject();
            }
            var made = (_seq, buffer.WrittenSpan.ToArray(), Event("snapshot", buffer.WrittenSpan));
            _snapshot = made;
            return made;
        }
    }

    /// <summary>The frames after <paramref name="seq"/>, or null when some of them are no longer kept (send a snapshot).</summary>
    public List<(long Seq, byte[] Event)>? FramesAfter(long seq)
    {
        lock (_gate)
        {
            if (seq >= _seq) return [];
            if (_frames.Count == 0 || _frames.Peek().Seq > seq + 1) return null;
            return _frames.Where(f => f.Seq > seq).ToList();
        }
    }

    private static byte[] Event(string name, ReadOnlySpan<byte> json)
    {
        var head = Encoding.ASCII.GetBytes($"event: {name}\ndata: ");
        var bytes = new byte[head.Length + json.Length + 2];
        head.CopyTo(bytes, 0);
        json.CopyTo(bytes.AsSpan(head.Length));
        bytes[^2] = (byte)'\n';
        bytes[^1] = (byte)'\n';
        return bytes;
    }
}
