using System.Diagnostics;
using System.Text;

namespace Descent.Interop.Tests;

/// <summary>
/// Runs every <c>sh</c> (descent) and <c>python</c> block of docs/models-that-travel.md, in order, in a folder holding
/// the page's two CSV files: the <c>descent</c> commands with the built CLI in-process (words split as a shell splits
/// them, "double quotes" kept together), the Python blocks with Debian's python3 (python3-torch, python3-onnx,
/// python3-pil). Every one must succeed.
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
        var (code, output, error) = ChildProcess.Run(program, args, folder, TimeSpan.FromMinutes(2));
        return (code, output + error);
    }

    private static readonly string[] FileExtensions = [".csv", ".safetensors", ".onnx", ".pt"];

    private static string InFolder(string folder, string word)
        => !word.StartsWith('-') && (FileExtensions.Any(e => word.EndsWith(e, StringComparison.Ordinal)) || Directory.Exists(Path.Combine(folder, word))) ? Path.Combine(folder, word) : word;

    /// <summary>A command line's words as a shell splits them: spaces separate, "double quotes" group (and are removed).</summary>
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in line)
        {
            if (c == '"') { quoted = !quoted; any = true; }
            else if (c == ' ' && !quoted)
            {
                if (any) words.Add(word.ToString());
                word.Clear();
                any = false;
            }
            else { word.Append(c); any = true; }
        }
        Assert.False(quoted, $"unbalanced quotes in '{line}'");
        if (any) words.Add(word.ToString());
        return words;
    }

    [SkippableFact]
    public void Every_command_and_script_of_the_page_runs()
    {
        bool python = File.Exists("/usr/bin/python3") && Start("/tmp", "/usr/bin/python3", ["-c", "import torch, onnx, PIL"]).Code == 0;
        Requires.That(python, "Debian's python3-torch, python3-onnx and python3-pil (sudo apt-get install python3-torch python3-onnx python3-pil)");
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
                var words = Words(line);
                Assert.Equal("descent", words[0]);
                // In-process (a process per command costs seconds on a busy machine), with the page's files in the folder.
                var (code, output, error) = Support.Run([.. words[1..].Select(w => InFolder(folder, w))]);
                Assert.True(code == 0, $"'{line}' failed ({code}):\n{output}{error}");
            }
        }
        foreach (var made in new[] { "species.safetensors", "species.onnx", "net.pt", "net.safetensors", "tuned.safetensors", "shapes-cnn.pt", "shapes-cnn.safetensors", "shapes-cnn.onnx", "shapes-tuned.safetensors" })
            Assert.True(File.Exists(Path.Combine(folder, made)), made + " was not written");
        // The page's claim about a misfit: the error names the tensor and the expected shape.
        var (misfit, _, message) = Support.Run("import", InFolder(folder, "net.pt"), "--hidden", "64", "--out", InFolder(folder, "x.safetensors"));
        Assert.Equal(3, misfit);
        Assert.Contains("tensor '0.weight' has shape [32, 4] but --model mlp --hidden 64 expects [64, 4] there", message);
        // …and about a CNN's: the batch norm left out of --layers.
        var (cnnMisfit, _, cnnMessage) = Support.Run("import", InFolder(folder, "shapes-cnn.pt"), "--layers", "conv(8,3,padding=1) relu maxpool(2) flatten linear(2)", "--image-shape", "16x16", "--out", InFolder(folder, "x.safetensors"));
        Assert.Equal(3, cnnMisfit);
        Assert.Contains("tensor '1.weight' has shape [8] but --layers", cnnMessage);
        Assert.Contains("expects [2, 512] there, for its Linear(512, 2) (PyTorch's [out, in] layout); the file's module '1' is a BatchNorm, so --layers lacks or misplaces a layer before it", cnnMessage);
        // The page's image folders: the imported CNN predicts the test folder's classes by name, with metrics.
        var predicted = Support.Json("predict", InFolder(folder, "shapes-cnn.safetensors"), "--data", InFolder(folder, "shapes-test"));
        Assert.Equal(20, predicted["files"]!.AsArray().Count);
        Assert.True(predicted["metrics"]!["accuracy"]!.GetValue<double>() >= 0.7, predicted["metrics"]!.ToJsonString());
    }
}
