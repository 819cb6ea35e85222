using System.Diagnostics;
using System.Text;

namespace Descent.Cli.Tests;

/// <summary>
/// Runs every command of docs/getting-started.md, in order, in a folder holding a copy of examples/data, with the built
/// <c>descent</c> (a separate process per command, as a user runs them), and checks every line of each output block
/// shown after a command against what the command printed. The install commands (<c>dotnet pack</c>, <c>dotnet tool
/// install</c>) run in <see cref="TheInstallCommandsGiveAWorkingTool"/>, with the slow examples.
/// </summary>
public sealed class GettingStartedTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-getting-started-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Descent.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Descent.slnx not found above the test folder.");
    }

    /// <summary>A command of the page and the output lines shown after it (empty when none).</summary>
    internal sealed record Step(string Command, List<string> Expected);

    /// <summary>The commands of the page's <c>sh</c> blocks, each with the lines of the <c>text</c> block that follows its block.</summary>
    internal static List<Step> Steps(string markdown)
    {
        var steps = new List<Step>();
        string? fence = null;
        Step? lastOfBlock = null;
        foreach (var raw in markdown.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (fence is null) fence = line[3..].Trim();
                else
                {
                    if (fence != "text") lastOfBlock = fence == "sh" ? steps.LastOrDefault() : null;
                    fence = null;
                }
                continue;
            }
            if (fence == "sh" && line.Trim().Length > 0) steps.Add(new Step(line.Trim(), []));
            else if (fence == "text" && lastOfBlock is not null && line.Trim().Length > 0) lastOfBlock.Expected.Add(line);
        }
        return steps;
    }

    /// <summary>Splits a command line into words (double and single quotes group words).</summary>
    internal static List<string> Words(string command)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        bool any = false;
        foreach (char c in command)
        {
            if (quote is char q) { if (c == q) quote = null; else current.Append(c); }
            else if (c is '"' or '\'') { quote = c; any = true; }
            else if (char.IsWhiteSpace(c)) { if (any || current.Length > 0) words.Add(current.ToString()); current.Clear(); any = false; }
            else current.Append(c);
        }
        if (any || current.Length > 0) words.Add(current.ToString());
        return words;
    }

    /// <summary>Runs the built CLI in <paramref name="folder"/> as a separate process.</summary>
    internal static (int Code, string Output) Descent(string folder, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Descent.Cli.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(entireProcessTree: true); throw new TimeoutException($"descent {string.Join(' ', args)} ran for 5 minutes"); }
        return (process.ExitCode, output.Result + error.Result);
    }

    [Fact]
    public void EveryCommandRunsAndPrintsWhatThePageShows()
    {
        string root = RepositoryRoot();
        var steps = Steps(File.ReadAllText(Path.Combine(root, "docs", "getting-started.md")));
        Assert.True(steps.Count(s => s.Command.StartsWith("descent ", StringComparison.Ordinal) || s.Command == "descent") >= 7, "the page lost its commands");
        Assert.Contains(steps, s => s.Command.Contains("predict", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.Command.Contains("--live", StringComparison.Ordinal));

        string data = Path.Combine(_dir, "examples", "data");
        Directory.CreateDirectory(data);
        foreach (var file in Directory.GetFiles(Path.Combine(root, "examples", "data"), "*.csv")) File.Copy(file, Path.Combine(data, Path.GetFileName(file)));

        int ran = 0;
        foreach (var step in steps)
        {
            var words = Words(step.Command);
            if (words[0] == "dotnet" && words.Count > 4 && words[1] == "run" && words[4] == "--") words = ["descent", .. words[5..]];
            if (words[0] == "dotnet") continue; // the install commands: TheInstallCommandsGiveAWorkingTool
            Assert.Equal("descent", words[0]);
            var (code, output) = Descent(_dir, words.Skip(1));
            Assert.True(code == 0, $"'{step.Command}' exited with {code}:\n{output}");
            foreach (var line in step.Expected)
                Assert.True(output.Contains(line, StringComparison.Ordinal), $"'{step.Command}' did not print the line\n{line}\nIt printed:\n{output}");
            ran++;
        }
        Assert.True(ran >= 8);

        // Section 7's C# lines, on the model the page saved: the same price as 'descent predict' for the same house.
        var model = global::Descent.Learning.Model.Load(Path.Combine(_dir, "houses.safetensors"));
        var prediction = model.Predict(Tensor.FromArray(new double[,] { { 120, 4, 10 } }));
        File.WriteAllText(Path.Combine(_dir, "one.csv"), "size,rooms,age\n120,4,10\n");
        var (_, json) = Descent(_dir, ["predict", "houses.safetensors", "--data", "one.csv", "--json"]);
        Assert.Equal(prediction.Values[0][0], (double)System.Text.Json.Nodes.JsonNode.Parse(json)!["predictions"]![0]!);
        Assert.InRange(prediction.Values[0][0], 300_000, 400_000);
    }

    [Fact]
    public void ThePageSnippetCompilesAgainstTheLibrary()
    {
        // The C# block of the page names these members; renaming one must fail a test, not a reader.
        string page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "getting-started.md"));
        Assert.Contains("Model.Load(\"houses.safetensors\")", page, StringComparison.Ordinal);
        Assert.Contains("model.Predict(Tensor.FromArray(new double[,] { { 120, 4, 10 } }))", page, StringComparison.Ordinal);
        Assert.Contains("prediction.Values[0][0]", page, StringComparison.Ordinal);
    }

    [ExampleFact]
    [InlineData("pack")]
    public void TheInstallCommandsGiveAWorkingTool(string _)
    {
        // The page's `dotnet pack` and `dotnet tool install`, with a local tool path instead of --global.
        string root = RepositoryRoot();
        var steps = Steps(File.ReadAllText(Path.Combine(root, "docs", "getting-started.md")));
        var pack = Words(steps.Single(s => s.Command.StartsWith("dotnet pack", StringComparison.Ordinal)).Command);
        var install = Words(steps.Single(s => s.Command.StartsWith("dotnet tool install", StringComparison.Ordinal)).Command);
        string feed = Path.Combine(_dir, "nupkg"), tools = Path.Combine(_dir, "tools");
        // A version of its own: a Descent.Cli 0.1.0 cached by an earlier pack must not stand in for this build.
        string version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        pack[pack.IndexOf("-o") + 1] = feed;
        Run(root, [.. pack.Skip(1), "-p:Version=" + version]);
        install.Remove("--global");
        install[install.IndexOf("--add-source") + 1] = feed;
        Run(root, [.. install.Skip(1), "--tool-path", tools, "--version", version]);
        var info = new ProcessStartInfo(Path.Combine(tools, "descent"), ["fit"]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir };
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("0.500155", output, StringComparison.Ordinal);

        static void Run(string folder, IEnumerable<string> args)
        {
            var info = new ProcessStartInfo("dotnet", args) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), $"dotnet {string.Join(' ', args)} did not finish");
            Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited with {process.ExitCode}: {output.Result}{error.Result}");
        }
    }
}
