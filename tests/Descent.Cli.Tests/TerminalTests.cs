using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Descent.Cli.Infrastructure;

namespace Descent.Cli.Tests;

/// <summary>A fact that needs bash: skipped visibly without it, failed under CI.</summary>
public sealed class BashFactAttribute : FactAttribute
{
    public BashFactAttribute()
    {
        bool ci = Environment.GetEnvironmentVariable("CI") is { Length: > 0 } v && v != "false" && v != "0";
        if (!File.Exists("/bin/bash") && !ci) Skip = "needs /bin/bash to run the completion script";
    }
}

/// <summary>A fact that needs PowerShell (pwsh on PATH): skipped visibly without it, failed under CI (.ci/run installs it).</summary>
public sealed class PwshFactAttribute : FactAttribute
{
    public PwshFactAttribute()
    {
        bool ci = Environment.GetEnvironmentVariable("CI") is { Length: > 0 } v && v != "false" && v != "0";
        if (TerminalTests.Pwsh() is null && !ci) Skip = "needs pwsh on PATH (dotnet tool install --global PowerShell --version 7.6.10) to run the completion script";
    }
}

/// <summary>
/// The terminal side of the CLI: progress lines (what a redirected stderr gets), JSON purity, help that says
/// 'descent', did-you-mean hints and shell completion.
/// </summary>
public partial class TerminalTests
{
    [GeneratedRegex(@"^epoch +(\d+)/(\d+)  loss \S+ +(val_loss \S+ +)?(val_accuracy \d\.\d{4}  )?lr \S+ +\d+(\.\d+)? (µs|ms|s)$")]
    private static partial Regex EpochLine();

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    [Fact]
    public void LongRunsPrintAboutTenLinesADecade()
    {
        var kept = Enumerable.Range(1, 5000).Where(e => EpochLog.Keep(e, 5000, null)).ToArray();
        Assert.Equal([.. Enumerable.Range(1, 10), 20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 2000, 3000, 4000, 5000], kept);
        Assert.Equal(Enumerable.Range(1, 30), Enumerable.Range(1, 30).Where(e => EpochLog.Keep(e, 30, null)));
        Assert.Equal([1, 7, 14, 21, 28, 35, 40], Enumerable.Range(1, 40).Where(e => EpochLog.Keep(e, 40, 7)));
    }

