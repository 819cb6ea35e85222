using System.Diagnostics;

namespace Descent.Cli.Infrastructure;

/// <summary>Renders DOT text through Graphviz's <c>dot</c> program, when installed.</summary>
public static class Graphviz
{
    /// <summary>Writes <paramref name="dot"/> as SVG to <paramref name="path"/>.</summary>
    /// <exception cref="InputException">Graphviz is not installed, or it failed.</exception>
    public static void RenderSvg(string dot, string path)
    {
        string? program = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "dot")).FirstOrDefault(File.Exists);
        if (program is null)
            throw new InputException("--format svg needs Graphviz's 'dot', which is not installed (Debian: sudo apt-get install graphviz); use --format dot or mermaid instead.");
        var info = new ProcessStartInfo(program, ["-Tsvg", "-o", path]) { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new InputException("could not start Graphviz's 'dot'.");
        process.StandardInput.Write(dot);
        process.StandardInput.Close();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InputException($"Graphviz's 'dot' failed: {error.Trim()}");
    }
}
