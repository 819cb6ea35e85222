using System.CommandLine;
using System.CommandLine.Completions;

namespace Descent.Cli.Infrastructure;

/// <summary>
/// What makes <c>descent</c> feel like a native command: completion values for the options that take a name
/// (<c>--model</c>, <c>--optimizer</c>, demo names, …), the shell scripts that ask for them through System.CommandLine's
/// <c>[suggest]</c> directive, "did you mean" hints for mistyped commands and options, and help that says <c>descent</c>.
/// </summary>
public static class ShellSupport
{
    /// <summary>The command's name as users type it, whatever the executable is called.</summary>
    public const string CommandName = "descent";

    /// <summary>The shells <c>descent completion</c> writes a script for.</summary>
    public static readonly string[] Shells = ["bash", "zsh", "fish", "pwsh"];

    /// <summary>Completion values by option name (for every command that has the option).</summary>
    private static readonly Dictionary<string, string[]> s_values = new(StringComparer.Ordinal)
    {
        ["--model"] = ["linear", "logistic", "softmax", "mlp", "cnn"],
        ["--augment"] = ["shift=2", "hflip", "shift=2,hflip", "none"],
        ["--optimizer"] = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "lion", .. Factories.MethodOptimizers],
        ["--loss"] = ["mse", "half-mse", "sse", "mae", "huber", "bce", "bce-logits", "cross-entropy", "nll", "hinge"],
        ["--schedule"] = ["constant", "step:factor=0.5,every=1000", "exponential:gamma=0.99", "cosine:steps=1000", "polynomial:steps=1000", "warmup:steps=100", "onecycle:steps=1000"],
        ["--stop"] = ["max-steps:10000", "loss-below:1e-6", "grad-below:1e-8", "step-below:1e-10", "plateau:window=50,slope=1e-6", "patience:10", "time:60", "evaluations:5000"],
        ["--dtype"] = ["auto", "float32", "float64"],
        ["--batch-size"] = ["full", "32", "64", "128"],
        ["--data"] = ["builtin:seed-linear", "builtin:fashion-mnist", "synthetic:linear", "synthetic:blobs", "synthetic:moons", "synthetic:spirals"],
        ["--method"] = ["reverse", "forward", "numeric", "symbolic", "all"],
        ["--scope"] = ["epoch", "step"],
    };

    /// <summary>
    /// Adds completion values to every option of <paramref name="root"/>'s tree that takes a name, and the lesson names
    /// to <c>demo</c>'s argument. Options that take a file keep the shell's own file completion (the scripts fall back
    /// to it when descent offers nothing).
    /// </summary>
    public static void AddCompletions(RootCommand root, IEnumerable<string> lessons)
    {
        ArgumentNullException.ThrowIfNull(root);
        string[] demoNames = [.. lessons, "all"];
        foreach (var command in Walk(root))
        {
            foreach (var option in command.Options)
            {
                if (s_values.TryGetValue(option.Name, out var values)) option.CompletionSources.Add(values);
            }
            if (command.Name == "demo")
                foreach (var argument in command.Arguments) argument.CompletionSources.Add(demoNames);
        }
    }

    /// <summary>The completion values offered for <paramref name="option"/> (for tests and the docs).</summary>
    public static IReadOnlyList<string> ValuesOf(string option) => s_values.TryGetValue(option, out var v) ? v : [];

    private static IEnumerable<Command> Walk(Command command)
    {
        yield return command;
        foreach (var sub in command.Subcommands)
            foreach (var c in Walk(sub)) yield return c;
    }

    /// <summary>
    /// "Did you mean" hints for the tokens the parser could not match: the commands or options of the command being
    /// parsed whose names are one or two edits away (or that start with the token), e.g. <c>gard → grad</c>,
    /// <c>--epoch → --epochs</c>.
    /// </summary>
    public static IEnumerable<string> DidYouMean(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var command = parse.CommandResult.Command;
        var options = new List<string>();
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            foreach (var o in c.Command.Options)
                if (!o.Hidden && (c.Command == command || o.Recursive)) options.AddRange([o.Name, .. o.Aliases]);
        var commands = command.Subcommands.Where(s => !s.Hidden).SelectMany(s => new[] { s.Name }.Concat(s.Aliases)).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string token in parse.UnmatchedTokens)
        {
            if (!seen.Add(token) || token.Length < 2) continue;
            var pool = token.StartsWith('-') ? options : commands;
            var best = Nearest(token, pool);
            if (best.Count == 0) continue;
            yield return best.Count == 1
                ? $"Did you mean '{best[0]}' instead of '{token}'?"
                : $"'{token}': did you mean one of {string.Join(", ", best.Select(b => $"'{b}'"))}?";
        }
    }

    /// <summary>The candidates closest to <paramref name="token"/>: prefix matches, else within two edits (one for short words).</summary>
    internal static List<string> Nearest(string token, IEnumerable<string> candidates)
    {
        var distinct = candidates.Distinct(StringComparer.Ordinal).Where(c => c != token).ToList();
        string bare = token.TrimStart('-');
        int limit = bare.Length <= 4 ? 1 : 2;
        var scored = distinct.Select(c => (Name: c, Distance: Distance(token.ToLowerInvariant(), c.ToLowerInvariant()))).Where(s => s.Distance <= limit).ToList();
        if (scored.Count > 0)
        {
            int min = scored.Min(s => s.Distance);
            return [.. scored.Where(s => s.Distance == min).Select(s => s.Name).Order(StringComparer.Ordinal)];
        }
        return bare.Length >= 3 ? [.. distinct.Where(c => c.StartsWith(token, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).Take(5)] : [];
    }

    /// <summary>The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }

    /// <summary>
    /// Help text with the executable's own name (<c>Descent.Cli</c>, or <c>testhost</c> under a test runner) in the
    /// usage lines replaced by <c>descent</c>.
    /// </summary>
    public static string NativeHelp(string help)
    {
        ArgumentNullException.ThrowIfNull(help);
        string exe = RootCommand.ExecutableName;
        if (string.IsNullOrEmpty(exe) || exe == CommandName) return help;
        var lines = help.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string trimmed = lines[i].TrimStart();
            if (trimmed == exe || trimmed.StartsWith(exe + " ", StringComparison.Ordinal) || trimmed.StartsWith(exe + "\r", StringComparison.Ordinal))
                lines[i] = lines[i][..(lines[i].Length - trimmed.Length)] + CommandName + trimmed[exe.Length..];
        }
        return string.Join('\n', lines);
    }

    /// <summary>
    /// The completion script for <paramref name="shell"/> (bash, zsh, fish, pwsh): the shell asks
    /// <c>descent "[suggest:N]" "…the line after descent…"</c> (System.CommandLine's suggest directive) for the words that
    /// fit at the cursor, and falls back to file names when there are none.
    /// </summary>
    /// <exception cref="UsageException">An unknown shell.</exception>
    public static string Script(string shell) => shell.ToLowerInvariant() switch
    {
        "bash" => """
            # descent completion for bash. Load it in ~/.bashrc with:  source <(descent completion bash)
            _descent_complete() {
                local IFS=$'\n'
                local line="${COMP_LINE:0:COMP_POINT}"
                local rest=""
                [[ "$line" == *[[:space:]]* ]] && rest="${line#*[[:space:]]}"
                local words
                words=$("${COMP_WORDS[0]}" "[suggest:${#rest}]" "$rest" 2>/dev/null)
                COMPREPLY=($(compgen -W "$words" -- "${COMP_WORDS[COMP_CWORD]}"))
            }
            complete -o default -F _descent_complete descent

            """,
        "zsh" => """
            #compdef descent
            # descent completion for zsh. Load it in ~/.zshrc (after compinit) with:  source <(descent completion zsh)
            _descent() {
                local rest="${(j: :)words[2,CURRENT]}"
                local -a suggestions
                suggestions=("${(@f)$(${words[1]} "[suggest:${#rest}]" "$rest" 2>/dev/null)}")
                suggestions=(${suggestions:#})
                if (( ${#suggestions} )); then
                    compadd -a suggestions
                else
                    _files
                fi
            }
            compdef _descent descent

            """,
        "fish" => """
            # descent completion for fish. Load it with:  descent completion fish > ~/.config/fish/completions/descent.fish
            function __descent_complete
                set -l line (commandline -cp)
                set -l rest (string replace -r '^\S+\s*' '' -- "$line")
                descent "[suggest:"(string length -- "$rest")"]" "$rest" 2>/dev/null
            end
            complete -c descent -a '(__descent_complete)'

            """,
        "pwsh" or "powershell" => """
            # descent completion for PowerShell. Add to your $PROFILE:  descent completion pwsh | Out-String | Invoke-Expression
            Register-ArgumentCompleter -Native -CommandName descent -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                $line = $commandAst.Extent.Text
                $line = $line.Substring(0, [Math]::Min($line.Length, $cursorPosition - $commandAst.Extent.StartOffset))
                $rest = $line -replace '^\S+\s*', ''
                descent "[suggest:$($rest.Length)]" "$rest" 2>$null | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }

            """,
        _ => throw new UsageException($"completion '{shell}': unknown shell; use one of {string.Join(", ", Shells)}."),
    };

    /// <summary>
    /// Runs help (with <c>descent</c> in its usage lines) or the <c>[suggest]</c> directive (completion words, one a line)
    /// and returns 0.
    /// </summary>
    public static int Invoke(ParseResult parse, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(stdout);
        var buffer = new StringWriter();
        parse.Invoke(new InvocationConfiguration { Output = buffer, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        stdout.Write(NativeHelp(buffer.ToString()));
        return ExitCodes.Ok;
    }

    /// <summary>Whether the command line is the <c>[suggest]</c> directive (a shell asking for completions).</summary>
    public static bool IsSuggest(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.RootCommandResult.Command is RootCommand root
            && root.Directives.OfType<SuggestDirective>().Any(d => parse.GetResult(d) is not null);
    }

    /// <summary><c>descent completion SHELL</c>: prints the completion script for a shell.</summary>
    public static Command CompletionCommand(Infrastructure.CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shell = new Argument<string>("SHELL") { Description = "bash | zsh | fish | pwsh" };
        shell.CompletionSources.Add(Shells);
        var command = new Command("completion", "Print the shell completion script for bash, zsh, fish or pwsh (see the README for where to put it).") { shell };
        command.SetAction(p =>
        {
            context.Output.Write(Script(p.GetValue(shell)!));
            return ExitCodes.Ok;
        });
        return command;
    }
}