    [Fact]
    public void RedirectedFitPrintsOneLinePerKeptEpochOnStderr()
    {
        var (code, output, error) = Cli.Run("fit");
        Assert.Equal(0, code);
        var lines = Lines(error);
        Assert.Equal(32, lines.Count);
        Assert.All(lines, l => Assert.Matches(EpochLine(), l));
        Assert.StartsWith("epoch    1/5000  loss 24.671 ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("epoch 5000/5000  loss 7.59221E-08 ", lines[^1], StringComparison.Ordinal);
        Assert.Contains("lr 0.008", lines[^1], StringComparison.Ordinal);
        // The result goes to stdout, not mixed with progress.
        Assert.DoesNotContain("epoch ", output, StringComparison.Ordinal);
        Assert.Contains("Trained linear", output, StringComparison.Ordinal);
    }

    [Fact]
    public void LogEveryPicksTheLines()
    {
        var (code, _, error) = Cli.Run("fit", "--epochs", "50", "--log-every", "10");
        Assert.Equal(0, code);
        var epochs = Lines(error).Select(l => int.Parse(EpochLine().Match(l).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal([1, 10, 20, 30, 40, 50], epochs);
    }

    [Fact]
    public void ClassifierLinesShowValidationAccuracy()
    {
        var (code, _, error) = Cli.Run("fit", "--data", "synthetic:blobs?n=200", "--val-split", "0.25", "--epochs", "5");
        Assert.Equal(0, code);
        var lines = Lines(error);
        Assert.Equal(5, lines.Count);
        Assert.All(lines, l => Assert.Matches(EpochLine(), l));
        Assert.All(lines, l => Assert.Contains("val_accuracy ", l, StringComparison.Ordinal));
    }

    [Fact]
    public void AStoppedRunEndsWithTheLastEpochsLine()
    {
        // lr 0.1 diverges on the reference data (the largest x is 8): the run stops early, and the last epoch gets a line.
        var (code, json) = Cli.Json("fit", "--lr", "0.1", "--epochs", "5000");
        Assert.Equal(4, code);
        int run = (int)json["epochs_run"]!;
        Assert.True(run < 5000);
        var (_, _, error) = Cli.Run("fit", "--lr", "0.1", "--epochs", "5000");
        Assert.StartsWith($"epoch {run.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(4)}/5000", Lines(error)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void JsonIsAloneOnStdoutAndTrackingSaysWhichRun()
    {
        string folder = Path.Combine(Path.GetTempPath(), "descent-terminal-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string db = Path.Combine(folder, "runs.db");
            var (code, output, error) = Cli.Run("fit", "--epochs", "20", "--json", "--track", db);
            Assert.Equal(0, code);
            var doc = JsonNode.Parse(output); // throws on anything but one JSON document
            Assert.Equal(20, (int)doc!["epochs_run"]!);
            // A redirected stderr gets no progress with --json, only the one line naming the run.
            Assert.Equal([$"Recorded as run 1 in {db} (see 'descent runs show 1 --track {db}')."], Lines(error));
            var (code2, output2, _) = Cli.Run("fit", "--epochs", "20", "--track", db);
            Assert.Equal(0, code2);
            Assert.Contains($"Recorded as run 2 in {db}", output2, StringComparison.Ordinal);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void SweepFitPrintsOneLinePerTrialAndEverySweepSaysWhichRun()
    {
        string folder = Directory.CreateTempSubdirectory("descent-terminal-").FullName;
        try
        {
            string db = Path.Combine(folder, "runs.db");
            var (code, output, error) = Cli.Run("sweep", "fit", "--lr", "1e-3..1e-1", "--epochs", "20", "--track", db);
            Assert.Equal(0, code);
            var lines = Lines(error);
            Assert.Equal(3, lines.Count);
            Assert.Matches(@"^trial 1/3  lr 0\.001 +score \S+ +ok +\d", lines[0]);
            Assert.StartsWith("trial 3/3  lr 0.1 ", lines[2], StringComparison.Ordinal);
            Assert.Contains($"Recorded as run 1 in {db}", output, StringComparison.Ordinal);
            var (minCode, minOut, minErr) = Cli.Run("minimize", "w^2", "--start", "w=10", "--lr", "0.3", "--steps", "5", "--track", db, "--json");
            Assert.Equal(0, minCode);
            Assert.NotNull(JsonNode.Parse(minOut));
            Assert.Equal([$"Recorded as run 2 in {db} (see 'descent runs show 2 --track {db}')."], Lines(minErr));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void DescentAlonePrintsHelpSayingDescent()
    {
        var (code, output, error) = Cli.Run();
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("Usage:\n  descent [command] [options]", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("completion", output, StringComparison.Ordinal);
        var (fitCode, fitHelp, _) = Cli.Run("fit", "--help");
        Assert.Equal(0, fitCode);
        Assert.Contains("Usage:\n  descent fit [options]", fitHelp.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("testhost", fitHelp, StringComparison.Ordinal);
        Assert.DoesNotContain("Descent.Cli", fitHelp, StringComparison.Ordinal);
        var (jsonCode, jsonHelp, _) = Cli.Run("--json");
        Assert.Equal(0, jsonCode);
        Assert.Contains("descent [command] [options]", jsonHelp, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "gard" }, "Did you mean 'grad' instead of 'gard'?")]
    [InlineData(new[] { "fit", "--epoch", "3" }, "Did you mean '--epochs' instead of '--epoch'?")]
    [InlineData(new[] { "minimze", "x^2" }, "Did you mean 'minimize' instead of 'minimze'?")]
    [InlineData(new[] { "fit", "--jsn" }, "Did you mean '--json' instead of '--jsn'?")]
    public void MistypedNamesGetADidYouMean(string[] args, string hint)
    {
        var (code, _, error) = Cli.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(hint, error, StringComparison.Ordinal);
        Assert.DoesNotContain("Required command", error, StringComparison.Ordinal);
    }

    [Fact]
    public void NoHintForAWordFarFromEveryName()
    {
        var (code, _, error) = Cli.Run("xyzzy");
        Assert.Equal(2, code);
        Assert.DoesNotContain("Did you mean", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fit --model ", new[] { "cnn", "linear", "logistic", "mlp", "softmax" })]
    [InlineData("fit --augment s", new[] { "shift=2", "shift=2,hflip" })]
    [InlineData("fit --optimizer ad", new[] { "adagrad", "adam", "adamw" })]
    [InlineData("sweep fit --model s", new[] { "softmax" })]
    [InlineData("demo linear", new[] { "linear-regression" })]
    [InlineData("demo gr", new[] { "gradient-free" })]
    [InlineData("fit --dtype f", new[] { "float32", "float64" })]
    [InlineData("completion ", new[] { "bash", "fish", "pwsh", "zsh" })]
    [InlineData("minimize x^2 --optimizer lb", new[] { "lbfgs" })]
    public void TheSuggestDirectiveOffersValues(string line, string[] expected)
    {
        var (code, output, _) = Cli.Run($"[suggest:{line.Length}]", line);
        Assert.Equal(0, code);
        var words = Lines(output).Where(w => !w.StartsWith('-') && !w.StartsWith('/')).ToArray();
        // System.CommandLine matches anywhere in a word; a shell keeps those that start with what was typed.
        string typed = line.EndsWith(' ') ? "" : line[(line.LastIndexOf(' ') + 1)..];
        Assert.Equal(expected, words.Where(w => w.StartsWith(typed, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _descent_complete descent")]
    [InlineData("zsh", "compdef _descent descent")]
    [InlineData("fish", "complete -c descent -a '(__descent_complete)'")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName descent")]
    public void CompletionPrintsAScriptForEachShell(string shell, string line)
    {
        var (code, output, _) = Cli.Run("completion", shell);
        Assert.Equal(0, code);
        Assert.Contains(line, output, StringComparison.Ordinal);
        Assert.Contains("[suggest:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void CompletionForAnUnknownShellIsAUsageError()
    {
        var (code, _, error) = Cli.Run("completion", "tcsh");
        Assert.Equal(2, code);
        Assert.Contains("use one of bash, zsh, fish, pwsh", error, StringComparison.Ordinal);
    }

    /// <summary>pwsh on PATH, or null.</summary>
    internal static string? Pwsh() => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "pwsh")).FirstOrDefault(File.Exists);

    /// <summary>A 'descent' on PATH that runs this build, in a fresh folder; returns the folder.</summary>
    private static string DescentShim()
    {
        string folder = Path.Combine(Path.GetTempPath(), "descent-shell-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string shim = Path.Combine(folder, "descent");
        File.WriteAllText(shim, $"#!/bin/sh\nexec dotnet '{typeof(Program).Assembly.Location}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder;
    }

    /// <summary>The PowerShell script, loaded in a real pwsh, completes through a real 'descent' process (TabExpansion2).</summary>
    [PwshFact]
    public void PowerShellCompletesModelsAndDemoNames()
    {
        string folder = DescentShim();
        try
        {
            File.WriteAllText(Path.Combine(folder, "t.ps1"), """
                descent completion pwsh | Out-String | Invoke-Expression
                foreach ($line in @('descent fit --model l', 'descent demo logistic', 'descent fit --optimizer ada')) {
                  $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
                  ($r.CompletionMatches | ForEach-Object { $_.CompletionText }) -join ' '
                }
                """);
            string pwsh = Pwsh() ?? throw new InvalidOperationException("pwsh is not on PATH; .ci/run installs it (dotnet tool install PowerShell --version 7.6.10).");
            var start = new ProcessStartInfo(pwsh, ["-NoProfile", "-NonInteractive", "-File", "t.ps1"]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["PATH"] = folder + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
            using var shell = Process.Start(start)!;
            string output = shell.StandardOutput.ReadToEnd();
            string error = shell.StandardError.ReadToEnd();
            Assert.True(shell.WaitForExit(180_000), "pwsh did not finish");
            Assert.True(shell.ExitCode == 0, error);
            Assert.Equal(["linear logistic", "logistic-regression", "adagrad adam adamw"], Lines(output));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The bash script, sourced in a real bash, completes through a real 'descent' process.</summary>
    [BashFact]
    public void BashCompletesModelsAndDemoNames()
    {
        string folder = Path.Combine(Path.GetTempPath(), "descent-bash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string dll = typeof(Program).Assembly.Location;
            string shim = Path.Combine(folder, "descent");
            File.WriteAllText(shim, $"#!/bin/sh\nexec dotnet '{dll}' \"$@\"\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.WriteAllText(Path.Combine(folder, "descent.bash"), Cli.Run("completion", "bash").Out);
            string script = """
                source ./descent.bash
                ask() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$1"; [[ "$1" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _descent_complete; echo "${COMPREPLY[*]}"; }
                ask "descent fit --model l"
                ask "descent demo logistic"
                ask "descent fit --optimizer ada"
                """;
            var start = new ProcessStartInfo("/bin/bash", ["-c", script]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["PATH"] = folder + ":" + Environment.GetEnvironmentVariable("PATH");
            using var bash = Process.Start(start)!;
            string output = bash.StandardOutput.ReadToEnd();
            string error = bash.StandardError.ReadToEnd();
            Assert.True(bash.WaitForExit(120_000), "bash did not finish");
            Assert.Equal(["linear logistic", "logistic-regression", "adagrad adam adamw"], Lines(output));
            Assert.True(bash.ExitCode == 0, error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
