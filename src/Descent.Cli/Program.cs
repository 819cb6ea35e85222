using System.CommandLine;
using Descent.Cli.Commands;
using Descent.Cli.Infrastructure;
using Descent.Learning.Data;
using Descent.Learning.Training;

namespace Descent.Cli;

/// <summary>The <c>descent</c> command line.</summary>
public static class Program
{
    /// <summary>The process entry point: Ctrl-C or SIGTERM cancels the running command cleanly (exit code 5; see <see cref="StopSignals"/>).</summary>
    public static int Main(string[] args)
    {
        using var signals = new StopSignals();
        // Progress is drawn live when standard error is a terminal (stdout may be a file: 'descent fit --json > run.json').
        bool live = !Console.IsErrorRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")) && Environment.GetEnvironmentVariable("TERM") != "dumb";
        return Run(args, Console.Out, Console.Error, signals.Token, live);
    }

    /// <summary>Runs the command line <paramref name="args"/> in-process and returns its exit code.</summary>
    /// <param name="args">The arguments, as after <c>descent</c>.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where progress and errors go.</param>
    /// <param name="cancellation">Cancels a running command (exit code 5).</param>
    /// <returns>0 ok, 2 usage, 3 input, 4 diverged, 5 interrupted, 6 cluster failed, 1 internal error.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation = default)
        => Run(args, stdout, stderr, cancellation, live: false);

    private static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation, bool live)
    {
        ArgumentNullException.ThrowIfNull(args);
        // 'descent' alone prints the help and succeeds, like git and dotnet.
        if (args.Length == 0) args = ["--help"];
        var context = new CliContext(stdout, stderr, cancellation, live) { Arguments = args };
        var root = Commands.Root.Build(context);
        var parse = root.Parse(args);
        bool verbose = parse.GetValue(Root.Verbose);
        if (parse.Action is System.CommandLine.Help.HelpAction || ShellSupport.IsSuggest(parse))
            return ShellSupport.Invoke(parse, stdout, stderr);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) stderr.WriteLine("error: " + Options.DescribeParseError(error.Message));
            foreach (var hint in ShellSupport.DidYouMean(parse)) stderr.WriteLine(hint);
            var names = new List<string>();
            for (var r = parse.CommandResult; r is not null && r.Command != root; r = r.Parent as System.CommandLine.Parsing.CommandResult) names.Insert(0, r.Command.Name);
            string command = string.Join(' ', ["descent", .. names]);
            stderr.WriteLine($"Run '{command} --help' for the accepted options.");
            return ExitCodes.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (Exception e)
        {
            var (code, message) = Describe(e);
            stderr.WriteLine("error: " + message);
            if (verbose || code == ExitCodes.Internal) stderr.WriteLine(verbose ? e.ToString() : "(run with --verbose for details)");
            return code;
        }
    }

    /// <summary>Maps an exception to an exit code and a one-line message.</summary>
    internal static (int Code, string Message) Describe(Exception e) => e switch
    {
        UsageException u => (ExitCodes.Usage, u.Message),
        InputException i => (ExitCodes.Input, i.Message),
        OperationCanceledException => (ExitCodes.Interrupted, "interrupted"),
        ClusterException c => (ExitCodes.Cluster, c.Message),
        DatasetNotInstalledException d => (ExitCodes.Input, d.Message),
        DataFormatException d => (ExitCodes.Input, d.Message),
        CheckpointException c => (ExitCodes.Input, c.Message),
        FileNotFoundException f => (ExitCodes.Input, f.Message),
        DirectoryNotFoundException d => (ExitCodes.Input, d.Message),
        UnauthorizedAccessException u => (ExitCodes.Input, u.Message),
        IOException io => (ExitCodes.Input, io.Message),
        Descent.Plotting.PlottingException p => (ExitCodes.Input, p.Message),
        Descent.Tracking.RunStoreException r => (ExitCodes.Input, r.Message),
        _ when ExpressionErrors.TryDescribe(e, out var message) => (ExitCodes.Input, message),
        ArgumentException a => (ExitCodes.Usage, Errors.LibraryMessage(a)),
        _ => (ExitCodes.Internal, $"internal error ({e.GetType().Name}): {e.Message}"),
    };
}
