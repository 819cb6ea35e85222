using System.Diagnostics;
using System.Numerics;
using System.Text.Json.Nodes;
using Descent.Cli.Commands;
using Descent.Learning.Modules;
using Descent.Learning.Training;
#if DESCENT_DISTRIBUTED
using System.Net;
using System.Net.Sockets;
using Descent.Distributed;
using Microsoft.Extensions.Hosting;
#endif

namespace Descent.Cli.Infrastructure;

/// <summary>
/// <c>fit --workers N</c> / <c>--cluster HOST:PORT</c>: starts (or joins) an Orleans cluster and makes the trainer take
/// its batch gradients from it (src/Descent.Distributed, docs/distributed.md). Only the portable build has Orleans; the
/// Native AOT build refuses the options with a usage error.
/// </summary>
internal sealed class DistributedTraining : IDisposable
{
    /// <summary>How long a worker may take to join the cluster.</summary>
    public static TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>The suffix FitCore adds to a loss that compares standardised values.</summary>
    private const string StandardisedSuffix = " (standardised target)";

#if DESCENT_DISTRIBUTED
    private readonly IHost _silo;
    private readonly List<Process> _workers;
    private readonly Func<DataParallelStats> _stats;
    private readonly string _mode;

    private DistributedTraining(IHost silo, List<Process> workers, Func<DataParallelStats> stats, string mode)
        => (_silo, _workers, _stats, _mode) = (silo, workers, stats, mode);

    /// <summary>Starts the cluster (or joins it) and attaches it to <paramref name="trainer"/>.</summary>
    public static DistributedTraining Start<T>(FitSettings s, Trainer<T> trainer, Module<T> module, string lossName, CancellationToken cancellation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool standardised = lossName.EndsWith(StandardisedSuffix, StringComparison.Ordinal);
        string loss = standardised ? lossName[..^StandardisedSuffix.Length] : lossName;
        if (module.NamedModules().Any(m => m.Module is IRandomModule))
            throw new UsageException("--workers/--cluster: this model has random layers (dropout), which data-parallel training does not support.");
        var processes = new List<Process>();
        IHost? silo = null;
        try
        {
            int workers;
            string mode;
            if (s.Cluster is { } address)
            {
                IPEndPoint primary;
                try { primary = Cluster.ParseEndpoint(address); }
                catch (Exception e) when (e is FormatException or SocketException) { throw new UsageException($"--cluster '{address}': {e.Message} Give the primary silo's HOST:PORT, e.g. --cluster 10.0.0.5:11111."); }
                silo = StartSilo(new SiloSettings { Primary = primary, Address = LocalAddressFacing(primary), Coordinator = true }, $"--cluster {address}", cancellation);
                workers = s.Workers ?? 0;
                if (workers == 0)
                {
                    Wait(silo, 1, cancellation);
                    workers = Cluster.Workers(silo.Services).Count;
                }
                else Wait(silo, workers, cancellation);
                mode = "cluster " + address;
            }
            else
            {
                workers = s.Workers!.Value;
                int port = Cluster.FreePort();
                silo = StartSilo(new SiloSettings { Port = port, Coordinator = true }, "--workers", cancellation);
                for (int i = 0; i < workers; i++) processes.Add(StartWorker(port));
                Wait(silo, workers, cancellation, processes);
                mode = "local";
            }
            var grains = silo.Services.GetService(typeof(IGrainFactory)) as IGrainFactory ?? throw new InvalidOperationException("The silo has no grain factory.");
            var parallel = new DataParallel<T>(grains, module, loss, workers, standardised) { Cancellation = cancellation };
            trainer.BatchGradient = (x, y) =>
            {
                try { return parallel.Gradient(x, y); }
                catch (DistributedTrainingException e) { throw new ClusterException(e.Message, e); }
            };
            var session = new DistributedTraining(silo, processes, () => parallel.Stats, mode);
            silo = null;
            processes = [];
            return session;
        }
        finally
        {
            Stop(silo, processes);
        }
    }

    /// <summary>How long the coordinator may take to join a running cluster (<c>--cluster</c>) before it gives up.</summary>
    public static TimeSpan ClusterJoinTimeout { get; set; } = TimeSpan.FromSeconds(60);

    private static IHost StartSilo(SiloSettings settings, string option, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (settings.Primary is not null) timeout.CancelAfter(ClusterJoinTimeout);
        try { return Cluster.StartSiloAsync(settings, timeout.Token).GetAwaiter().GetResult(); }
        catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new ClusterException($"{option}: could not join the cluster at {settings.Primary} within {ClusterJoinTimeout.TotalSeconds:0} s; is its primary silo running ('descent worker --port PORT' there) and reachable?", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ClusterException($"{option}: the coordinator could not start or join the cluster: {FirstLine(e.Message)}", e);
        }
    }

