using System.Text.Json.Nodes;
using Descent.Learning.Data;
using Descent.Learning.Training;

namespace Descent.Dashboard.Tests;

/// <summary>Shuffled mini-batches with a pause before each, so a run is slow enough to watch and stop.</summary>
internal sealed class SlowBatches(Dataset<double> data, int batchSize, int delayMs) : IBatchSource<double>
{
    public int ExampleCount => data.Count;

    public IEnumerable<(Tensor<double> Features, Tensor<double> Targets)> Batches(int epoch)
    {
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(epoch).Shuffle(order);
        for (int start = 0; start < data.Count; start += batchSize)
        {
            Thread.Sleep(delayMs);
            var part = data.Slice(order[start..Math.Min(data.Count, start + batchSize)]);
            yield return (part.X, part.Y);
        }
    }
}

internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "descent-dashboard-" + Guid.NewGuid().ToString("N")[..10]);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// A client of the page's event stream that merges snapshots and updates the way dashboard.js does: run descriptions
/// by key, removed runs dropped, each series' columns (steps, values) appended per run.
/// </summary>
internal sealed class EventStream : IDisposable
{
    private readonly HttpClient? _http;
    private readonly HttpResponseMessage? _response;
    private readonly StreamReader _reader;
    private readonly Dictionary<string, Dictionary<string, List<(double X, double? Y)>>> _series = [];

    private EventStream(HttpClient? http, HttpResponseMessage? response, StreamReader reader)
    {
        _http = http;
        _response = response;
        _reader = reader;
    }

    public string? MediaType => _response?.Content.Headers.ContentType?.MediaType;

    public Dictionary<string, JsonObject> Runs { get; } = [];

    /// <summary>The points of one series of a run (e.g. <c>step:loss</c>), in order.</summary>
    public IReadOnlyList<(double X, double? Y)> Series(string key, string id) =>
        _series.TryGetValue(key, out var run) && run.TryGetValue(id, out var list) ? list : [];

    /// <summary>All points of a run, over its series.</summary>
    public int PointCount(string key) => _series.TryGetValue(key, out var run) ? run.Values.Sum(l => l.Count) : 0;

    public static async Task<EventStream> OpenAsync(LiveDashboard page, CancellationToken cancellation)
    {
        var http = new HttpClient();
        var response = await http.GetAsync(new Uri(page.Address, "api/events"), HttpCompletionOption.ResponseHeadersRead, cancellation);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation));
        return new EventStream(http, response, reader);
    }

    /// <summary>Reads events from bytes already received (a whole stream read at once).</summary>
    public static EventStream Over(byte[] received) => new(null, null, new StreamReader(new MemoryStream(received)));

    /// <summary>Merges one snapshot or update document into <paramref name="into"/>.</summary>
    public static void Merge(JsonObject data, Dictionary<string, Dictionary<string, List<(double X, double? Y)>>> into, Dictionary<string, JsonObject> runs)
    {
        if (data["snapshot"]?.GetValue<bool>() == true) into.Clear();
        foreach (var removed in data["removed"]!.AsArray())
        {
            into.Remove(removed!.GetValue<string>());
            runs.Remove(removed.GetValue<string>());
        }
        foreach (var run in data["runs"]!.AsArray()) runs[run!["key"]!.GetValue<string>()] = run.AsObject();
        foreach (var (key, series) in data["series"]!.AsObject())
        {
            if (!into.TryGetValue(key, out var run)) into[key] = run = [];
            foreach (var (id, columns) in series!.AsObject())
            {
                if (!run.TryGetValue(id, out var list)) run[id] = list = [];
                var xs = columns![0]!.AsArray();
                var ys = columns[1]!.AsArray();
                Assert.Equal(xs.Count, ys.Count);
                for (int i = 0; i < xs.Count; i++) list.Add((xs[i]!.GetValue<double>(), ys[i]?.GetValue<double>()));
            }
        }
    }

    /// <summary>Reads the next event (comments skipped) and merges it.</summary>
    public async Task<(string Name, JsonObject Data)> ReadAsync(CancellationToken cancellation)
    {
        string? name = null;
        while (await _reader.ReadLineAsync(cancellation) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = JsonNode.Parse(line["data: ".Length..])!.AsObject();
                Merge(data, _series, Runs);
                return (name ?? "message", data);
            }
        }
        throw new EndOfStreamException("the event stream ended");
    }

    /// <summary>Reads events until the merged state satisfies <paramref name="done"/>; returns the last one.</summary>
    public async Task<(string Name, JsonObject Data)> ReadUntilAsync(Func<EventStream, bool> done, CancellationToken cancellation)
    {
        while (true)
        {
            var e = await ReadAsync(cancellation);
            if (done(this)) return e;
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response?.Dispose();
        _http?.Dispose();
    }
}
