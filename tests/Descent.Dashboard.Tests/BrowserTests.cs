using System.Globalization;
using System.Text.Json.Nodes;
using Descent.Learning.Data;
using Descent.Learning.Losses;
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

    [SkippableFact]
    public async Task TheCurveGrowsAndStopEndsTheRunCleanly()
    {
        Requires.AnyFile($"{Chromium} (sudo apt-get install chromium)", Chromium);
        using var temp = new TempFolder();
        var checkpoint = temp.File("model.safetensors");
        using var store = RunStore.Open(temp.File("runs.db"));
        await using var page = await LiveDashboard.StartAsync(0);
        output.WriteLine($"live page: {page.Address}");

        var settings = new JsonObject { ["model"] = "mlp 2-16-16-2", ["optimizer"] = "adam", ["learning_rate"] = 0.01, ["batch_size"] = 16, ["epochs"] = 1000 };
        var trainer = new Trainer<double>(new Mlp<double>(2, [16, 16], 2, seed: 1), (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<double>(0.01),
            new TrainerOptions { Epochs = 1000, CheckpointPath = checkpoint, Cancellation = page.StopRequested });
        var data = Datasets.Moons(256, 0.2, seed: 4);
        using var tracked = RunTracker.Attach(trainer, store, new RunStart { Command = "browser test", Settings = settings, Seed = 1, CheckpointPath = checkpoint });
        using var live = page.Attach(trainer, "browser test", settings, totalEpochs: 1000);
        var fit = Task.Run(() => trainer.Fit(new SlowBatches(data, 16, 15), data.Slice(0, 64)));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1320, Height = 760 } });
        await tab.GotoAsync(page.Address.ToString());
        var chart = tab.Locator("#loss-chart");

        async Task<int> Points() => int.Parse(await chart.GetAttributeAsync("data-points") ?? "0", CultureInfo.InvariantCulture);
        async Task<int> WaitForMoreThan(int count)
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100))
                if (await Points() is var n && n > count) return n;
            Assert.Fail($"the chart did not grow past {count} points in 30 s");
            return 0;
        }
        int first = await WaitForMoreThan(0);
        int second = await WaitForMoreThan(first + 20);
        output.WriteLine($"points drawn: {first}, then {second}");
        await Assertions.Expect(tab.Locator("#conn")).ToHaveTextAsync("live");
        await Assertions.Expect(tab.Locator("#progress")).ToContainTextAsync("of 1000");
        await Assertions.Expect(tab.Locator("#settings")).ToContainTextAsync("adam");
        // Let a few epochs pass so the epoch curves show, then take the picture for the docs.
        for (var deadline = DateTime.UtcNow.AddSeconds(30); trainer.History.Epochs.Count < 4 && DateTime.UtcNow < deadline;) await Task.Delay(100);
        await Task.Delay(600);
        var shot = Path.Combine(AppContext.BaseDirectory, "dashboard.png");
        await tab.ScreenshotAsync(new() { Path = shot });
        output.WriteLine($"screenshot: {shot}");
        Assert.False(fit.IsCompleted);

        var stop = tab.Locator("#stop");
        await Assertions.Expect(stop).ToBeEnabledAsync();
        await stop.ClickAsync();
        var history = await fit.WaitAsync(TimeSpan.FromSeconds(30));
        tracked.Complete(history);
        live.Complete(history);

        Assert.Equal(StopKind.Cancelled, history.StopReason!.Kind);
        Assert.True(File.Exists(checkpoint), "no checkpoint after Stop");
        var run = store.GetRun(tracked.RunId)!;
        Assert.Equal(RunStatus.Stopped, run.Status);
        Assert.Contains("stopped by the user", run.StopReason);
        await Assertions.Expect(tab.Locator("#progress")).ToContainTextAsync("stopped");
        await Assertions.Expect(stop).ToBeDisabledAsync();
    }
}
