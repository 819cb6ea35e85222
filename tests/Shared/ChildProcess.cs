using System.Diagnostics;

namespace Descent.Testing;

/// <summary>
/// Runs a program as a child process and returns its exit code and what it wrote: the one helper for tests that start
/// python3, dotnet, the built <c>descent</c> and the like. Both streams are read while it runs (a full pipe never
/// blocks it); past <c>timeout</c> it is killed with its children and a <see cref="TimeoutException"/> names the command.
/// A program that cannot be started at all gives code −1 and the reason as its error output. Linked into every test
/// project from tests/Shared.
/// </summary>
internal static class ChildProcess
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> (each passed as one argument, no shell).</summary>
    public static (int Code, string Output, string Error) Run(string program, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (var a in arguments) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", e.Message);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            var limit = timeout ?? TimeSpan.FromMinutes(10);
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran for {limit.TotalMinutes:0.#} minutes and was stopped.");
            }
            return (process.ExitCode, output.Result, error.Result);
        }
    }
}