    private static void Wait(IHost silo, int count, CancellationToken cancellation, List<Process>? started = null)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var wait = Cluster.WaitForWorkersAsync(silo.Services, count, JoinTimeout, linked.Token);
        while (!wait.Wait(200))
        {
            if (started?.FirstOrDefault(p => p.HasExited) is { } dead)
            {
                linked.Cancel();
                dead.WaitForExit(); // the last of its error output
                string error = WorkerErrors.TryGetValue(dead.Id, out var lines) ? lines.LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? "" : "";
                throw new ClusterException($"--workers: a worker process exited with code {dead.ExitCode} before joining{(error.Length > 0 ? ": " + FirstLine(error) : "")}.");
            }
        }
        try { wait.GetAwaiter().GetResult(); }
        catch (DistributedTrainingException e) { throw new ClusterException(e.Message, e); }
    }

    /// <summary>The last lines each worker process wrote to standard error, by process id.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, System.Collections.Concurrent.ConcurrentQueue<string>> WorkerErrors = new();

    /// <summary>Starts <c>descent worker</c> as a child process that joins the silo on <paramref name="port"/> and exits with this process.</summary>
    private static Process StartWorker(int port)
    {
        string path = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        var info = new ProcessStartInfo(path) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = false, UseShellExecute = false };
        // Run as 'dotnet Descent.Cli.dll' (or inside a test host): start the same assembly the same way.
        if (Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Descent.Cli.dll"));
        foreach (var a in new[] { "worker", "--cluster", "127.0.0.1:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--parent", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new ClusterException("--workers: could not start a worker process.");
        // Both pipes are drained as the worker writes (a full pipe would stop it); the last error lines are kept for a message.
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        WorkerErrors[process.Id] = errors;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { Length: > 0 } line) return;
            errors.Enqueue(line);
            while (errors.Count > 20 && errors.TryDequeue(out string? _)) { }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The local address the primary would see this machine by (no packet is sent).</summary>
    internal static IPAddress LocalAddressFacing(IPEndPoint remote)
    {
        if (IPAddress.IsLoopback(remote.Address)) return IPAddress.Loopback;
        using var socket = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(remote);
        return ((IPEndPoint)socket.LocalEndPoint!).Address;
    }

    /// <summary>The result JSON's <c>distributed</c> object.</summary>
    public JsonObject Report()
    {
        var s = _stats();
        return new JsonObject
        {
            ["mode"] = _mode,
            ["workers"] = s.Workers,
            ["steps"] = s.Steps,
            ["gradient_seconds"] = Json.Number(s.GradientSeconds),
            ["compute_seconds"] = Json.Number(s.ComputeSeconds),
            ["communication_seconds"] = Json.Number(s.CommunicationSeconds),
            ["payload_bytes"] = s.PayloadBytes,
            ["silos"] = new JsonArray(s.Silos.Select(n => (JsonNode)n).ToArray()),
            ["faults"] = new JsonArray(s.Faults.Select(f => (JsonNode)new JsonObject
            {
                ["step"] = f.Step,
                ["shard"] = f.Shard,
                ["seconds"] = Json.Number(f.Seconds),
                ["error"] = f.Error,
            }).ToArray()),
        };
    }

    public void Dispose() => Stop(_silo, _workers);

    private static void Stop(IHost? silo, List<Process> workers)
    {
        foreach (var p in workers)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { /* already gone */ }
        }
        if (silo is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { silo.StopAsync(timeout.Token).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is OperationCanceledException or OrleansException) { /* leaving anyway */ }
            silo.Dispose();
        }
        foreach (var p in workers)
        {
            p.WaitForExit(5000);
            try { WorkerErrors.TryRemove(p.Id, out _); }
            catch (InvalidOperationException) { /* never started */ }
            p.Dispose();
        }
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? text : text[..newline]).Trim();
    }
#else
    private DistributedTraining() { }

    /// <summary>The Native AOT build has no Orleans: refuses the options.</summary>
    public static DistributedTraining Start<T>(FitSettings s, Trainer<T> trainer, Module<T> module, string lossName, CancellationToken cancellation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => throw new UsageException(NotInThisBuild("--workers/--cluster"));

    /// <summary>Never reached in this build.</summary>
    public JsonObject Report() => [];

    public void Dispose() { }
#endif

    /// <summary>What the Native AOT build says about distributed options.</summary>
    public static string NotInThisBuild(string what)
        => $"{what}: this descent is the Native AOT build, which has no distributed training (Orleans cannot be compiled ahead of time). "
            + "Use the portable build: the Descent.Cli.any package, or 'dotnet Descent.Cli.dll' from a build (docs/distributed.md).";
}
