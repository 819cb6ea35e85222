using System.Diagnostics;
using System.Text;

namespace Descent.Cli.Tests;

/// <summary>
/// Runs every command of docs/getting-started.md, in order, in a folder holding a copy of examples/data, with the built
/// <c>descent</c> (a separate process per command, as a user runs them), and checks every line of each output block
/// shown after a command against what the command printed. The install commands (<c>eng/pack.sh</c>, <c>dotnet tool
/// install</c>) are run by .ci/run's packaging step; <see cref="TheInstallCommandsAreTheOnesCiRunsThroughTheInstalledTool"/> ties the page to it.
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
        var (code, output, error) = ChildProcess.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "Descent.Cli.dll"), .. args], folder, TimeSpan.FromMinutes(5));
        return (code, output + error);
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
            if (words[0] is "dotnet" or "eng/pack.sh") continue; // the install commands: run by .ci/run's packaging step
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

    [Fact]
    public void TheInstallCommandsAreTheOnesCiRunsThroughTheInstalledTool()
    {
        // The page's install commands are run for real by .ci/run: eng/ci-packaging.sh runs eng/pack.sh (libraries,
        // portable and Native AOT tool), then eng/smoke-tool.sh installs Descent.Cli from artifacts/packages into a
        // temporary tool path (the page's --global, minus the global folder) and checks grad, fit and demo through it.
        // Here: the page shows exactly those commands, so a reader runs what CI proves.
        string root = RepositoryRoot();
        var steps = Steps(File.ReadAllText(Path.Combine(root, "docs", "getting-started.md")));
        Assert.Contains(steps, s => s.Command == "eng/pack.sh");
        var install = Words(steps.Single(s => s.Command.StartsWith("dotnet tool install", StringComparison.Ordinal)).Command);
        Assert.Equal(["dotnet", "tool", "install", "--global", "--add-source", "artifacts/packages", "Descent.Cli"], install);
        string ci = File.ReadAllText(Path.Combine(root, "eng", "ci-packaging.sh"));
        Assert.Contains("eng/pack.sh", ci, StringComparison.Ordinal);
        Assert.Contains("eng/smoke-tool.sh", ci, StringComparison.Ordinal);
        string smoke = File.ReadAllText(Path.Combine(root, "eng", "smoke-tool.sh"));
        Assert.Contains("feed=\"$PWD/artifacts/packages\"", smoke, StringComparison.Ordinal);
        Assert.Contains("dotnet tool install Descent.Cli", smoke, StringComparison.Ordinal);
        Assert.Contains("eng/ci-packaging.sh", File.ReadAllText(Path.Combine(root, ".ci", "run")), StringComparison.Ordinal);
    }
}
