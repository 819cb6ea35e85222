using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Descent.Distributed;

/// <summary>How one silo of a training cluster starts.</summary>
public sealed record SiloSettings
{
    /// <summary>The primary silo's endpoint (development clustering: it keeps the membership table); null: this silo is the primary.</summary>
    public IPEndPoint? Primary { get; init; }

    /// <summary>The address this silo listens on and tells the others (loopback for a cluster on one machine).</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The silo-to-silo port; 0: a free one.</summary>
    public int Port { get; init; }

    /// <summary>A coordinator silo holds no workers (<see cref="WorkerPlacementStrategy"/>).</summary>
    public bool Coordinator { get; init; }

    /// <summary>The cluster's identity: silos join only a cluster of the same id.</summary>
    public string ClusterId { get; init; } = "descent";
}

/// <summary>
/// Starting the silos of a training cluster. Membership is Orleans' development clustering
/// (<c>UseDevelopmentClustering</c>, in Orleans itself): one primary silo keeps the membership table and every other
/// silo names it; failure detection is Orleans' own probing, tuned here to declare a dead silo within a few seconds.
/// </summary>
public static class Cluster
{
    /// <summary>The name prefix of coordinator silos (they hold no workers).</summary>
    public const string CoordinatorPrefix = "descent-coordinator";

    /// <summary>The name prefix of worker silos.</summary>
    public const string WorkerPrefix = "descent-worker";

    /// <summary>What every silo of a training cluster needs: the worker placement and fast failure detection.</summary>
    public static ISiloBuilder AddDescentWorkers(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddPlacementDirector<WorkerPlacementStrategy, WorkerPlacementDirector>();
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            // A killed worker process is declared dead after two missed 1 s probes by one other silo (defaults: 3 × 5 s,
            // two votes), so a step waits a few seconds, not a minute, before its shard moves.
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            o.DefunctSiloCleanupPeriod = null;
        });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(30));
        return silo;
    }

    /// <summary>Starts a silo in this process; dispose (or stop) the host to leave the cluster.</summary>
    public static async Task<IHost> StartSiloAsync(SiloSettings settings, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int port = settings.Port == 0 ? FreePort() : settings.Port;
        string name = (settings.Coordinator ? CoordinatorPrefix : WorkerPrefix) + "-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var host = new HostBuilder()
            .ConfigureLogging(l =>
            {
                l.ClearProviders();
                // DESCENT_CLUSTER_LOG=1: Orleans' own log on standard error (joining, membership, failures).
                if (Environment.GetEnvironmentVariable("DESCENT_CLUSTER_LOG") == "1")
                    l.AddSimpleConsole(o => o.SingleLine = true).AddFilter(level => level >= (Environment.GetEnvironmentVariable("DESCENT_CLUSTER_LOG_LEVEL") == "debug" ? LogLevel.Debug : LogLevel.Information)).Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            })
            .UseOrleans(silo =>
            {
                silo.UseDevelopmentClustering(settings.Primary ?? new IPEndPoint(settings.Address, port));
                silo.Configure<ClusterOptions>(o => { o.ClusterId = settings.ClusterId; o.ServiceId = settings.ClusterId; });
                silo.Configure<SiloOptions>(o => o.SiloName = name);
                silo.Configure<EndpointOptions>(o =>
                {
                    o.AdvertisedIPAddress = settings.Address;
                    o.SiloPort = port;
                    o.GatewayPort = 0;
                    o.SiloListeningEndpoint = new IPEndPoint(settings.Address.Equals(IPAddress.Loopback) ? IPAddress.Loopback : IPAddress.Any, port);
                });
                silo.AddDescentWorkers();
            })
            .Build();
        try
        {
            await host.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }

    /// <summary>The live worker silos a silo of the cluster sees.</summary>
    public static IReadOnlyList<string> Workers(IServiceProvider silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var snapshot = silo.GetRequiredService<IClusterMembershipService>().CurrentSnapshot;
        return snapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !(m.Name ?? "").StartsWith(CoordinatorPrefix, StringComparison.Ordinal))
            .Select(m => m.Name ?? m.SiloAddress.ToString()).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Waits until at least <paramref name="count"/> worker silos are active.</summary>
    /// <exception cref="DistributedTrainingException">They did not all join within <paramref name="timeout"/>.</exception>
    public static async Task WaitForWorkersAsync(IServiceProvider silo, int count, TimeSpan timeout, CancellationToken cancellation = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var membership = silo.GetRequiredService<IClusterMembershipService>();
        while (true)
        {
            int seen = Workers(silo).Count;
            if (seen >= count) return;
            if (DateTime.UtcNow > deadline)
                throw new DistributedTrainingException($"only {seen} of {count} workers joined the cluster within {timeout.TotalSeconds:0} s; start the missing ones with 'descent worker --cluster ADDRESS', or ask for fewer.");
            cancellation.ThrowIfCancellationRequested();
            await Task.Delay(100, cancellation).ConfigureAwait(false);
            try { await membership.Refresh(default, cancellation).ConfigureAwait(false); }
            catch (Exception e) when (e is not OperationCanceledException) { /* the table may not be reachable yet: look again */ }
        }
    }

    /// <summary>A TCP port that is free on loopback now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Reads <c>HOST:PORT</c> (an IP address or a host name).</summary>
    /// <exception cref="FormatException">Not of that form.</exception>
    public static IPEndPoint ParseEndpoint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            throw new FormatException($"'{text}' is not HOST:PORT (e.g. 10.0.0.5:11111).");
        string host = text[..colon].Trim('[', ']');
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        var addresses = Dns.GetHostAddresses(host);
        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new FormatException($"'{host}' does not resolve to an address.");
        return new IPEndPoint(address, port);
    }
}

/// <summary>Distributed training could not go on: too few workers, or a shard failed past its retries.</summary>
public sealed class DistributedTrainingException(string message, Exception? inner = null) : Exception(message, inner);
