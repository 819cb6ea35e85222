using System.Diagnostics;
using System.Globalization;

namespace Descent.Cli.Infrastructure;

/// <summary>Renders DOT text through Graphviz's <c>dot</c> program, when installed.</summary>
public static class Graphviz
{
    /// <summary>How long <c>dot</c> may run (wall clock) before it is killed; its CPU time is capped the same way by the kernel.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Writes <paramref name="dot"/> as SVG to <paramref name="path"/> atomically (dot writes a temporary file beside it,
    /// which replaces <paramref name="path"/> only when dot succeeded). dot runs at most <paramref name="timeout"/>
    /// (default <see cref="DefaultTimeout"/>) and is killed, with any process it started, on timeout or when
    /// <paramref name="cancellation"/> fires (Ctrl-C). Where <c>/bin/sh</c> exists, dot is also started under
    /// <c>ulimit -t</c>, so even if this process is killed outright, dot cannot run on for longer than its CPU limit.
    /// </summary>
    /// <exception cref="InputException">Graphviz is not installed, failed, or took too long.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; dot was killed.</exception>
    public static void RenderSvg(string dot, string path, TimeSpan? timeout = null, CancellationToken cancellation = default)
        => RenderSvg(dot, path, timeout, cancellation, program: null);

    /// <summary>As <see cref="RenderSvg(string, string, TimeSpan?, CancellationToken)"/>, with the program to run instead of the <c>dot</c> found on PATH (tests).</summary>
    internal static void RenderSvg(string dot, string path, TimeSpan? timeout, CancellationToken cancellation, string? program)
    {
        ArgumentNullException.ThrowIfNull(dot);
        var limit = timeout ?? DefaultTimeout;
        program ??= (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Where(d => d.Length > 0).Select(d => Path.Combine(d, "dot")).FirstOrDefault(File.Exists);
        if (program is null)
            throw new InputException("--format svg needs Graphviz's 'dot', which is not installed (Debian: sudo apt-get install graphviz); use --format dot or mermaid instead.");
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        int cpuSeconds = (int)Math.Max(1, Math.Ceiling(limit.TotalSeconds));
        var info = File.Exists("/bin/sh")
            ? new ProcessStartInfo("/bin/sh", ["-c", $"ulimit -t {cpuSeconds.ToString(CultureInfo.InvariantCulture)} 2>/dev/null; exec \"$0\" -Tsvg -o \"$1\"", program, temp])
            : new ProcessStartInfo(program, ["-Tsvg", "-o", temp]);
        info.RedirectStandardInput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        try
        {
            using var process = Process.Start(info) ?? throw new InputException("could not start Graphviz's 'dot'.");
            using var kill = cancellation.Register(() => Kill(process));
            var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var write = Task.Run(() =>
            {
                try
                {
                    process.StandardInput.Write(dot);
                    process.StandardInput.Close();
                }
                catch (IOException) { } // dot exited (or was killed) before reading everything: its exit code says why
            }, CancellationToken.None);
            if (!process.WaitForExit(limit))
            {
                Kill(process);
                cancellation.ThrowIfCancellationRequested();
                throw new InputException($"Graphviz's 'dot' did not finish within {limit.TotalSeconds:0.#} s and was stopped; the graph is too large to lay out — use --format dot or mermaid and render it elsewhere.");
            }
            process.WaitForExit();
            write.Wait(TimeSpan.FromSeconds(5));
            cancellation.ThrowIfCancellationRequested();
            if (process.ExitCode != 0)
            {
                string message = error.Wait(TimeSpan.FromSeconds(5)) ? error.Result.Trim() : "";
                throw new InputException($"Graphviz's 'dot' failed (exit code {process.ExitCode}){(message.Length > 0 ? ": " + message : "")}; {path} was left as it was.");
            }
            if (!File.Exists(temp)) throw new InputException($"Graphviz's 'dot' wrote nothing; {path} was left as it was.");
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // already exited
        catch (System.ComponentModel.Win32Exception) { }
    }
}
