using System.CommandLine;
using Descent.Cli.Infrastructure;

namespace Descent.Cli.Commands;

/// <summary>The sweep command.</summary>
public static class SweepCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var command = new Command("sweep", "todo");
        command.SetAction(p => { context.Output.WriteLine("todo"); return 0; });
        return command;
    }
}
