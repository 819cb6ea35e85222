using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Descent.Tracking;

/// <summary>
/// Logs one run's metrics into its <see cref="RunStore"/>. Values are buffered and committed in one transaction
/// when <see cref="RunWriterOptions.FlushRows"/> are waiting, at least every <see cref="RunWriterOptions.FlushInterval"/>
/// (a timer that also refreshes the heartbeat), at every epoch's end and when the run finishes; so a process killed
/// at any moment leaves every value up to the last commit, and the file consistent. Thread-safe.
/// </summary>
public sealed class RunWriter : IDisposable
{
    private readonly RunStore _store;
    private readonly RunWriterOptions _options;
    private readonly Lock _buffer = new();
    private readonly List<Row> _rows = [];
    private readonly Lock _commitOrder = new();
    private readonly Dictionary<string, (double Sum, double Weight)> _epochSums = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer _timer;
    private long _lastStep;
    private bool _finished;

    private readonly record struct Row(MetricScope Scope, long Step, int Epoch, string Name, double Value, double Seconds);

    internal RunWriter(RunStore store, long runId, RunWriterOptions options)
    {
        if (options.FlushRows < 1) throw new ArgumentOutOfRangeException(nameof(options), options.FlushRows, "FlushRows must be at least 1.");
        if (options.FlushInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), options.FlushInterval, "FlushInterval must be positive.");
        _store = store;
        RunId = runId;
        _options = options;
        _timer = new Timer(_ => Tick(), null, options.FlushInterval, options.FlushInterval);
    }

    /// <summary>The run's id in its store.</summary>
    public long RunId { get; }

    /// <summary>Whether <see cref="Finish"/> has been called.</summary>
    public bool IsFinished => _finished;

    /// <summary>Values committed so far.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Transactions committed so far.</summary>
    public long Commits { get; private set; }

    /// <summary>
    /// Logs one step's value. Step metrics are also summed, weighted by <paramref name="batchSize"/>, into the epoch
    /// means that <see cref="EndEpoch"/> writes.
    /// </summary>
    public void LogStep(long step, int epoch, string name, double value, int batchSize = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        bool flush;
        lock (_buffer)
        {
            ThrowIfFinished();
            _rows.Add(new Row(MetricScope.Step, step, epoch, name, value, _clock.Elapsed.TotalSeconds));
            var (sum, weight) = _epochSums.GetValueOrDefault(name);
            _epochSums[name] = (sum + value * batchSize, weight + batchSize);
            _lastStep = step;
            flush = _rows.Count >= _options.FlushRows;
        }
        if (flush) Flush();
    }

    /// <summary>
    /// Ends an epoch: writes the batch-size-weighted mean of every step metric logged since the last epoch (as noggin
    /// aggregates batches into epochs), then <paramref name="values"/> (validation loss, learning rate, …, which win
    /// over a mean of the same name), and commits.
    /// </summary>
    public void EndEpoch(int epoch, IEnumerable<KeyValuePair<string, double>>? values = null)
    {
        lock (_buffer)
        {
            ThrowIfFinished();
            double seconds = _clock.Elapsed.TotalSeconds;
            var given = values?.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal) ?? [];
            foreach (var (name, (sum, weight)) in _epochSums)
                if (!given.ContainsKey(name) && weight > 0) _rows.Add(new Row(MetricScope.Epoch, _lastStep, epoch, name, sum / weight, seconds));
            foreach (var (name, value) in given) _rows.Add(new Row(MetricScope.Epoch, _lastStep, epoch, name, value, seconds));
            _epochSums.Clear();
        }
        Flush();
    }

    /// <summary>Logs one epoch-level value without touching the epoch's running means.</summary>
    public void LogEpoch(int epoch, string name, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_buffer)
        {
            ThrowIfFinished();
            _rows.Add(new Row(MetricScope.Epoch, _lastStep, epoch, name, value, _clock.Elapsed.TotalSeconds));
        }
    }

    /// <summary>Records (or changes) the run's checkpoint file.</summary>
    public void SetCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Update("UPDATE runs SET checkpoint_path = $value WHERE id = $id", Path.GetFullPath(path));
    }

    /// <summary>
    /// Commits every buffered value now, in one transaction, and refreshes the heartbeat. When the file refuses the
    /// write (full, damaged) the values stay buffered for the next try and the error says which file and what to do.
    /// </summary>
    /// <exception cref="RunStoreException">The file cannot be written.</exception>
    public void Flush() => Commit();

    /// <summary>Commits what is buffered and marks the run ended with <paramref name="status"/> and a reason in words.</summary>
    public void Finish(RunStatus status, string? reason = null)
    {
        if (status is RunStatus.Running or RunStatus.Interrupted)
            throw new ArgumentOutOfRangeException(nameof(status), status, "A run finishes as finished, diverged, stopped or failed.");
        lock (_buffer)
        {
            if (_finished) return;
        }
        _timer.Dispose();
        Commit();
        lock (_buffer) _finished = true;
        lock (_store.Gate)
        {
            _store.ThrowIfDisposed();
            using var cmd = _store.Connection.CreateCommand();
            cmd.CommandText = "UPDATE runs SET status = $status, stop_reason = $reason, ended_at = $now, heartbeat_at = $now WHERE id = $id";
            cmd.Parameters.AddWithValue("$status", status.ToString().ToLowerInvariant());
            cmd.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$now", RunStore.Now());
            cmd.Parameters.AddWithValue("$id", RunId);
            try
            {
                cmd.ExecuteNonQuery();
            }
            catch (SqliteException e)
            {
                throw _store.Failure(e);
            }
        }
    }

    /// <summary>
    /// Stops the timer; a run not finished by then is marked failed ("ended without reporting its outcome"). When the
    /// file cannot be written any more the run stays "running" in it, and shows as interrupted once this process ends.
    /// </summary>
    public void Dispose()
    {
        _timer.Dispose();
        try
        {
            if (!_finished) Finish(RunStatus.Failed, "the run ended without reporting its outcome");
        }
        catch (RunStoreException)
        {
        }
    }

    // The timer's commit: an error here is met again, and reported, by the next Flush, EndEpoch or Finish.
    private void Tick()
    {
        try
        {
            if (!_finished) Commit();
        }
        catch (Exception e) when (e is ObjectDisposedException or RunStoreException or InvalidOperationException)
        {
        }
    }

    private void Commit()
    {
        // One commit at a time, in the order the rows were taken: without this a timer commit that failed (a reader
        // held the file) put its rows back after a concurrent commit had already written later steps, and a kill in
        // between left a gap in the file's steps.
        lock (_commitOrder)
        {
            Row[] rows;
            lock (_buffer)
            {
                if (_finished) return;
                rows = [.. _rows];
                _rows.Clear();
            }
            lock (_store.Gate)
            {
                _store.ThrowIfDisposed();
                try
                {
                    CommitUnlocked(rows);
                }
                catch (SqliteException e)
                {
                    // Nothing of this transaction was written: keep its values, in order, for the next try.
                    lock (_buffer) _rows.InsertRange(0, rows);
                    throw _store.Failure(e);
                }
            }
        }
    }

    private void CommitUnlocked(Row[] rows)
    {
        var c = _store.Connection;
        using var tx = c.BeginTransaction();
        if (rows.Length > 0)
        {
            using var insert = c.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO metrics (run_id, scope, step, epoch, name, value, seconds) VALUES ($run, $scope, $step, $epoch, $name, $value, $seconds)";
            var run = insert.Parameters.Add("$run", SqliteType.Integer);
            var scope = insert.Parameters.Add("$scope", SqliteType.Integer);
            var step = insert.Parameters.Add("$step", SqliteType.Integer);
            var epoch = insert.Parameters.Add("$epoch", SqliteType.Integer);
            var name = insert.Parameters.Add("$name", SqliteType.Text);
            var value = insert.Parameters.Add("$value", SqliteType.Real);
            var seconds = insert.Parameters.Add("$seconds", SqliteType.Real);
            insert.Prepare();
            run.Value = RunId;
            foreach (var row in rows)
            {
                scope.Value = (int)row.Scope;
                step.Value = row.Step;
                epoch.Value = row.Epoch;
                name.Value = row.Name;
                value.Value = double.IsNaN(row.Value) ? DBNull.Value : row.Value;
                seconds.Value = row.Seconds;
                insert.ExecuteNonQuery();
            }
        }
        using (var beat = c.CreateCommand())
        {
            beat.Transaction = tx;
            beat.CommandText = "UPDATE runs SET heartbeat_at = $now WHERE id = $id";
            beat.Parameters.AddWithValue("$now", RunStore.Now());
            beat.Parameters.AddWithValue("$id", RunId);
            beat.ExecuteNonQuery();
        }
        tx.Commit();
        RowsWritten += rows.Length;
        Commits++;
    }

    private void Update(string sql, object value)
    {
        lock (_store.Gate)
        {
            _store.ThrowIfDisposed();
            using var cmd = _store.Connection.CreateCommand();
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$value", value);
            cmd.Parameters.AddWithValue("$id", RunId);
            try
            {
                cmd.ExecuteNonQuery();
            }
            catch (SqliteException e)
            {
                throw _store.Failure(e);
            }
        }
    }

    private void ThrowIfFinished()
    {
        if (_finished) throw new InvalidOperationException($"Run {RunId} has finished; nothing more can be logged to it.");
    }
}
