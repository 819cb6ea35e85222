using System.Text.Json.Nodes;
using Descent.Cli;

namespace Descent.Cli.Tests;

/// <summary>Runs the CLI in-process.</summary>
internal static class Cli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public static (int Code, JsonNode Json) Json(params string[] args)
    {
        var (code, output, error) = Run([.. args, "--json"]);
        Assert.True(output.TrimStart().StartsWith('{'), $"stdout is not JSON: {output}\nstderr: {error}");
        return (code, JsonNode.Parse(output)!);
    }
}
