using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Descent.Dashboard.Lab;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Descent.Dashboard.Tests;

/// <summary>The learning lab: its JSON endpoints, and the page in Debian's Chromium driven by Playwright.</summary>
public class LabTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

    private static async Task<JsonObject> Post(LabServer lab, string path, string json, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(lab.Address, path), new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(expected, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    [Fact]
    public async Task TheEndpointsComputeWithTheLibraryAndNameTheBadField()
    {
        await using var lab = await LabServer.StartAsync(0);
        Assert.Equal("127.0.0.1", lab.Address.Host);
        using var http = new HttpClient();
        var surface = JsonNode.Parse(await http.GetStringAsync(new Uri(lab.Address, "api/surface?surface=quadratic&kappa=10&res=20")))!;
        Assert.Equal(0.2, (double)surface["quadratic"]!["stabilityBound"]!, 12);
        Assert.Equal(400, surface["grid"]!.AsArray().Count);

        string race = """{"surface":"quadratic","kappa":10,"start":[-2.5,1.5],"steps":5,"optimizers":[{"kind":"gd","lr":0.15},{"kind":"adam","lr":0.1}]}""";
        var a = await Post(lab, "api/race", race);
        var b = await Post(lab, "api/race", race);
        Assert.Equal(a.ToJsonString(), b.ToJsonString()); // deterministic
        var gd = a["paths"]![0]!;
        Assert.Equal(-2.5 * Math.Pow(0.85, 5), (double)gd["x"]![5]!, 12);
        Assert.Equal(0.85, (double)gd["rates"]![0]!, 12);

        var bad = await Post(lab, "api/race", """{"surface":"custom","expr":"x*y*z","optimizers":[]}""", HttpStatusCode.BadRequest);
        Assert.Equal("expr", (string?)bad["field"]);
        Assert.Contains("two variables", (string?)bad["error"]);
        bad = await Post(lab, "api/race", """{"surface":"quadratic","optimizers":[{"kind":"gd","lr":-1}]}""", HttpStatusCode.BadRequest);
        Assert.Equal("optimizers", (string?)bad["field"]);
        bad = await Post(lab, "api/play/new", """{"hidden":"8,x"}""", HttpStatusCode.BadRequest);
        Assert.Equal("hidden", (string?)bad["field"]);
        using var line = await http.GetAsync(new Uri(lab.Address, "api/line?f=w%5E2%20%2B&lr=0.1"));
        Assert.Equal(HttpStatusCode.BadRequest, line.StatusCode);

        var play = await Post(lab, "api/play/new", """{"dataset":"xor","res":10,"seed":2}""");
        var step = await Post(lab, "api/play/step", $$"""{"id":"{{play["id"]}}","epochs":3,"res":10}""");
        Assert.Equal(3, (int)step["epoch"]!);
        Assert.Equal(3, step["trainLoss"]!.AsArray().Count);
        Assert.Equal(100, step["boundary"]!.AsArray().Count);

        using var foreign = new HttpRequestMessage(HttpMethod.Get, lab.Address);
        foreign.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(foreign)).StatusCode);
        Assert.Throws<ArgumentOutOfRangeException>(() => LabServer.StartAsync(70000).GetAwaiter().GetResult());
    }

    private sealed class Browser : IAsyncDisposable
    {
        public required IPlaywright Playwright { get; init; }
        public required IBrowser Chrome { get; init; }
        public required LabServer Lab { get; init; }
        public List<string> Foreign { get; } = [];
        public List<string> Errors { get; } = [];

        public async Task<IPage> Open(string query)
        {
            var page = await Chrome.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
            // Nothing may leave the machine: any request to another host is recorded and refused.
            await page.RouteAsync("**/*", async route =>
            {
                if (new Uri(route.Request.Url).Host != "127.0.0.1") { Foreign.Add(route.Request.Url); await route.AbortAsync(); }
                else await route.ContinueAsync();
            });
            page.PageError += (_, e) => Errors.Add(e);
            page.Console += (_, m) => { if (m.Type == "error" && !m.Text.Contains("400")) Errors.Add(m.Text); };
            await page.GotoAsync(new Uri(Lab.Address, query).ToString());
            await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "1");
            return page;
        }

        public async ValueTask DisposeAsync()
        {
            await Chrome.DisposeAsync();
            Playwright.Dispose();
            await Lab.DisposeAsync();
        }
    }

    private static async Task<Browser> Launch()
    {
        Requires.AnyFile($"{Chromium} (sudo apt-get install chromium)", Chromium);
        var lab = await LabServer.StartAsync(0);
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var chrome = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        return new Browser { Playwright = playwright, Chrome = chrome, Lab = lab };
    }

    private async Task Shot(IPage page, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        await page.ScreenshotAsync(new() { Path = path });
        output.WriteLine($"screenshot: {path}");
    }

    private static Task<string?> End(IPage page, string kind) => page.Locator($"#race-legend span[data-kind={kind}]").GetAttributeAsync("data-end");

    private static Task SetRange(ILocator slider, double value) =>
        slider.EvaluateAsync("(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", value.ToString(CultureInfo.InvariantCulture));

    [SkippableFact]
    public async Task TheRaceRunsAClickSetsTheStartAndASliderRedrawsThePath()
    {
        await using var b = await Launch();
        var page = await b.Open("?tab=race");
        await Assertions.Expect(page.Locator("#race-legend span")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#bound")).ToHaveTextAsync("0.2"); // 2/λ_max of ½(x² + 10y²)
        await Assertions.Expect(page.Locator("#quad")).ToContainTextAsync("0.85"); // |1 − 0.15·1|
        string? before = await End(page, "gd");

        await page.Locator("#race-map").ClickAsync(new() { Position = new() { X = 80, Y = 360 } });
        await page.WaitForFunctionAsync("() => location.search.includes('start=')");
        await Assertions.Expect(page.Locator("#race-legend span[data-kind=gd]")).Not.ToHaveAttributeAsync("data-end", before ?? "");
        string? afterClick = await End(page, "gd");

        // A slider move is one request and a redraw: time it from the input event to the new paths on the map.
        int runs = int.Parse(await page.Locator("#race-map").GetAttributeAsync("data-runs") ?? "0", CultureInfo.InvariantCulture);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await SetRange(page.Locator(".opt[data-index='0'] .lr"), Math.Log10(0.05));
        await page.WaitForFunctionAsync($"() => +document.getElementById('race-map').dataset.runs > {runs}", null, new() { PollingInterval = 5 });
        output.WriteLine($"race: slider move to redrawn paths in {clock.ElapsedMilliseconds} ms (including the 25 ms debounce)");
        await Assertions.Expect(page.Locator("#race-legend span[data-kind=gd]")).Not.ToHaveAttributeAsync("data-end", afterClick ?? "");
        Assert.Contains("opt=gd%3A0.05", page.Url);

        await page.Locator("#animate").ClickAsync();
        await page.Locator("#stop").ClickAsync(); // stopping by hand leaves the paths drawn up to that step
        Assert.Equal("0", await page.Locator("#race-map").GetAttributeAsync("data-animating"));
        await SetRange(page.Locator("#scrub"), 200);
        await Shot(page, "lab-race.png");
        Assert.Empty(b.Foreign);
        Assert.Empty(b.Errors);
    }

    [SkippableFact]
    public async Task BadInputShowsAMessageNextToTheControlAndThePageKeepsWorking()
    {
        await using var b = await Launch();
        var page = await b.Open("?tab=race&surface=custom&expr=x*y*z");
        await Assertions.Expect(page.Locator("#expr-err")).ToContainTextAsync("two variables");
        await page.Locator("#expr").FillAsync("x^2 +* y");
        await Assertions.Expect(page.Locator("#expr-err")).Not.ToBeEmptyAsync();
        await page.Locator("#expr").FillAsync("x^2 + 4*y^2 + x*y");
        await Assertions.Expect(page.Locator("#expr-err")).ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#race-legend span")).ToHaveCountAsync(3);

        // GD at η = 1 on ½(x² + 10y²) is far past 2/λ_max = 0.2: the row says it diverged.
        page = await b.Open("?tab=race&opt=gd:1");
        await Assertions.Expect(page.Locator("#opt-msg-0")).ToContainTextAsync("diverged");

        page = await b.Open("?tab=line&f=x*y");
        await Assertions.Expect(page.Locator("#line-f-err")).ToContainTextAsync("one variable");
        await page.Locator("#line-f").FillAsync("w^2");
        await Assertions.Expect(page.Locator("#line-verdict")).ToHaveAttributeAsync("data-verdict", "Converging");
        Assert.Empty(b.Foreign);
        Assert.Empty(b.Errors);
    }

    [SkippableFact]
    public async Task TheLineSaysConvergingOscillatingOrDiverging()
    {
        await using var b = await Launch();
        var page = await b.Open("?tab=line&lr=1");
        var verdict = page.Locator("#line-verdict");
        await Assertions.Expect(verdict).ToHaveAttributeAsync("data-verdict", "Oscillating");
        await page.Locator(".preset-lr[data-lr='1.05']").ClickAsync();
        await Assertions.Expect(verdict).ToHaveAttributeAsync("data-verdict", "Diverging");
        await Assertions.Expect(page.Locator("#line-lr-err")).ToContainTextAsync("diverges");
        await SetRange(page.Locator("#line-lr"), Math.Log10(0.3));
        await Assertions.Expect(verdict).ToHaveAttributeAsync("data-verdict", "Converging");
        await page.Locator(".preset-lr[data-lr='0.7']").ClickAsync();
        await Assertions.Expect(verdict).ToHaveAttributeAsync("data-verdict", "OscillatingConverging");
        Assert.Contains("lr=0.7", page.Url);
        await Shot(page, "lab-line.png");
    }

    [SkippableFact]
    public async Task ThePlaygroundSeparatesTheMoons()
    {
        await using var b = await Launch();
        var page = await b.Open("?tab=play&noise=0.1&seed=3");
        var map = page.Locator("#p-map");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-epoch", "0");
        await page.Locator("#p-step").ClickAsync();
        await Assertions.Expect(map).ToHaveAttributeAsync("data-epoch", "1");
        await page.Locator("#p-play").ClickAsync();
        await page.WaitForFunctionAsync("() => +document.getElementById('p-map').dataset.epoch >= 40", null, new() { Timeout = 60_000 });
        string fps = await map.GetAttributeAsync("data-fps") ?? "0";
        await page.Locator("#p-pause").ClickAsync();
        output.WriteLine($"playground: {fps} frames per second while playing");
        double accuracy = double.Parse(await map.GetAttributeAsync("data-test-accuracy") ?? "0", CultureInfo.InvariantCulture);
        Assert.True(accuracy > 0.9, $"test accuracy {accuracy}");
        await Shot(page, "lab-play.png");
    }

    [SkippableFact]
    public async Task TheFinderSuggestsARangeAndAUrlReopensTheSameLesson()
    {
        await using var b = await Launch();
        var page = await b.Open("?tab=lrfind");
        await page.Locator("#f-run").ClickAsync();
        await Assertions.Expect(page.Locator("#f-result")).ToContainTextAsync("heuristic", new() { Timeout = 30_000 });
        double low = double.Parse(await page.Locator("#f-result").GetAttributeAsync("data-low") ?? "nan", CultureInfo.InvariantCulture);
        double high = double.Parse(await page.Locator("#f-result").GetAttributeAsync("data-high") ?? "nan", CultureInfo.InvariantCulture);
        Assert.True(low > 0 && low <= high && high < 10, $"suggested {low}..{high}");
        await Shot(page, "lab-lrfind.png");

        // A lesson set up by hand, then its URL opened in a fresh tab: the same surface, start, optimizers and paths.
        var first = await b.Open("?tab=race&surface=rosenbrock&opt=adam:0.05;lion:0.01&steps=300");
        await first.Locator("#race-map").ClickAsync(new() { Position = new() { X = 120, Y = 100 } });
        await first.WaitForFunctionAsync("() => location.search.includes('start=')");
        await first.Locator("#focus").ClickAsync();
        var adam = await End(first, "adam");
        var second = await b.Open(new Uri(first.Url).Query);
        Assert.Equal("rosenbrock", await second.Locator("#surface").InputValueAsync());
        Assert.Equal(adam, await End(second, "adam"));
        Assert.Equal(await End(first, "lion"), await End(second, "lion"));
        Assert.Contains("focus", await second.Locator("body").GetAttributeAsync("class") ?? "");
        await Assertions.Expect(second.Locator(".controls").First).ToBeHiddenAsync();
        Assert.Equal(first.Url, second.Url);
        Assert.Empty(b.Foreign);
        Assert.Empty(b.Errors);
    }
}
