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
        using var http = new HttpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await http.GetAsync(new Uri(page.Address, "api/events"), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        Assert.Equal("event: snapshot", await reader.ReadLineAsync(cts.Token));
        var first = JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!["data: ".Length..])!;
        Assert.Empty(first["runs"]!.AsArray());

        using var run = page.AddRun("loop", new JsonObject { ["lr"] = 0.1 }, totalEpochs: 3);
        run.LogStep(1, 1, "loss", 2.0);
        run.LogStep(2, 1, "loss", double.NaN);
        // Updates go out on a timer, so one may leave before the run's first point is in: read until the point arrives.
        JsonNode? update = null;
        string? line;
        while ((line = await reader.ReadLineAsync(cts.Token)) is not null)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            var candidate = JsonNode.Parse(line["data: ".Length..])!;
            if (candidate["runs"] is JsonArray { Count: > 0 } && candidate["points"]?[run.Key] is JsonArray { Count: > 0 })
            {
                update = candidate;
                break;
            }
        }
        Assert.NotNull(update);
        Assert.Equal("loop", update["runs"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(0.1, update["runs"]![0]!["settings"]!["lr"]!.GetValue<double>());
        var points = update["points"]![run.Key]!.AsArray();
        Assert.True(points.Count >= 1);
        Assert.Equal(2.0, points[0]![4]!.GetValue<double>());
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
            if (state!["runs"]!.AsArray().Count > 0 && state["runs"]![0]!["status"]!.GetValue<string>() == "finished") break;
            await Task.Delay(100);
        }
        var runs = state!["runs"]!.AsArray();
        Assert.Single(runs);
        Assert.Equal("#1 first", runs[0]!["name"]!.GetValue<string>());
        Assert.False(runs[0]!["live"]!.GetValue<bool>());
        Assert.Equal(2, state["points"]!["run-1"]!.AsArray().Count);
    }
}
