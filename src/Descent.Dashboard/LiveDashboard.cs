using System.Net;
using System.Numerics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Descent.Learning.Training;
using Descent.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Descent.Dashboard;

/// <summary>Settings of a <see cref="LiveDashboard"/>.</summary>
public sealed record LiveDashboardOptions
{
    /// <summary>The port on 127.0.0.1; 0 picks a free one (default).</summary>
    public int Port { get; init; }

    /// <summary>A runs file to watch: its runs appear on the page and grow as their writers log (watch mode).</summary>
    public string? StorePath { get; init; }

    /// <summary>The source the Stop button cancels; one is made when null (see <see cref="LiveDashboard.StopRequested"/>).</summary>
    public CancellationTokenSource? StopSource { get; init; }

    /// <summary>How often the page is sent new points at most (default 250 ms): the drawing budget.</summary>
    public TimeSpan PushInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a watched runs file is read for new points (default 1 s).</summary>
    public TimeSpan StorePollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The live training page: an ASP.NET Core server on 127.0.0.1 only, serving one page that draws loss curves
/// (train and validation, per batch and per epoch), the learning rate, progress and settings, updated by
/// Server-Sent Events; a Stop button that cancels <see cref="StopRequested"/> when it sends the per-run token the
/// page was served with; and a watch mode that shows the runs of a runs file. Typical use:
/// <code>
/// await using var page = await LiveDashboard.StartAsync(port: 0);
/// Console.WriteLine($"Live page: {page.Address}");
/// var trainer = new Trainer&lt;float&gt;(model, loss, optimizer, options with { Cancellation = page.StopRequested });
/// using var live = page.Attach(trainer, "fit", settings);
/// live.Complete(trainer.Fit(train, validation));
/// </code>
/// </summary>
public sealed class LiveDashboard : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FeedHub _hub;
    private readonly FrameLog _frames;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly CancellationTokenSource _closeWrites = new();
    private readonly LiveDashboardOptions _options;
    private Task _watcher = Task.CompletedTask;
    private Task _publisher = Task.CompletedTask;
    private int _liveRuns;
    private int _viewers;
    private bool _disposed;

    private LiveDashboard(WebApplication app, FeedHub hub, LiveDashboardOptions options, string token)
    {
        _app = app;
        _hub = hub;
        _options = options;
        _stop = options.StopSource ?? new CancellationTokenSource();
        _frames = new FrameLog(hub, () => _stop.IsCancellationRequested);
        Token = token;
    }

    /// <summary>The page's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The per-run token that a stop request must carry (it is embedded in the page).</summary>
    public string Token { get; }

    /// <summary>What the viewers are sent.</summary>
    internal FrameLog Frames => _frames;

    /// <summary>Cancelled when someone presses Stop: pass it to <see cref="TrainerOptions.Cancellation"/>.</summary>
    public CancellationToken StopRequested => _stop.Token;

    /// <summary>Starts the page on 127.0.0.1 at <paramref name="port"/> (0: any free port).</summary>
    public static Task<LiveDashboard> StartAsync(int port, CancellationToken cancellation = default) =>
        StartAsync(new LiveDashboardOptions { Port = port }, cancellation);

    /// <summary>Starts the page; it serves until disposed.</summary>
    /// <exception cref="IOException">The port is taken.</exception>
    /// <exception cref="RunStoreException">The runs file to watch cannot be used.</exception>
    public static async Task<LiveDashboard> StartAsync(LiveDashboardOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, 65535);
        RunStore? store = options.StorePath is { } path ? RunStore.Open(path) : null;
        try
        {
            store?.CheckIntegrity(); // a damaged file is refused, not shown as empty
        }
        catch
        {
            store?.Dispose();
            throw;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(2));
        // The page lives inside someone's program: the host's console lifetime would take Ctrl-C and SIGTERM from it.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        var app = builder.Build();
        var hub = new FeedHub();
        var dashboard = new LiveDashboard(app, hub, options, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
        dashboard.Map(app);
        try
        {
            await app.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            store?.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"The live page cannot listen on 127.0.0.1:{options.Port}: {e.Message}", e);
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        dashboard.Address = new Uri(address.EndsWith('/') ? address : address + "/");
        dashboard._publisher = Task.Run(dashboard.PublishAsync);
        if (store is not null) dashboard._watcher = Task.Run(() => dashboard.WatchAsync(store));
        return dashboard;
    }

