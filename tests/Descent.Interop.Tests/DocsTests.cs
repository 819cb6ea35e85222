using System.Diagnostics;
using System.Text;

namespace Descent.Interop.Tests;

/// <summary>
/// Runs every <c>sh</c> (descent) and <c>python</c> block of docs/models-that-travel.md, in order, in a folder holding
/// the page's two CSV files: the <c>descent</c> commands with the built CLI in a separate process each, the Python blocks
/// with Debian's python3 (python3-torch, python3-onnx). Every one must succeed.
/// </summary>
public sealed class DocsTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Descent.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Descent.slnx not found above the test folder.");
    }

    private static List<(string Kind, string Text)> Blocks(string markdown)
    {
        var blocks = new List<(string, string)>();
        string? fence = null;
        var text = new StringBuilder();
        foreach (var raw in markdown.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (fence is null) { fence = line[3..].Trim(); text.Clear(); }
                else { if (fence is "sh" or "python") blocks.Add((fence, text.ToString())); fence = null; }
                continue;
            }
            if (fence is not null) text.AppendLine(line);
        }
        return blocks;
    }

    private static (int Code, string Output) Start(string folder, string program, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{program} {string.Join(' ', args)} ran for 2 minutes"); }
        return (process.ExitCode, output.Result + error.Result);
    }

    private static readonly string[] FileExtensions = [".csv", ".safetensors", ".onnx", ".pt"];

    private static string InFolder(string folder, string word)
        => !word.StartsWith('-') && FileExtensions.Any(e => word.EndsWith(e, StringComparison.Ordinal)) ? Path.Combine(folder, word) : word;

    [SkippableFact]
    public void Every_command_and_script_of_the_page_runs()
    {
        bool python = File.Exists("/usr/bin/python3") && Start("/tmp", "/usr/bin/python3", ["-c", "import torch, onnx"]).Code == 0;
        Requires.That(python, "Debian's python3-torch and python3-onnx (sudo apt-get install python3-torch python3-onnx)");
        string folder = Support.TempFolder();
        File.Copy(Support.Fixture("train.csv"), Path.Combine(folder, "species-train.csv"));
        File.Copy(Support.Fixture("test.csv"), Path.Combine(folder, "species-test.csv"));
        var blocks = Blocks(File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "models-that-travel.md")));
        Assert.True(blocks.Count(b => b.Kind == "sh") >= 4 && blocks.Count(b => b.Kind == "python") >= 2, "the page lost its examples");
        foreach (var (kind, text) in blocks)
        {
            if (kind == "python")
            {
                var (code, output) = Start(folder, "/usr/bin/python3", ["-c", text]);
                Assert.True(code == 0, $"python block failed ({code}):\n{text}\n{output}");
                continue;
            }
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal("descent", words[0]);
                // In-process (a process per command costs seconds on a busy machine), with the page's files in the folder.
                var (code, output, error) = Support.Run([.. words[1..].Select(w => InFolder(folder, w))]);
                Assert.True(code == 0, $"'{line}' failed ({code}):\n{output}{error}");
            }
        }
        foreach (var made in new[] { "species.safetensors", "species.onnx", "net.pt", "net.safetensors", "tuned.safetensors" })
            Assert.True(File.Exists(Path.Combine(folder, made)), made + " was not written");
        // The page's claim about a misfit: the error names the tensor and the expected shape.
        var (misfit, _, message) = Support.Run("import", InFolder(folder, "net.pt"), "--hidden", "64", "--out", InFolder(folder, "x.safetensors"));
        Assert.Equal(3, misfit);
        Assert.Contains("tensor '0.weight' has shape [32, 4] but --model mlp --hidden 64 expects [64, 4] there", message);
    }
}
