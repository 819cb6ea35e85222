using System.CommandLine;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Dashboard;
using Descent.Tracking;

namespace Descent.Cli.Commands;

/// <summary><c>descent dashboard [--track PATH] [--port N]</c>: the watch page for a runs file, until Ctrl-C or SIGTERM (then exit 0).</summary>
public static class DashboardCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var track = RunFiles.Option("The runs file to watch (default descent-runs.db in the current folder; created when missing).");
        var port = Options.Whole("--port", "The page's port (default: any free port).");
        var c = new Command("dashboard", "Serve a page on 127.0.0.1 that shows the recorded runs and follows running ones, until Ctrl-C or SIGTERM.") { track, port };
        c.SetAction(p =>
        {
            int n = p.GetValue(port) ?? 0;
            if (n is < 0 or > 65535) throw new UsageException($"--port {n}: use 0 to 65535 (0: any free port).");
            string path = Path.GetFullPath(RunFiles.PathOf(p, track) ?? RunStore.DefaultFileName);
            bool existed = File.Exists(path);
            RunFiles.OpenForWriting(path).Dispose(); // a file that cannot be used is refused here, with the reason
            var page = LiveDashboard.StartAsync(new LiveDashboardOptions { Port = n, StorePath = path }, context.Cancellation).GetAwaiter().GetResult();
            try
            {
                var info = p.GetValue(Root.Json) ? context.Error : context.Output;
                info.WriteLine($"Watching {path}{(existed ? "" : " (new, empty)")} at {page.Address}");
                info.WriteLine("Press Ctrl+C to stop.");
                info.Flush();
                context.Cancellation.WaitHandle.WaitOne();
                if (p.GetValue(Root.Json)) Json.Write(context.Output, new JsonObject { ["address"] = page.Address.ToString(), ["path"] = path });
            }
            finally
            {
                page.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return ExitCodes.Ok;
        });
        return c;
    }
}
