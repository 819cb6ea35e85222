using System.Text.Json.Nodes;

namespace Descent.Cli.Tests;

/// <summary>The CLI in-process: the short name these tests use for tests/Shared's <see cref="CliRunner"/>.</summary>
internal static class Cli
{
    public static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    public static (int Code, JsonNode Json) Json(params string[] args) => CliRunner.Json(args);
}
