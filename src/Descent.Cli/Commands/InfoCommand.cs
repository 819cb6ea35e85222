using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Kernels;

namespace Descent.Cli.Commands;

/// <summary><c>descent info</c>: the version, how this <c>descent</c> was built and which kernels it runs — for bug reports and benchmarks.</summary>
public static class InfoCommand
{
    /// <summary>Builds <c>descent info [--json]</c>.</summary>
    public static Command Build(CliContext context)
    {
        var command = new Command("info", "The version, the build (Native AOT x86-64-v3/v4 or JIT) and the kernels' instruction set and cache blocking.");
        command.SetAction(p =>
        {
            string version = typeof(InfoCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            string runtime = $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier}, {Environment.ProcessorCount} cores";
            if (p.GetValue(Root.Json))
            {
                Json.Write(context.Output, new JsonObject
                {
                    ["version"] = version,
                    ["build"] = ToolBuild.Build,
                    ["build_choice"] = ToolBuild.Choice,
                    ["runtime"] = runtime,
                    ["kernels"] = KernelInfo.GemmIsa,
                    ["kernel_details"] = KernelInfo.Describe(),
                });
                return 0;
            }
            context.Output.WriteLine($"descent {version}");
            context.Output.WriteLine($"build:   {ToolBuild.Build} ({ToolBuild.Choice})");
            context.Output.WriteLine($"runtime: {runtime}");
            context.Output.WriteLine($"kernels: {KernelInfo.Describe()}");
            return 0;
        });
        return command;
    }
}
