using System.Text.Json.Nodes;

namespace Descent.Interop.Tests;

/// <summary>The CLI in-process, the fixtures, temporary folders and Debian's ONNX checker.</summary>
internal static class Support
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    /// <summary>The JSON of a command that must succeed.</summary>
    public static JsonNode Json(params string[] args)
    {
        var (code, output, error) = CliRunner.Run([.. args, "--json"]);
        Assert.True(code == 0, $"exit {code}: {error}");
        return JsonNode.Parse(output)!;
    }

    public static string TempFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-interop-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static JsonObject Expected() => JsonNode.Parse(File.ReadAllText(Fixture("expected.json")))!.AsObject();

    /// <summary>Runs Debian's python3-onnx checker (onnx.checker.check_model with full_check) on <paramref name="files"/>; skipped (failed in CI) without it.</summary>
    public static void OnnxChecker(params string[] files)
    {
        bool present = File.Exists("/usr/bin/python3") && Python("import onnx").Code == 0;
        Requires.That(present, "Debian's python3-onnx (sudo apt-get install python3-onnx)");
        var (code, output) = Python("import onnx, sys\nfor f in sys.argv[1:]:\n    m = onnx.load(f); onnx.checker.check_model(m, full_check=True); print('ok', f, m.opset_import[0].version)", files);
        Assert.True(code == 0, $"onnx.checker rejected a file: {output}");
        Assert.Equal(files.Length, output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
    }

    private static (int Code, string Output) Python(string code, params string[] args)
    {
        var (exit, output, error) = ChildProcess.Run("/usr/bin/python3", ["-c", code, .. args]);
        return (exit, output + error);
    }
}