    /// <summary>Adds a run that you feed yourself.</summary>
    public LiveRun AddRun(string name, JsonObject? settings = null, int? totalEpochs = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var feed = new RunFeed("live-" + Interlocked.Increment(ref _liveRuns), name, (settings ?? []).ToJsonString(), live: true) { TotalEpochs = totalEpochs };
        _hub.Add(feed);
        return new LiveRun(feed, _hub);
    }

    /// <summary>
    /// Adds a run fed by <paramref name="trainer"/>'s events (batch loss, learning rate, epoch losses and metrics,
    /// progress). Complete it with the trainer's history; dispose it to detach.
    /// </summary>
    public LiveRun Attach<T>(Trainer<T> trainer, string name, JsonObject? settings = null, int? totalEpochs = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var run = AddRun(name, settings, totalEpochs);
        run.Attach(trainer);
        return run;
    }

    /// <summary>Stops the server (open pages lose their stream).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        _frames.Publish(); // the last changes (a run's end) go out before the streams close
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _hub.Pulse();
        try
        {
            await _watcher.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await _publisher.ConfigureAwait(false);
        // Each open stream sends what is left and ends its response before the server stops: stopping while a
        // stream was still writing its last frames could reset the connection, and the viewer lost the run's end
        // (a CI failure of ARunsEndReachesTheViewersWhenThePageClosesRightAfter). Bounded: a viewer that does not
        // read gets 1 s, then its writes are cancelled (which drops its connection).
        long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency;
        while (Volatile.Read(ref _viewers) > 0 && System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(5).ConfigureAwait(false);
        await _closeWrites.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_options.StopSource is null) _stop.Dispose();
        _shutdown.Dispose();
        _closeWrites.Dispose();
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            // Only loopback names: a page elsewhere that rebinds its DNS name to 127.0.0.1 must not read the token.
            var host = context.Request.Host.Host;
            if (host is not ("127.0.0.1" or "localhost" or "[::1]" or "::1"))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.XFrameOptions = "DENY";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await next(context).ConfigureAwait(false);
        });
        app.MapGet("/", context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            var page = Resource("index.html").Replace("{{TOKEN}}", Token, StringComparison.Ordinal)
                .Replace("{{MODE}}", _options.StorePath is null ? "live" : "watch", StringComparison.Ordinal);
            return context.Response.WriteAsync(page, context.RequestAborted);
        });
        app.MapGet("/dashboard.js", context => Serve(context, "dashboard.js", "text/javascript; charset=utf-8"));
        app.MapGet("/dashboard.css", context => Serve(context, "dashboard.css", "text/css; charset=utf-8"));
        app.MapGet("/lib/uPlot.iife.min.js", context => Serve(context, "lib.uPlot.iife.min.js", "text/javascript; charset=utf-8"));
        app.MapGet("/lib/uPlot.min.css", context => Serve(context, "lib.uPlot.min.css", "text/css; charset=utf-8"));
        app.MapGet("/api/state", context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.Body.WriteAsync(_frames.Snapshot().Json, context.RequestAborted).AsTask();
        });
        app.MapGet("/api/events", EventsAsync);
        app.MapPost("/api/stop", async context =>
        {
            if (CrossSite(context.Request) is { } why)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync(why, context.RequestAborted).ConfigureAwait(false);
                return;
            }
            var sent = context.Request.Headers["X-Descent-Token"].ToString();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(Token)))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync("A stop request needs the token of the page that shows the run.", context.RequestAborted).ConfigureAwait(false);
                return;
            }
            var live = _hub.Feeds.Where(f => f.Live && f.Status == "running").ToArray();
            if (live.Length == 0)
            {
                context.Response.StatusCode = StatusCodes.Status409Conflict;
                await context.Response.WriteAsync("No live run to stop.", context.RequestAborted).ConfigureAwait(false);
                return;
            }
            foreach (var feed in live) feed.SetStatus("stopping", "stop requested from the page; ending at the next batch");
            await _stop.CancelAsync().ConfigureAwait(false);
            _hub.Pulse();
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"stopping\":true}", context.RequestAborted).ConfigureAwait(false);
        });
    }

    // Hand-written Server-Sent Events: headers and the cached snapshot go out at once (a browser sees the stream open
    // immediately), then the frames after it as the builder makes them (at most one per PushInterval), and a comment
    // every 15 s. Every viewer writes the same bytes: nothing is serialised per viewer.
    //
    // Closing the page ends the waits, never a write: Kestrel aborts the connection when a write's token fires while
    // the write waits for room in the socket (or is already cancelled when the write starts), and the viewer lost the
    // run's end that the close had just published (the rare failure of ARunsEndReachesTheViewersWhenThePageClosesRightAfter,
    // reproduced by AViewerThatIsBehindStillGetsTheRunsEndWhenThePageCloses). Writes stop when the viewer leaves, or
    // when the close has waited long enough for them (_closeWrites, see DisposeAsync).
    private async Task EventsAsync(HttpContext context)
    {
        using var waits = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _shutdown.Token);
        using var writes = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _closeWrites.Token);
        var wait = waits.Token;
        var write = writes.Token;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.Connection = "keep-alive";
        var body = context.Response.Body;
        Interlocked.Increment(ref _viewers);
        try
        {
            (long seq, _, var snapshot) = _frames.Snapshot();
            await body.WriteAsync(snapshot, write).ConfigureAwait(false);
            await body.FlushAsync(write).ConfigureAwait(false);
            while (!_shutdown.IsCancellationRequested)
            {
                var next = _frames.After(seq);
                // WhenAny does not throw: a cancelled delay (the page closing, the viewer gone) just ends the wait.
                var done = await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(15), wait)).ConfigureAwait(false);
                if (_shutdown.IsCancellationRequested) break;
                if (done != next)
                {
                    await body.WriteAsync(": keep-alive\n\n"u8.ToArray(), write).ConfigureAwait(false);
                    await body.FlushAsync(write).ConfigureAwait(false);
                    continue;
                }
                seq = await WriteFramesAsync(body, seq, write).ConfigureAwait(false);
                await body.FlushAsync(write).ConfigureAwait(false);
                // Many viewers: each is written to less often (frames wait in the log and go out together), so the
                // writes per second stay near ViewersAtFullRate per push interval whatever the number of viewers.
                int viewers = Volatile.Read(ref _viewers);
                if (viewers > ViewersAtFullRate)
                    await Task.WhenAny(Task.Delay(_options.PushInterval * ((double)viewers / ViewersAtFullRate), wait)).ConfigureAwait(false);
            }
            // The page is closing: send what is left (the last points, the run's end) so the viewer keeps the final state.
            await WriteFramesAsync(body, seq, write).ConfigureAwait(false);
            await body.FlushAsync(write).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The viewer left, or did not read what was left within the close's grace period.
        }
        finally
        {
            Interlocked.Decrement(ref _viewers);
        }
    }

    /// <summary>Writes the frames after <paramref name="seq"/> (a fresh snapshot when some are no longer kept); returns the last one sent.</summary>
    private async Task<long> WriteFramesAsync(Stream body, long seq, CancellationToken write)
    {
        if (_frames.FramesAfter(seq) is { } frames)
        {
            foreach (var (n, bytes) in frames)
            {
                await body.WriteAsync(bytes, write).ConfigureAwait(false);
                seq = n;
            }
            return seq;
        }
        // Too far behind (a slow connection): start again from a fresh snapshot.
        (seq, _, var snapshot) = _frames.Snapshot();
        await body.WriteAsync(snapshot, write).ConfigureAwait(false);
        return seq;
    }

    /// <summary>Up to this many viewers each get every frame as it is made; beyond, each gets them in fewer, larger writes.</summary>
    private const int ViewersAtFullRate = 50;

    // The one builder of frames: wakes at the first change, publishes it at once, then waits PushInterval before the next.
    private async Task PublishAsync()
    {
        var token = _shutdown.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var changed = _hub.Changed;
                if (_frames.Publish()) await Task.Delay(_options.PushInterval, token).ConfigureAwait(false);
                else await changed.WaitAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WatchAsync(RunStore store)
    {
        var seen = new Dictionary<long, long>();
        try
        {
            while (!_shutdown.IsCancellationRequested)
            {
                try
                {
                    var runs = store.ListRuns();
                    foreach (var key in seen.Keys.Except(runs.Select(r => r.Id)).ToArray())
                    {
                        _hub.Remove("run-" + key);
                        seen.Remove(key);
                    }
                    foreach (var run in runs)
                    {
                        var key = "run-" + run.Id;
                        var feed = _hub.Find(key);
                        if (feed is null)
                        {
                            feed = new RunFeed(key, $"#{run.Id} {run.Name}", run.SettingsJson, live: false)
                            {
                                StartedAt = run.StartedAt.ToUnixTimeMilliseconds(),
                                TotalEpochs = run.Settings["epochs"] is JsonValue epochs && epochs.TryGetValue(out int total) ? total : null,
                            };
                            _hub.Add(feed);
                        }
                        var fresh = store.GetMetrics(run.Id, afterSequence: seen.GetValueOrDefault(run.Id));
                        if (fresh.Count > 0)
                        {
                            seen[run.Id] = fresh[^1].Sequence;
                            feed.AddRange(fresh.Select(p => new FeedPoint(p.Scope, p.Step, p.Epoch, p.Name, p.Value)));
                            var last = fresh[^1];
                            feed.Progress(last.Epoch, 0, last.Step);
                        }
                        else seen.TryAdd(run.Id, 0);
                        feed.SetStatus(run.Status.ToString().ToLowerInvariant(), run.StopReason, run.EndedAt?.ToUnixTimeMilliseconds());
                    }
                    _hub.Pulse();
                }
                catch (Exception e) when (e is RunStoreException or Microsoft.Data.Sqlite.SqliteException or KeyNotFoundException)
                {
                    // A run deleted or a file busy between two reads: try again at the next poll.
                }
                await Task.Delay(_options.StorePollInterval, _shutdown.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            store.Dispose();
        }
    }

    /// <summary>
    /// Why a stop request comes from another site, or null: a browser names the page that sends a request in
    /// <c>Origin</c> and <c>Sec-Fetch-Site</c>, and only this page's own origin may stop the run (on top of the token,
    /// which another site cannot read). Clients that send neither header (curl, scripts) are judged by the token alone.
    /// </summary>
    internal static string? CrossSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
            return $"A stop request must come from the live page itself (Sec-Fetch-Site: {site}).";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
            return $"A stop request must come from the live page itself, not from {origin}.";
        return null;
    }

    private static Task Serve(HttpContext context, string name, string type)
    {
        context.Response.ContentType = type;
        var bytes = Resources.GetOrAdd(name, n =>
        {
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Descent.Dashboard." + n)
                ?? throw new InvalidOperationException($"The dashboard's resource '{n}' is missing from the assembly.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        });
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> Resources = new(StringComparer.Ordinal);

    /// <summary>A host lifetime that leaves the process's signals to the program that embeds the page.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Descent.Dashboard." + name)
            ?? throw new InvalidOperationException($"The dashboard's resource '{name}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
