using System.Text.Json.Nodes;

namespace Descent.Testing;

/// <summary>
/// Runs the <c>descent</c> command line in-process (<see cref="Descent.Cli.Program.Run(string[], TextWriter, TextWriter, CancellationToken)"/>)
/// and returns its exit code, standard output and standard error: the one copy for every test project that references
/// Descent.Cli (linked from tests/Shared; the Cli tests' <c>Cli</c> and the Interop tests' <c>Support</c> call it).
/// </summary>
internal static class CliRunner
{
    /// <summary>Runs <paramref name="args"/> as after <c>descent</c>.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args) => Run(args, CancellationToken.None);

    /// <summary>Runs <paramref name="args"/>; <paramref name="cancellation"/> acts as Ctrl-C (exit code 5).</summary>
    public static (int Code, string Out, string Err) Run(string[] args, CancellationToken cancellation)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = global::Descent.Cli.Program.Run(args, stdout, stderr, cancellation);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs <paramref name="args"/> with <c>--json</c> and parses standard output, which must be JSON alone.</summary>
    public static (int Code, JsonNode Json) Json(params string[] args)
    {
        var (code, output, error) = Run([.. args, "--json"]);
        Assert.True(output.TrimStart().StartsWith('{'), $"stdout is not JSON: {output}\nstderr: {error}");
        return (code, JsonNode.Parse(output)!);
    }
}
