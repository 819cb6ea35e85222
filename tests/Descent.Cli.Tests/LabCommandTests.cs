using System.Text.RegularExpressions;
using Descent.Cli;

namespace Descent.Cli.Tests;

public class LabCommandTests
{
    [Fact]
    public async Task LabServesThePageOnLoopbackUntilCancelled()
    {
        using var cts = new CancellationTokenSource();
        var stdout = new StringWriter();
        var output = TextWriter.Synchronized(stdout);
        var serve = Task.Run(() => Program.Run(["lab"], output, TextWriter.Null, cts.Token));
        Uri? address = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); address is null && DateTime.UtcNow < deadline && !serve.IsCompleted;)
        {
            string text;
            lock (output) text = stdout.ToString();
            var match = Regex.Match(text, @"Learning lab at (http://127\.0\.0\.1:\d+/)");
            if (match.Success) address = new Uri(match.Groups[1].Value);
            else await Task.Delay(50);
        }
        Assert.True(address is not null, "no address: " + stdout);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Contains("learning lab", await http.GetStringAsync(address), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("uPlot", await http.GetStringAsync(new Uri(address, "lib/uPlot.iife.min.js")), StringComparison.Ordinal);

        // The same port again: taken, said plainly, exit 2.
        var (code, _, error) = Cli.Run("lab", "--port", address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, code);
        Assert.Contains($"--port {address.Port}", error);
        Assert.DoesNotContain("   at ", error);

        await cts.CancelAsync();
        Assert.Equal(0, await serve.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData("--port 70000: use 0 to 65535", "lab", "--port", "70000")]
    [InlineData("--port -5: use 0 to 65535", "lab", "--port", "-5")]
    [InlineData("need 0 < min < max", "lr-find", "--min", "1", "--max", "0.1")]
    [InlineData("--hidden goes with --model mlp", "lr-find", "--hidden", "8")]
    public void BadOptionsAreNamed(string message, params string[] args)
    {
        var (code, _, error) = Cli.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }

    [Fact]
    public void LrFindSweepsExponentiallyAndSuggestsARange()
    {
        var (code, json) = Cli.Json("lr-find", "--data", "synthetic:moons?n=256&noise=0.1", "--model", "mlp", "--hidden", "8", "--min", "1e-5", "--max", "10", "--steps", "60", "--batch-size", "16");
        Assert.Equal(0, code);
        var rates = json["learning_rates"]!.AsArray().Select(n => (double)n!).ToArray();
        Assert.Equal(1e-5, rates[0], 1e-15);
        for (int i = 1; i < rates.Length; i++) Assert.Equal(Math.Pow(1e6, 1.0 / 59), rates[i] / rates[i - 1], 9);
        var suggested = json["suggested"]!.AsArray().Select(n => (double)n!).ToArray();
        Assert.True(suggested[0] > 1e-5 && suggested[0] <= suggested[1] && suggested[1] < 10, string.Join(", ", suggested));
        Assert.Contains("heuristic", (string?)json["note"]);
    }
}
