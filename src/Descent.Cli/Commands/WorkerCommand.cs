using System.CommandLine;
using Descent.Cli.Infrastructure;
#if DESCENT_DISTRIBUTED
using System.Diagnostics;
using System.Net;
using Descent.Distributed;
#endif

namespace Descent.Cli.Commands;

/// <summary><c>descent worker</c>: a worker silo of a data-parallel training cluster (docs/distributed.md).</summary>
internal static class WorkerCommand
{
    public static Command Build(CliContext context)
    {
        var cluster = Options.Text("--cluster", "HOST:PORT of the cluster's primary silo to join; without it, this worker is the primary (listening on --port).");
        var port = Options.Whole("--port", "The port this silo listens on (default: 11111 for a primary, any free port otherwise).");
        var address = Options.Text("--address", "The address other machines reach this one at (default: loopback for a loopback cluster, else the address facing the primary, else all interfaces' first IPv4).");
        var parent = new Option<int?>("--parent") { Hidden = true, Description = "Exit when this process exits (the workers of 'fit --workers')." };
        var command = new Command("worker", "Run a worker of a data-parallel training cluster until stopped (Ctrl-C); 'descent fit --cluster HOST:PORT' trains on it.")
        {
            cluster, port, address, parent,
        };
        command.SetAction(p => Run(context, p.GetValue(cluster), p.GetValue(port), p.GetValue(address), p.GetValue(parent)));
        return command;
    }

#if DESCENT_DISTRIBUTED
    private static int Run(CliContext context, string? clusterText, int? port, string? addressText, int? parentId)
    {
        IPEndPoint? primary = null;
        if (clusterText is not null)
        {
            try { primary = Cluster.ParseEndpoint(clusterText); }
            catch (Exception e) when (e is FormatException or System.Net.Sockets.SocketException) { throw new UsageException($"--cluster '{clusterText}': {e.Message} Give the primary silo's HOST:PORT, e.g. --cluster 10.0.0.5:11111."); }
        }
        if (port is < 0 or > 65535) throw new UsageException($"--port {port}: use 1 to 65535.");
        IPAddress address;
        if (addressText is not null)
        {
            if (!IPAddress.TryParse(addressText, out address!)) throw new UsageException($"--address '{addressText}': give an IP address, e.g. --address 10.0.0.6.");
        }
        else address = primary is null ? FirstAddress() : DistributedTraining.LocalAddressFacing(primary);
        int listen = port ?? (primary is null ? 11111 : 0);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        Process? parent = null;
        if (parentId is int id)
        {
            try { parent = Process.GetProcessById(id); }
            catch (ArgumentException) { return ExitCodes.Ok; } // the coordinator is already gone
            parent.EnableRaisingEvents = true;
            parent.Exited += (_, _) => stop.Cancel();
            if (parent.HasExited) return ExitCodes.Ok;
        }
        Microsoft.Extensions.Hosting.IHost silo;
        using var joining = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        if (primary is not null) joining.CancelAfter(DistributedTraining.ClusterJoinTimeout);
        try
        {
            silo = Cluster.StartSiloAsync(new SiloSettings { Primary = primary, Address = address, Port = listen }, joining.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException e) when (!stop.IsCancellationRequested)
        {
            throw new ClusterException($"worker: could not join the cluster at {clusterText} within {DistributedTraining.ClusterJoinTimeout.TotalSeconds:0} s; is its primary silo running ('descent worker --port PORT' there) and reachable?", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ClusterException($"worker: could not {(primary is null ? "start the primary silo on port " + listen : "join the cluster at " + clusterText)}: {e.Message.Split('\n')[0].Trim()}", e);
        }
        using (silo)
        {
            context.Error.WriteLine(primary is null
                ? $"worker: primary silo listening on {address}:{listen}; join it with 'descent worker --cluster {address}:{listen}', train with 'descent fit ... --cluster {address}:{listen}'"
                : $"worker: joined the cluster at {clusterText} (this silo: {address}); stop with Ctrl-C");
            context.Error.Flush();
            try { Task.Delay(Timeout.Infinite, stop.Token).GetAwaiter().GetResult(); }
            catch (OperationCanceledException) { }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { silo.StopAsync(timeout.Token).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is OperationCanceledException or Orleans.Runtime.OrleansException) { }
        }
        parent?.Dispose();
        return context.Cancellation.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Ok;
    }

    private static IPAddress FirstAddress()
    {
        foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != System.Net.NetworkInformation.OperationalStatus.Up || nic.NetworkInterfaceType == System.Net.NetworkInformation.NetworkInterfaceType.Loopback) continue;
            foreach (var a in nic.GetIPProperties().UnicastAddresses)
                if (a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) return a.Address;
        }
        return IPAddress.Loopback;
    }
#else
    private static int Run(CliContext context, string? clusterText, int? port, string? addressText, int? parentId)
        => throw new UsageException(DistributedTraining.NotInThisBuild("worker"));
#endif
}
