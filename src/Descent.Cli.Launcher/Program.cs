namespace Descent.Cli.Launcher;

/// <summary>The entry point of the linux-x64 <c>descent</c> tool: see <see cref="ToolLauncher"/>.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        string[] commandLine = Environment.GetCommandLineArgs();
        string argv0 = commandLine.Length > 0 ? commandLine[0] : "descent";
        return ToolLauncher.Run(AppContext.BaseDirectory, argv0, args, Environment.GetEnvironmentVariable, LibC.Exec,
            LibC.WriteError);
    }
}
