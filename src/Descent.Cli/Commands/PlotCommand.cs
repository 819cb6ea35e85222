using System.CommandLine;
using Descent.Cli.Infrastructure;

namespace Descent.Cli.Commands;

/// <summary>The plot command.</summary>
public static class PlotCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var command = new Command("plot", "todo");
        command.SetAction(p => { context.Output.WriteLine("todo"); return 0; });
        return command;
    }
}
