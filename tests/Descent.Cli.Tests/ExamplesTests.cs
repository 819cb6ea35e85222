using System.Diagnostics;

namespace Descent.Cli.Tests;

/// <summary>
/// A theory that runs in CI (CI set) or when DESCENT_RUN_EXAMPLES=1, and is skipped otherwise: each example is a separate
/// `dotnet run` build (about a minute each), too slow for every local test run.
/// </summary>
public sealed class ExampleFactAttribute : TheoryAttribute
{
    public ExampleFactAttribute()
    {
        bool ci = Environment.GetEnvironmentVariable("CI") is { Length: > 0 } v && v != "false" && v != "0";
        if (!ci && Environment.GetEnvironmentVariable("DESCENT_RUN_EXAMPLES") != "1")
            Skip = "set DESCENT_RUN_EXAMPLES=1 (or CI) to run the examples with `dotnet run` (slow: one build each)";
    }
}

public class ExamplesTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Descent.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Descent.slnx not found above the test folder.");
    }

    [ExampleFact]
    [InlineData("parabola.cs", "trajectory: 10, 4, 1.6, 0.64, 0.256, 0.1024")]
    [InlineData("paraboloid.cs", "final value:")]
    [InlineData("learning-rates.cs", "learning rate 1.01  : diverged")]
    [InlineData("stopping.cs", "stopped at step")]
    [InlineData("linear-regression.cs", "autodiff:     w = 0.5001, b = 4.9992")]
    [InlineData("logistic-regression.cs", "accuracy:")]
    [InlineData("differentiation-modes.cs", "reverse:  ∂f/∂x = -2.7278922805")]
    [InlineData("compiled-gradient.cs", "identical to eager: True")]
    public void ExamplePrintsItsKeyLine(string file, string expected)
    {
        string root = RepositoryRoot();
        var (code, output, error) = ChildProcess.Run("dotnet", ["run", Path.Combine("examples", file)], root, TimeSpan.FromMinutes(10));
        Assert.True(code == 0, $"{file} exited with {code}: {error}");
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [ExampleFact]
    [InlineData("linear-regression.cs", "autodiff:     w = 0.5001, b = 4.9992")]
    public void AnExampleRunsOutsideTheRepository(string file, string expected)
    {
        // As examples/README.md says: pack the library into a folder, a nuget.config mapping Descent to it, and
        // `#:package Descent@VERSION` instead of the `#:project` line — in a folder outside the repository.
        string root = RepositoryRoot();
        string folder = Directory.CreateTempSubdirectory("descent-example-outside-").FullName;
        try
        {
            string version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
            string feed = Path.Combine(folder, "packages");
            Run(root, "pack", Path.Combine("src", "Descent"), "-c", "Release", "-o", feed, "-p:Version=" + version);
            File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="descent" value="{feed}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                  <packageSourceMapping>
                    <packageSource key="descent"><package pattern="Descent" /></packageSource>
                    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
                  </packageSourceMapping>
                </configuration>
                """);
            var lines = File.ReadAllLines(Path.Combine(root, "examples", file));
            Assert.Equal("#:project ../src/Descent/Descent.csproj", lines[0]);
            lines[0] = "#:package Descent@" + version;
            File.WriteAllLines(Path.Combine(folder, file), lines);
            string output = Run(folder, "run", file);
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        static string Run(string directory, params string[] args)
        {
            var (code, output, error) = ChildProcess.Run("dotnet", args, directory, TimeSpan.FromMinutes(10));
            Assert.True(code == 0, $"dotnet {string.Join(' ', args)} exited with {code}: {output}{error}");
            return output;
        }
    }
}
