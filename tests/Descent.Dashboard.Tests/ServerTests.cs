using System.Net;
using System.Text.Json.Nodes;
using Descent.Tracking;

namespace Descent.Dashboard.Tests;

public class ServerTests
{
    [Fact]
    public async Task ThePageIsServedOnLoopbackWithItsTokenAndAFreePort()
    {
        await using var page = await LiveDashboard.StartAsync(0);
        Assert.Equal("127.0.0.1", page.Address.Host);
        Assert.NotEqual(0, page.Address.Port);
        using var http = new HttpClient();
        var html = await http.GetStringAsync(page.Address);
        Assert.Contains($"content=\"{page.Token}\"", html);
        Assert.Equal(48, page.Token.Length);
        await using var other = await LiveDashboard.StartAsync(0);
        Assert.NotEqual(page.Token, other.Token);
        Assert.NotEqual(page.Address.Port, other.Address.Port);
    }

    [Fact]
    public async Task AStopRequestWithoutTheTokenIsForbiddenAndWithItCancels()
    {
        await using var page = await LiveDashboard.StartAsync(0);
        using var run = page.AddRun("loop");
        using var http = new HttpClient();
        var stop = new Uri(page.Address, "api/stop");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync(stop, null)).StatusCode);
        using (var wrong = new HttpRequestMessage(HttpMethod.Post, stop))
        {
            wrong.Headers.Add("X-Descent-Token", new string('0', 48));
            Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(wrong)).StatusCode);
        }
        Assert.False(page.StopRequested.IsCancellationRequested);
        using var right = new HttpRequestMessage(HttpMethod.Post, stop);
        right.Headers.Add("X-Descent-Token", page.Token);
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(right)).StatusCode);
        Assert.True(page.StopRequested.IsCancellationRequested);
    }

    [Fact]
    public async Task AnotherHostNameIsRefused()
    {
        await using var page = await LiveDashboard.StartAsync(0);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, page.Address);
        request.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task TheEventStreamSendsASnapshotAtOnceThenNewPoints()
    {
        await using var page = await LiveDashboard.StartAsync(0);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var stream = await EventStream.OpenAsync(page, cts.Token);
        Assert.Equal("text/event-stream", stream.MediaType);
        var first = await stream.ReadAsync(cts.Token);
        Assert.Equal("snapshot", first.Name);
        Assert.Empty(first.Data["runs"]!.AsArray());

        using var run = page.AddRun("loop", new JsonObject { ["lr"] = 0.1 }, totalEpochs: 3);
        run.LogStep(1, 1, "loss", 2.0);
        run.LogStep(2, 1, "loss", double.NaN);
        // Updates carry only what is new: the run may come in one update and its points in the next, as the page merges them.
        await stream.ReadUntilAsync(s => s.PointCount(run.Key) == 2, cts.Token);
        Assert.Equal("loop", stream.Runs[run.Key]["name"]!.GetValue<string>());
        Assert.Equal(0.1, stream.Runs[run.Key]["settings"]!["lr"]!.GetValue<double>());
        var points = stream.Series(run.Key, "step:loss");
        Assert.Equal((1.0, 2.0), (points[0].X, points[0].Y!.Value));
        Assert.Equal(2.0, points[1].X);
        Assert.Null(points[1].Y);
    }

    [Fact]
    public async Task ARunSentBeforeItsFirstPointStillGetsItsPoints()
    {
        // The order that made a newcomer's test run red: the stream wakes for the new run and sends it before any
        // point exists, so the points follow in a later update that carries no run description.
        await using var page = await LiveDashboard.StartAsync(0);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var stream = await EventStream.OpenAsync(page, cts.Token);
        await stream.ReadAsync(cts.Token);
        using var run = page.AddRun("first");
        var announced = await stream.ReadUntilAsync(s => s.Runs.ContainsKey(run.Key), cts.Token);
        Assert.Null(announced.Data["series"]![run.Key]);
        run.LogStep(1, 1, "loss", 3.0);
        var update = await stream.ReadUntilAsync(s => s.PointCount(run.Key) == 1, cts.Token);
        Assert.Empty(update.Data["runs"]!.AsArray());
        Assert.Equal(3.0, stream.Series(run.Key, "step:loss")[0].Y);
    }

    [Fact]
    public async Task EveryPointReachesThePageWithoutWaitingForTheKeepAlive()
    {
        // Points logged back to back (closer together than a stream is woken for) must still go out at once, whatever
        // the push interval: the 10 s limit is well under the 15 s keep-alive that used to be the only other wake-up.
        await using var page = await LiveDashboard.StartAsync(new LiveDashboardOptions { PushInterval = TimeSpan.Zero });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var stream = await EventStream.OpenAsync(page, cts.Token);
        await stream.ReadAsync(cts.Token);
        using var run = page.AddRun("bursts");
        for (int i = 0; i < 40; i++)
        {
            run.LogStep(2 * i + 1, 1, "loss", i);
            run.LogStep(2 * i + 2, 1, "loss", i + 0.5);
            int expected = 2 * i + 2;
            await stream.ReadUntilAsync(s => s.PointCount(run.Key) == expected, cts.Token);
        }
        var values = stream.Series(run.Key, "step:loss").Select(p => p.Y!.Value).ToArray();
        Assert.Equal(Enumerable.Range(0, 40).SelectMany(i => new[] { (double)i, i + 0.5 }), values);
    }

    [Fact]
    public async Task WatchModeShowsTheRunsOfARunsFile()
    {
        using var temp = new TempFolder();
        var path = temp.File("runs.db");
        using (var store = RunStore.Open(path))
        using (var writer = store.StartRun(new RunStart { Command = "descent fit a.csv", Name = "first" }))
        {
            writer.LogStep(1, 1, "loss", 1.5, 4);
            writer.EndEpoch(1);
            writer.Finish(RunStatus.Finished, "max epochs");
        }
        await using var page = await LiveDashboard.StartAsync(new LiveDashboardOptions { StorePath = path, StorePollInterval = TimeSpan.FromMilliseconds(100) });
        using var http = new HttpClient();
        JsonNode? state = null;
        for (int i = 0; i < 100; i++)
        {
            state = JsonNode.Parse(await http.GetStringAsync(new Uri(page.Address, "api/state")));
            if (state!["runs"]!.AsArray().Count > 0 && state["runs"]![0]!["status"]!.GetValue<string>() == "finished" && state["series"]!["run-1"] is not null) break;
            await Task.Delay(100);
        }
        var runs = state!["runs"]!.AsArray();
        Assert.Single(runs);
        Assert.Equal("#1 first", runs[0]!["name"]!.GetValue<string>());
        Assert.False(runs[0]!["live"]!.GetValue<bool>());
        var series = state["series"]!["run-1"]!.AsObject();
        Assert.Equal([1.5], series["step:loss"]![1]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal([1.5], series["epoch:loss"]![1]!.AsArray().Select(v => v!.GetValue<double>()));
    }

    [Theory]
    [InlineData("Origin", "http://attacker.example")]
    [InlineData("Origin", "http://127.0.0.1:1")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task AStopRequestFromAnotherSiteIsForbiddenEvenWithTheToken(string header, string value)
    {
        await using var page = await LiveDashboard.StartAsync(0);
        using var run = page.AddRun("loop");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(page.Address, "api/stop"));
        request.Headers.Add("X-Descent-Token", page.Token);
        request.Headers.Add(header, value);
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("live page itself", await response.Content.ReadAsStringAsync());
        Assert.False(page.StopRequested.IsCancellationRequested);

        // The page's own origin, as a browser sends it, is accepted.
        using var own = new HttpRequestMessage(HttpMethod.Post, new Uri(page.Address, "api/stop"));
        own.Headers.Add("X-Descent-Token", page.Token);
        own.Headers.Add("Origin", page.Address.GetLeftPart(UriPartial.Authority));
        own.Headers.Add("Sec-Fetch-Site", "same-origin");
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(own)).StatusCode);
        Assert.True(page.StopRequested.IsCancellationRequested);
    }

    [Fact]
    public void ThinningKeepsEveryBucketsExtremesInOrderAndTheEnds()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 10_000).Select(i => i == 5000 ? double.NaN : Math.Sin(i / 300.0) + random.NextDouble()).ToArray();
        values[1234] = 50; // a spike
        values[8765] = -50;
        var kept = RunFeed.Thin(values, 0, values.Length, 400);
        Assert.True(kept.Count <= 402, $"{kept.Count} points kept");
        Assert.Equal(kept.OrderBy(i => i).Distinct(), kept);
        Assert.Equal(0, kept[0]);
        Assert.Equal(values.Length - 1, kept[^1]);
        Assert.Contains(1234, kept);
        Assert.Contains(8765, kept);
        // Brute force: in each of the 200 buckets, the smallest and the largest finite value are kept.
        for (int b = 0; b < 200; b++)
        {
            var bucket = Enumerable.Range(b * 50, 50).Where(i => double.IsFinite(values[i])).ToArray();
            Assert.Contains(bucket.MinBy(i => values[i]), kept);
            Assert.Contains(bucket.MaxBy(i => values[i]), kept);
        }
    }

    [Fact]
    public async Task ALongRunIsSentThinnedAndTheSnapshotIsBuiltOncePerFrame()
    {
        await using var page = await LiveDashboard.StartAsync(0);
        using var run = page.AddRun("long");
        for (int step = 1; step <= 100_000; step++) run.LogStep(step, 1, "loss", 1.0 / step);
        using var http = new HttpClient();
        JsonNode? state = null;
        // The page's frames take the logged points in asynchronously: wait for a state that has seen the last one.
        static double? LastStep(JsonNode? state, string key) =>
            state?["series"]?[key]?["step:loss"]?[0]?.AsArray() is { Count: > 0 } xs ? xs[^1]!.GetValue<double>() : null;
        for (int i = 0; i < 400 && LastStep(state, run.Key) != 100_000.0; i++)
        {
            state = JsonNode.Parse(await http.GetStringAsync(new Uri(page.Address, "api/state")));
            if (LastStep(state, run.Key) != 100_000.0) await Task.Delay(50);
        }
        var columns = state!["series"]![run.Key]!["step:loss"]!.AsArray();
        var xs = columns[0]!.AsArray();
        Assert.InRange(xs.Count, 100, FrameLog.SnapshotPoints + 2);
        Assert.Equal(1.0, xs[0]!.GetValue<double>());
        Assert.Equal(100_000.0, xs[^1]!.GetValue<double>());
        Assert.Equal(1.0, columns[1]![0]!.GetValue<double>());

        // Many viewers at once: each gets the same snapshot, made once.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int built = page.Frames.SnapshotsBuilt;
        var streams = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => EventStream.OpenAsync(page, cts.Token)));
        try
        {
            var firsts = await Task.WhenAll(streams.Select(s => s.ReadAsync(cts.Token)));
            Assert.All(firsts, f => Assert.Equal("snapshot", f.Name));
            Assert.Single(firsts.Select(f => f.Data.ToJsonString()).Distinct());
            Assert.InRange(page.Frames.SnapshotsBuilt - built, 0, 1);
            // Then every viewer receives the next points as they come.
            run.LogStep(100_001, 1, "loss", 0.5);
            foreach (var s in streams)
                await s.ReadUntilAsync(e => e.Series(run.Key, "step:loss").Count > 0 && e.Series(run.Key, "step:loss")[^1] == (100_001.0, 0.5), cts.Token);
        }
        finally
        {
            foreach (var s in streams) s.Dispose();
        }
    }

    [Fact]
    public async Task ARunsEndReachesTheViewersWhenThePageClosesRightAfter()
    {
        // What `descent fit --live` does in a script: the run ends and the page is disposed at once. The viewer must
        // still learn that the run stopped (and get its last points) before the stream closes.
        var page = await LiveDashboard.StartAsync(new LiveDashboardOptions { PushInterval = TimeSpan.FromSeconds(5) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var stream = await EventStream.OpenAsync(page, cts.Token);
        await stream.ReadAsync(cts.Token);
        using var run = page.AddRun("short");
        await stream.ReadUntilAsync(s => s.Runs.ContainsKey(run.Key), cts.Token);
        run.LogStep(1, 1, "loss", 0.25);
        run.End(RunStatus.Stopped, "stopped by the user");
        await page.DisposeAsync();
        await stream.ReadUntilAsync(s => (string?)s.Runs[run.Key]["status"] == "stopped", cts.Token);
        Assert.Equal([(1.0, (double?)0.25)], stream.Series(run.Key, "step:loss"));
    }

    [Fact]
    public async Task AViewerThatIsBehindStillGetsTheRunsEndWhenThePageCloses()
    {
        // A viewer that reads slowly: when the page closes, the server's write to it is waiting for room in the socket.
        // That write must go on as the viewer reads, not be cancelled — Kestrel aborts the connection when a pending
        // (or already cancelled) write's token fires, and the viewer lost the run's end (the rare failure of the test above).
        var page = await LiveDashboard.StartAsync(new LiveDashboardOptions { PushInterval = TimeSpan.FromMinutes(10) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(page.Address, "api/events"), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
        using var run = page.AddRun("long");
        int step = LogMoreThanTheSocketsHold(page, run);
        run.End(RunStatus.Stopped, "stopped by the user");
        var closing = page.DisposeAsync().AsTask();
        await Task.Delay(300, cts.Token); // the page is closing while its writes to this viewer wait
        using var received = new MemoryStream();
        await body.CopyToAsync(received, cts.Token);
        await closing;
        using var stream = EventStream.Over(received.ToArray());
        await stream.ReadUntilAsync(s => s.Runs.TryGetValue(run.Key, out var r) && (string?)r["status"] == "stopped", cts.Token);
        Assert.Equal(((double)step, (double?)(1.0 / step)), stream.Series(run.Key, "step:loss")[^1]);
    }

    [Fact]
    public async Task AViewerThatNeverReadsDoesNotHoldThePageOpen()
    {
        var page = await LiveDashboard.StartAsync(new LiveDashboardOptions { PushInterval = TimeSpan.FromMinutes(10) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(page.Address, "api/events"), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var run = page.AddRun("long");
        LogMoreThanTheSocketsHold(page, run);
        // The page gives the viewer 1 s to take what is left, then drops it; a hang here fails the test (not a timing
        // measurement: the bound is far above the grace period).
        await page.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20), cts.Token);
    }

    /// <summary>
    /// Logs ~16 MB of frames (loss 1/step for steps 1, 2, …), more than the socket buffers between the page and a viewer
    /// that does not read can hold; returns the last step.
    /// </summary>
    private static int LogMoreThanTheSocketsHold(LiveDashboard page, LiveRun run)
    {
        int step = 0;
        for (int frame = 0; frame < 40; frame++)
        {
            for (int i = 0; i < 20_000; i++, step++) run.LogStep(step + 1, 1, "loss", 1.0 / (step + 1));
            page.Frames.Publish();
        }
        return step;
    }
}
