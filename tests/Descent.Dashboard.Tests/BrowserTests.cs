using System.Globalization;
using System.Text.Json.Nodes;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Metrics;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;
using Descent.Optimization.Stopping;
using Descent.Tracking;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Descent.Dashboard.Tests;

/// <summary>The live page in a real browser: Debian's Chromium driven by Playwright (it never downloads a browser).</summary>
public class BrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

    /// <summary>Where screenshots go: the test's folder, or DESCENT_SCREENSHOTS (docs/images when refreshing the docs).</summary>
    private static string Shot(string name) =>
        Path.Combine(Environment.GetEnvironmentVariable("DESCENT_SCREENSHOTS") is { Length: > 0 } folder ? folder : AppContext.BaseDirectory, name);

    private static async Task<int> Points(ILocator chart) => int.Parse(await chart.GetAttributeAsync("data-points") ?? "0", CultureInfo.InvariantCulture);

    private static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(seconds); DateTime.UtcNow < deadline; await Task.Delay(100))
            if (await condition()) return;
        Assert.Fail($"{what} did not happen in {seconds} s");
    }

    [SkippableFact]
    public async Task TheCurveGrowsLogTicksAreDecadesAndStopLeavesTheFinalCurves()
    {
        Requires.AnyFile($"{Chromium} (sudo apt-get install chromium)", Chromium);
        using var temp = new TempFolder();
        var checkpoint = temp.File("model.safetensors");
        using var store = RunStore.Open(temp.File("runs.db"));
        var page = await LiveDashboard.StartAsync(0);
        await using var _ = page;
        output.WriteLine($"live page: {page.Address}");

        var settings = new JsonObject { ["model"] = "mlp 2-16-16-2", ["optimizer"] = "adam", ["learning_rate"] = 0.01, ["batch_size"] = 16, ["epochs"] = 1000 };
        var trainer = new Trainer<double>(new Mlp<double>(2, [16, 16], 2, seed: 1), (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<double>(0.01),
            new TrainerOptions
            {
                Epochs = 1000, CheckpointPath = checkpoint, Cancellation = page.StopRequested,
                Metrics = new Dictionary<string, Func<Tensor<double>, Tensor<double>, double>> { ["accuracy"] = Metric.Accuracy },
            });
        var data = SyntheticData.Moons(256, 0.2, seed: 4);
        using var tracked = RunTracker.Attach(trainer, store, new RunStart { Command = "browser test", Settings = settings, Seed = 1, CheckpointPath = checkpoint });
        using var live = page.Attach(trainer, "moons mlp", settings, totalEpochs: 1000);
        var fit = Task.Run(() => trainer.Fit(new SlowBatches(data, 16, 15), data.Slice(0, 64)));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1320, Height = 900 }, DeviceScaleFactor = 1 });
        var errors = new List<string>();
        tab.PageError += (_, e) => errors.Add(e);
        await tab.GotoAsync(page.Address.ToString());
        var chart = tab.Locator("#loss-chart");

        // The curve grows live.
        int first = 0;
        await Eventually(async () => (first = await Points(chart)) > 0, "a first point on the loss chart");
        await Eventually(async () => await Points(chart) > first + 20, "the loss chart growing");
        await Assertions.Expect(tab.Locator("#state")).ToHaveTextAsync("running");
        await Assertions.Expect(tab.Locator("#progress")).ToContainTextAsync("of 1000");
        await Assertions.Expect(tab.Locator("#runs")).ToContainTextAsync("adam");
        // Let a few epochs pass: every recorded metric gets its panel, with a line per series and a legend.
        for (var deadline = DateTime.UtcNow.AddSeconds(30); trainer.History.Epochs.Count < 4 && DateTime.UtcNow < deadline;) await Task.Delay(100);
        await Task.Delay(700);
        foreach (var panel in new[] { "#accuracy-chart", "#gradient_norm-chart", "#learning_rate-chart", "#seconds-chart" })
            await Assertions.Expect(tab.Locator(panel + " canvas")).ToHaveCountAsync(1);
        await Assertions.Expect(tab.Locator("#loss-chart .u-legend")).ToContainTextAsync("moons mlp · validation loss");
        await tab.ScreenshotAsync(new() { Path = Shot("dashboard.png"), FullPage = true });
        // Hovering a chart reads out the values at that step in its legend.
        await chart.Locator(".u-over").HoverAsync(new() { Position = new() { X = 300, Y = 100 } });
        await Assertions.Expect(chart.Locator(".u-legend .u-series").Nth(0).Locator(".u-value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9]+$"));
        await tab.Mouse.MoveAsync(0, 0);

        // Log scale: the loss axis has ticks at whole multiples of powers of ten, and at least two decades.
        await tab.Locator("#log").CheckAsync();
        string[] ticks = [];
        await Eventually(async () =>
        {
            ticks = (await chart.GetAttributeAsync("data-yticks") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
            return await chart.GetAttributeAsync("data-log") == "true" && ticks.Count(t => IsDecade(double.Parse(t, CultureInfo.InvariantCulture))) >= 2;
        }, "decade ticks on the log-scale loss axis", 10);
        output.WriteLine("log ticks: " + string.Join(", ", ticks));
        foreach (var t in ticks) Assert.True(IsWholeTimesDecade(double.Parse(t, CultureInfo.InvariantCulture)), $"tick {t} is not m·10^k");

        // Stop: the run ends stopped and the page says so, with the final curves.
        var stop = tab.Locator("#stop");
        await Assertions.Expect(stop).ToBeEnabledAsync();
        await stop.ClickAsync();
        var history = await fit.WaitAsync(TimeSpan.FromSeconds(30));
        tracked.Complete(history);
        live.Complete(history);
        Assert.Equal(StopKind.Cancelled, history.StopReason!.Kind);
        Assert.True(File.Exists(checkpoint), "no checkpoint after Stop");
        Assert.Equal(RunStatus.Stopped, store.GetRun(tracked.RunId)!.Status);
        await Assertions.Expect(tab.Locator("#state")).ToHaveTextAsync("stopped");
        await Assertions.Expect(tab.Locator("#banner")).ToContainTextAsync("Training stopped");
        await Assertions.Expect(stop).ToBeDisabledAsync();
        await Task.Delay(700); // the last frame's points are drawn at the next throttled redraw
        int final = await Points(chart);
        Assert.True(final > first + 20, $"the final curves have {final} points");

        // The page after the run's command has gone: the curves stay, the page says the command exited.
        await page.DisposeAsync();
        await Assertions.Expect(tab.Locator("#conn")).ToContainTextAsync("exited", new() { Timeout = 15000 });
        Assert.Equal(final, await Points(chart));
        await Assertions.Expect(tab.Locator("#state")).ToHaveTextAsync("stopped");
        await tab.ScreenshotAsync(new() { Path = Shot("dashboard-stopped.png"), FullPage = true });
        Assert.Empty(errors);
    }

    [SkippableFact]
    public async Task TickingRunsOverlaysThemAndTheTableShowsWhatDiffers()
    {
        Requires.AnyFile($"{Chromium} (sudo apt-get install chromium)", Chromium);
        using var temp = new TempFolder();
        var path = temp.File("runs.db");
        using (var store = RunStore.Open(path))
            foreach (var (lr, rate) in new[] { (0.3, 0.5), (0.1, 0.8), (0.03, 0.95) })
            {
                var settings = new JsonObject { ["model"] = "mlp", ["optimizer"] = "adam", ["lr"] = lr, ["epochs"] = 30, ["tags"] = new JsonArray("sweep") };
                using var writer = store.StartRun(new RunStart { Command = "descent fit", Name = $"adam lr {lr}", Settings = settings });
                double loss = 2;
                for (int epoch = 1; epoch <= 30; epoch++)
                {
                    loss *= rate;
                    writer.LogStep(epoch, epoch, "loss", loss, 1);
                    writer.EndEpoch(epoch, [new("val_loss", loss * 1.2)]);
                }
                writer.Finish(RunStatus.Finished, "max epochs");
            }
        await using var page = await LiveDashboard.StartAsync(new LiveDashboardOptions { StorePath = path, StorePollInterval = TimeSpan.FromMilliseconds(100) });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1100, Height = 900 } });
        var errors = new List<string>();
        tab.PageError += (_, e) => errors.Add(e);
        await tab.GotoAsync(page.Address.ToString());

        var rows = tab.Locator("#runs tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        // Only lr differs: its column is highlighted; the settings every run shares are hidden.
        await Assertions.Expect(tab.Locator("#runs th.differs")).ToHaveTextAsync("lr");
        await Assertions.Expect(tab.Locator("#runs thead")).Not.ToContainTextAsync("optimizer");
        // The newest run is drawn; tick the first and second: the ticks stay (updates keep coming every 100 ms).
        var legend = tab.Locator("#loss-chart .u-legend");
        await Assertions.Expect(legend).ToContainTextAsync("adam lr 0.03");
        foreach (var name in new[] { "adam lr 0.3", "adam lr 0.1" })
            await rows.Filter(new() { HasText = name }).Locator("input[type=checkbox]").ClickAsync();
        await Task.Delay(600);
        foreach (var name in new[] { "adam lr 0.3", "adam lr 0.1", "adam lr 0.03" })
        {
            await Assertions.Expect(rows.Filter(new() { HasText = name }).Locator("input[type=checkbox]")).ToBeCheckedAsync();
            await Assertions.Expect(legend).ToContainTextAsync(name + " · validation loss");
        }
        // Every point of the three runs is drawn: per run 30 batch losses, raw and smoothed, and 30 train and 30 validation losses per epoch.
        await Eventually(async () => await Points(tab.Locator("#loss-chart")) == 3 * (2 * 30 + 30 + 30), "all three runs on the loss chart", 5);
        // Sort by best loss: the fastest-falling run (lr 0.3) first.
        await tab.Locator("#runs th", new() { HasText = "best loss" }).ClickAsync();
        await Assertions.Expect(rows.First).ToContainTextAsync("adam lr 0.3");
        await tab.Locator("#runs th", new() { HasText = "best loss" }).ClickAsync();
        await Assertions.Expect(rows.First).ToContainTextAsync("adam lr 0.03");
        // Unticking removes a run from the charts.
        await rows.Filter(new() { HasText = "adam lr 0.1" }).Locator("input[type=checkbox]").ClickAsync();
        await Assertions.Expect(legend).Not.ToContainTextAsync("adam lr 0.1 ·");
        await tab.ScreenshotAsync(new() { Path = Shot("dashboard-compare.png"), FullPage = true });

        // A narrow window: the charts stay inside it.
        await tab.SetViewportSizeAsync(600, 900);
        await Task.Delay(500);
        var width = await tab.EvaluateAsync<double>("document.querySelector('#loss-chart canvas').getBoundingClientRect().right");
        Assert.True(width <= 600, $"the loss chart ends at {width} px in a 600 px window");

        // A high-DPI screen: the canvas has twice as many pixels as it takes CSS pixels, so lines stay sharp.
        var sharp = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 800, Height = 700 }, DeviceScaleFactor = 2 });
        await sharp.GotoAsync(page.Address.ToString());
        await Assertions.Expect(sharp.Locator("#loss-chart canvas")).ToHaveCountAsync(1);
        var ratio = await sharp.EvaluateAsync<double>("(() => { const c = document.querySelector('#loss-chart canvas'); return c.width / c.getBoundingClientRect().width; })()");
        Assert.InRange(ratio, 1.95, 2.05);
        Assert.Empty(errors);
    }

    private static bool IsDecade(double v) => v > 0 && Math.Abs(Math.Log10(v) - Math.Round(Math.Log10(v))) < 1e-9;

    private static bool IsWholeTimesDecade(double v)
    {
        if (v <= 0) return false;
        double decade = Math.Pow(10, Math.Floor(Math.Log10(v) + 1e-12));
        double m = v / decade;
        return Math.Abs(m - Math.Round(m)) < 1e-6 && Math.Round(m) is >= 1 and <= 9;
    }
}
