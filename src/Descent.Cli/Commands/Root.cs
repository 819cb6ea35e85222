using System.CommandLine;
using Descent.Cli.Infrastructure;

namespace Descent.Cli.Commands;

/// <summary>The root command and the options every command shares.</summary>
public static class Root
{
    /// <summary><c>--json</c>: print the result as JSON alone on stdout.</summary>
    public static readonly Option<bool> Json = new("--json") { Description = "Print the result as JSON (alone on stdout).", Recursive = true };

    /// <summary><c>--verbose</c>: show error details.</summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Show details (stack traces) of errors.", Recursive = true };

    /// <summary>Builds the command tree writing to <paramref name="context"/>.</summary>
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("descent: differentiate, minimize, fit, sweep and plot with the Descent library.")
        {
            Json,
            Verbose,
        };
        root.Add(ExpressionCommands.Grad(context));
        root.Add(ExpressionCommands.Diff(context));
        root.Add(ExpressionCommands.Hessian(context));
        root.Add(ExpressionCommands.Graph(context));
        root.Add(MinimizeCommand.Build(context));
        root.Add(FitCommand.Build(context));
        root.Add(PredictCommand.Build(context));
        root.Add(TransferCommands.Export(context));
        root.Add(TransferCommands.Import(context));
        root.Add(SweepCommand.Build(context));
        root.Add(PlotCommand.Build(context));
        root.Add(DemoCommand.Build(context));
        root.Add(RunsCommand.Build(context));
        root.Add(DashboardCommand.Build(context));
        root.Add(LabCommand.Build(context));
        root.Add(LabCommand.LrFind(context));
        root.Add(WorkerCommand.Build(context));
        root.Add(InfoCommand.Build(context));
        root.Add(ShellSupport.CompletionCommand(context));
        // 'descent' with no command (e.g. only --json) prints the help rather than "Required command was not provided".
        root.SetAction(_ => ShellSupport.Invoke(root.Parse(["--help"]), context.Output, context.Error));
        ShellSupport.AddCompletions(root, DemoCommand.Names);
        return root;
    }
}
