using System.Text.Json.Nodes;

namespace Descent.Tracking;

/// <summary>Where a run stands.</summary>
public enum RunStatus
{
    /// <summary>The run is being written by a live process.</summary>
    Running,

    /// <summary>The run ended normally (its epochs ran out, or a stopping rule fired).</summary>
    Finished,

    /// <summary>The loss or the parameters became non-finite.</summary>
    Diverged,

    /// <summary>Someone stopped the run (the Stop button, Ctrl+C, a cancellation token).</summary>
    Stopped,

    /// <summary>The run ended with an error.</summary>
    Failed,

    /// <summary>
    /// The run was left "running" by a process that is gone (killed, crashed, power lost). Never written: a reader
    /// shows a running run this way when its writer's process no longer exists or its heartbeat is stale.
    /// </summary>
    Interrupted,
}

/// <summary>Whether a metric belongs to one optimizer step (one batch) or to a whole epoch.</summary>
public enum MetricScope
{
    /// <summary>One optimizer step: one batch.</summary>
    Step = 0,

    /// <summary>One epoch; batch metrics are batch-size-weighted means over the epoch.</summary>
    Epoch = 1,
}

/// <summary>What a new run records about itself.</summary>
public sealed record RunStart
{
    /// <summary>The command that started the run (e.g. <c>descent fit data.csv --epochs 10</c>).</summary>
    public required string Command { get; init; }

    /// <summary>The run's settings (model, optimizer, learning rate, …) as a JSON object; empty when null.</summary>
    public JsonObject? Settings { get; init; }

    /// <summary>The random seed, when there is one.</summary>
    public long? Seed { get; init; }

    /// <summary>Where the run's checkpoint is written, when it has one.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>A short name to show in lists (defaults to the command).</summary>
    public string? Name { get; init; }
}

/// <summary>A recorded run, as read from a <see cref="RunStore"/>.</summary>
/// <param name="Id">The run's id, unique in its store.</param>
/// <param name="Name">A short name for lists.</param>
/// <param name="Command">The command that started it.</param>
/// <param name="SettingsJson">Its settings as a JSON object text.</param>
/// <param name="Seed">The random seed, if any.</param>
/// <param name="LibraryVersion">The Descent version that wrote it.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended (null while running or when interrupted).</param>
/// <param name="Status">Its status; <see cref="RunStatus.Interrupted"/> when its writer is gone.</param>
/// <param name="StopReason">Why it ended, in words (null while running).</param>
/// <param name="CheckpointPath">Its checkpoint file, if any.</param>
/// <param name="Host">The machine that wrote it.</param>
/// <param name="ProcessId">The writing process's id.</param>
/// <param name="HeartbeatAt">The last time its writer showed it was alive.</param>
public sealed record RunInfo(long Id, string Name, string Command, string SettingsJson, long? Seed, string LibraryVersion,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, RunStatus Status, string? StopReason, string? CheckpointPath,
    string Host, int ProcessId, DateTimeOffset HeartbeatAt)
{
    /// <summary>The settings, parsed.</summary>
    public JsonObject Settings => JsonNode.Parse(SettingsJson) as JsonObject ?? [];
}

/// <summary>One logged value.</summary>
/// <param name="Sequence">Increases with every value written to the store (use it to read only what is new).</param>
/// <param name="Scope">Step or epoch.</param>
/// <param name="Step">The optimizer step (for epoch metrics: the step count at the end of the epoch).</param>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Name">The metric's name (e.g. <c>loss</c>, <c>val_loss</c>, <c>learning_rate</c>).</param>
/// <param name="Value">Its value (NaN stays NaN).</param>
/// <param name="Seconds">Seconds since the run started.</param>
public readonly record struct MetricPoint(long Sequence, MetricScope Scope, long Step, int Epoch, string Name, double Value, double Seconds);

/// <summary>One run's curve of one metric in a comparison.</summary>
/// <param name="Run">The run.</param>
/// <param name="Points">Its points, in step order.</param>
/// <param name="Last">The last value, or NaN when there are none.</param>
/// <param name="Best">The smallest finite value, or NaN when there are none.</param>
public sealed record RunCurve(RunInfo Run, IReadOnlyList<MetricPoint> Points, double Last, double Best);

/// <summary>Several runs' curves of one metric, for overlaid plots and tables.</summary>
/// <param name="Metric">The metric compared.</param>
/// <param name="Scope">Step or epoch curves.</param>
/// <param name="Curves">One curve per run, in the order asked for.</param>
public sealed record RunComparison(string Metric, MetricScope Scope, IReadOnlyList<RunCurve> Curves);

/// <summary>Options for a <see cref="RunWriter"/>: how often buffered metrics are committed.</summary>
public sealed record RunWriterOptions
{
    /// <summary>Commit when this many values are waiting (default 2000).</summary>
    public int FlushRows { get; init; } = 2000;

    /// <summary>Commit at least this often while values are waiting, and refresh the heartbeat (default 1 s).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>A runs database that cannot be used: not SQLite, damaged, another application's, or from a newer Descent.</summary>
public sealed class RunStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RunStoreException(string path, string problem, Exception? inner = null) : base($"Cannot use '{path}' as a runs database: {problem}", inner) => StorePath = path;

    /// <summary>Creates the exception with a message.</summary>
    public RunStoreException() : base("Cannot use the runs database.") => StorePath = "";

    /// <summary>Creates the exception with a message.</summary>
    public RunStoreException(string message) : base(message) => StorePath = "";

    /// <summary>Creates the exception with a message and cause.</summary>
    public RunStoreException(string message, Exception inner) : base(message, inner) => StorePath = "";

    private RunStoreException(string message, Exception? inner, string path) : base(message, inner) => StorePath = path;

    /// <summary>The database file.</summary>
    public string StorePath { get; }

    /// <summary>What SQLite said, in words that name the file and the fix: damaged pages, a full disk, or <paramref name="other"/>.</summary>
    internal static RunStoreException From(string path, Microsoft.Data.Sqlite.SqliteException e, string other) => e.SqliteErrorCode switch
    {
        11 => new RunStoreException(
            $"the runs file {path} is damaged: {e.Message.TrimEnd('.')}. Nothing more was written to it; record new runs into another file " +
            $"(--track NEW.db), and `sqlite3 {path} .recover` may save the old ones.", e, path),
        13 => new RunStoreException(
            $"the runs file {path} cannot grow: the disk is full (or the file reached its size limit). Free some space, or record into a file " +
            "on another disk (--track PATH).", e, path),
        _ => new RunStoreException(path, other, e),
    };

    /// <summary>A file whose pages fail SQLite's check.</summary>
    internal static RunStoreException Damaged(string path, string detail) => new(
        $"the runs file {path} is damaged: {detail}. Nothing was written to it; record new runs into another file (--track NEW.db), " +
        $"and `sqlite3 {path} .recover` may save the old ones.", null, path);
}
