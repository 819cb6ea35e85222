using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Descent.Tracking;

/// <summary>
/// A file of recorded runs (SQLite in WAL mode): each run's command, settings, seed, library version, times, status
/// and checkpoint, and every metric logged per step and per epoch. One process writes a run while any number of
/// readers (other <see cref="RunStore"/> instances, in this process or others) read. An instance is thread-safe.
/// </summary>
public sealed class RunStore : IDisposable
{
    /// <summary>The schema version this library writes (SQLite's <c>user_version</c>).</summary>
    public const int SchemaVersion = 1;

    /// <summary>The SQLite <c>application_id</c> that marks a Descent runs file ("DSNT").</summary>
    public const int ApplicationId = 0x44534E54;

    /// <summary>The file name used when none is given.</summary>
    public const string DefaultFileName = "descent-runs.db";

    /// <summary>A running run whose writer is on another machine is shown interrupted after this long without a heartbeat.</summary>
    public static readonly TimeSpan StaleHeartbeat = TimeSpan.FromMinutes(2);

    private const string RunColumns = "id, name, command, settings, seed, library_version, started_at, ended_at, status, stop_reason, checkpoint_path, host, pid, pid_started_at, heartbeat_at";

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();
    private bool _disposed;

    private RunStore(string path, SqliteConnection connection)
    {
        Path = path;
        _connection = connection;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    internal Lock Gate => _gate;

    internal SqliteConnection Connection => _connection;

    /// <summary>
    /// Opens the runs file at <paramref name="path"/>, creating it (and its schema) when it does not exist or is empty.
    /// </summary>
    /// <exception cref="RunStoreException">The file is not SQLite, is damaged, belongs to another application, or was written by a newer Descent.</exception>
    public static RunStore Open(string path = DefaultFileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new RunStoreException(full, "it is a folder.");
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 10000;");
            // Checked and created under the write lock, so two processes opening a new file at once agree on it.
            Execute(connection, "BEGIN IMMEDIATE");
            try
            {
                Check(full, connection);
                Execute(connection, "COMMIT");
            }
            catch
            {
                Execute(connection, "ROLLBACK");
                throw;
            }
            Execute(connection, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
            var mode = Scalar(connection, "PRAGMA journal_mode = WAL") as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new RunStoreException(full, $"SQLite refused WAL mode (journal mode '{mode}'); is the file on a network share?");
            return new RunStore(full, connection);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw RunStoreException.From(full, e, Explain(e));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static string Explain(SqliteException e) => e.SqliteErrorCode switch
    {
        26 => "it is not an SQLite database (is it the right file?).",
        11 => "the SQLite file is damaged (malformed).",
        14 => "the file cannot be opened (check the folder exists and is writable).",
        8 => "the file is read-only.",
        5 or 6 => "the database is locked by another process.",
        _ => $"SQLite error {e.SqliteErrorCode}: {e.Message}",
    };

    private static void Check(string path, SqliteConnection c)
    {
        long appId = Convert.ToInt64(Scalar(c, "PRAGMA application_id"), CultureInfo.InvariantCulture);
        long version = Convert.ToInt64(Scalar(c, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        long objects = Convert.ToInt64(Scalar(c, "SELECT count(*) FROM sqlite_master"), CultureInfo.InvariantCulture);
        if (appId == 0 && version == 0 && objects == 0)
        {
            CreateSchema(c);
            return;
        }
        if (appId != ApplicationId)
            throw new RunStoreException(path, appId == 0
                ? "it is an SQLite database of another application (it has tables but no Descent mark); nothing was changed. Choose another file."
                : $"it is an SQLite database of another application (application_id 0x{appId:X8}); nothing was changed. Choose another file.");
        if (version > SchemaVersion)
            throw new RunStoreException(path, $"it was written by a newer Descent (schema {version}; this version reads up to {SchemaVersion}).");
        if (version < 1)
            throw new RunStoreException(path, $"it has an unknown schema version {version}.");
        foreach (var table in new[] { "runs", "metrics" })
            if (Convert.ToInt64(Scalar(c, $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"), CultureInfo.InvariantCulture) == 0)
                throw new RunStoreException(path, $"its '{table}' table is missing: the file is damaged.");
    }

    private static void CreateSchema(SqliteConnection c) =>
        Execute(c, $"""
            CREATE TABLE runs (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              name TEXT NOT NULL,
              command TEXT NOT NULL,
              settings TEXT NOT NULL DEFAULT '{"{}"}',
              seed INTEGER,
              library_version TEXT NOT NULL,
              started_at INTEGER NOT NULL,
              ended_at INTEGER,
              status TEXT NOT NULL,
              stop_reason TEXT,
              checkpoint_path TEXT,
              host TEXT NOT NULL,
              pid INTEGER NOT NULL,
              pid_started_at INTEGER,
              heartbeat_at INTEGER NOT NULL
            );
            CREATE TABLE metrics (
              run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
              scope INTEGER NOT NULL,
              step INTEGER NOT NULL,
              epoch INTEGER NOT NULL,
              name TEXT NOT NULL,
              value REAL,
              seconds REAL NOT NULL
            );
            CREATE INDEX metrics_by_run ON metrics (run_id, scope, name, step);
            PRAGMA application_id = {ApplicationId};
            PRAGMA user_version = {SchemaVersion};
            """);

    /// <summary>
    /// Reads every page of the file (SQLite's <c>quick_check</c>; time grows with the file's size): a file with damaged
    /// pages is refused here, before a run is recorded into it, instead of failing in the middle of the run.
    /// </summary>
    /// <exception cref="RunStoreException">The file is damaged.</exception>
    public void CheckIntegrity()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            string result;
            try
            {
                result = Convert.ToString(Scalar(_connection, "PRAGMA quick_check(1)"), CultureInfo.InvariantCulture) ?? "";
            }
            catch (SqliteException e)
            {
                throw Failure(e);
            }
            if (!string.Equals(result, "ok", StringComparison.OrdinalIgnoreCase))
                throw RunStoreException.Damaged(Path, "SQLite's check found " + string.Join("; ", result.Replace("*** in database main ***", "", StringComparison.Ordinal)
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }
    }

    /// <summary>An SQLite error while using the file, in words that name it and the fix.</summary>
    internal RunStoreException Failure(SqliteException e) => RunStoreException.From(Path, e, Explain(e));

    /// <summary>Starts recording a new run (status running) and returns the writer that logs its metrics.</summary>
    public RunWriter StartRun(RunStart start, RunWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentException.ThrowIfNullOrWhiteSpace(start.Command);
        long id;
        using (var process = Process.GetCurrentProcess())
        lock (_gate)
        {
            ThrowIfDisposed();
            long now = Now();
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                INSERT INTO runs (name, command, settings, seed, library_version, started_at, status, checkpoint_path, host, pid, pid_started_at, heartbeat_at)
                VALUES ($name, $command, $settings, $seed, $version, $now, 'running', $checkpoint, $host, $pid, $pidStarted, $now);
                SELECT last_insert_rowid();
                """;
            cmd.Parameters.AddWithValue("$name", start.Name ?? start.Command);
            cmd.Parameters.AddWithValue("$command", start.Command);
            cmd.Parameters.AddWithValue("$settings", (start.Settings ?? []).ToJsonString());
            cmd.Parameters.AddWithValue("$seed", (object?)start.Seed ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$version", DescentInfo.Version);
            cmd.Parameters.AddWithValue("$now", now);
            cmd.Parameters.AddWithValue("$checkpoint", (object?)start.CheckpointPath ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$host", Environment.MachineName);
            cmd.Parameters.AddWithValue("$pid", Environment.ProcessId);
            cmd.Parameters.AddWithValue("$pidStarted", new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds());
            try
            {
                id = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
            }
            catch (SqliteException e)
            {
                throw Failure(e);
            }
        }
        return new RunWriter(this, id, options ?? new RunWriterOptions());
    }

    /// <summary>All runs, oldest first.</summary>
    public IReadOnlyList<RunInfo> ListRuns() => QueryRuns($"SELECT {RunColumns} FROM runs ORDER BY id", null);

    /// <summary>The run with this id, or null.</summary>
    public RunInfo? GetRun(long id) => QueryRuns($"SELECT {RunColumns} FROM runs WHERE id = $id", id).FirstOrDefault();

    /// <summary>
    /// A run's metrics in the order they were written, optionally only one scope or one name, and only those
    /// written after <paramref name="afterSequence"/> (a <see cref="MetricPoint.Sequence"/> seen before).
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no such run.</exception>
    public IReadOnlyList<MetricPoint> GetMetrics(long runId, MetricScope? scope = null, string? name = null, long afterSequence = 0)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT rowid, scope, step, epoch, name, value, seconds FROM metrics WHERE run_id = $id AND rowid > $after"
                + (scope is null ? "" : " AND scope = $scope") + (name is null ? "" : " AND name = $name") + " ORDER BY rowid";
            cmd.Parameters.AddWithValue("$id", runId);
            cmd.Parameters.AddWithValue("$after", afterSequence);
            if (scope is { } s) cmd.Parameters.AddWithValue("$scope", (int)s);
            if (name is not null) cmd.Parameters.AddWithValue("$name", name);
            var points = new List<MetricPoint>();
            try
            {
                using (var reader = cmd.ExecuteReader())
                    while (reader.Read())
                        points.Add(new MetricPoint(reader.GetInt64(0), (MetricScope)reader.GetInt32(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetString(4),
                            reader.IsDBNull(5) ? double.NaN : reader.GetDouble(5), reader.GetDouble(6)));
                if (points.Count == 0 && afterSequence == 0 && GetRunUnlocked(runId) is null) throw new KeyNotFoundException($"There is no run {runId} in '{Path}'.");
            }
            catch (SqliteException e)
            {
                throw Failure(e);
            }
            return points;
        }
    }

    /// <summary>The curves of one metric for several runs, for overlaid plots and a table of last and best values.</summary>
    /// <exception cref="KeyNotFoundException">One of the runs does not exist.</exception>
    public RunComparison Compare(IEnumerable<long> runIds, string metric = "loss", MetricScope scope = MetricScope.Epoch)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        var curves = new List<RunCurve>();
        foreach (var id in runIds)
        {
            var run = GetRun(id) ?? throw new KeyNotFoundException($"There is no run {id} in '{Path}'.");
            var points = GetMetrics(id, scope, metric).OrderBy(p => p.Step).ThenBy(p => p.Sequence).ToArray();
            var finite = points.Where(p => double.IsFinite(p.Value)).ToArray();
            curves.Add(new RunCurve(run, points, points.Length == 0 ? double.NaN : points[^1].Value, finite.Length == 0 ? double.NaN : finite.Min(p => p.Value)));
        }
        return new RunComparison(metric, scope, curves);
    }

    /// <summary>Writes a run's metrics as CSV (<c>scope,step,epoch,name,value,seconds</c>), atomically.</summary>
    /// <exception cref="KeyNotFoundException">There is no such run.</exception>
    public void ExportCsv(long runId, string path)
    {
        _ = GetRun(runId) ?? throw new KeyNotFoundException($"There is no run {runId} in '{Path}'.");
        var points = GetMetrics(runId);
        WriteAtomically(path, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            w.Write("scope,step,epoch,name,value,seconds\n");
            foreach (var p in points)
                w.Write(string.Create(CultureInfo.InvariantCulture, $"{(p.Scope == MetricScope.Step ? "step" : "epoch")},{p.Step},{p.Epoch},{Csv(p.Name)},{p.Value:R},{p.Seconds:R}\n"));
        });
    }

    /// <summary>Writes a run and its metrics as JSON (<c>{"run": {...}, "metrics": [...]}</c>), atomically.</summary>
    /// <exception cref="KeyNotFoundException">There is no such run.</exception>
    public void ExportJson(long runId, string path)
    {
        var run = GetRun(runId) ?? throw new KeyNotFoundException($"There is no run {runId} in '{Path}'.");
        var points = GetMetrics(runId);
        WriteAtomically(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WritePropertyName("run");
            WriteRun(w, run);
            w.WriteStartArray("metrics");
            foreach (var p in points)
            {
                w.WriteStartObject();
                w.WriteString("scope", p.Scope == MetricScope.Step ? "step" : "epoch");
                w.WriteNumber("step", p.Step);
                w.WriteNumber("epoch", p.Epoch);
                w.WriteString("name", p.Name);
                WriteNumber(w, "value", p.Value);
                w.WriteNumber("seconds", p.Seconds);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>Writes one run's fields as a JSON object (settings inline; times as ISO 8601; non-finite numbers as strings).</summary>
    public static void WriteRun(Utf8JsonWriter writer, RunInfo run)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(run);
        writer.WriteStartObject();
        writer.WriteNumber("id", run.Id);
        writer.WriteString("name", run.Name);
        writer.WriteString("command", run.Command);
        writer.WritePropertyName("settings");
        using (var doc = JsonDocument.Parse(run.SettingsJson)) doc.RootElement.WriteTo(writer);
        if (run.Seed is { } seed) writer.WriteNumber("seed", seed); else writer.WriteNull("seed");
        writer.WriteString("library_version", run.LibraryVersion);
        writer.WriteString("started_at", run.StartedAt);
        if (run.EndedAt is { } ended) writer.WriteString("ended_at", ended); else writer.WriteNull("ended_at");
        writer.WriteString("status", run.Status.ToString().ToLowerInvariant());
        writer.WriteString("stop_reason", run.StopReason);
        writer.WriteString("checkpoint_path", run.CheckpointPath);
        writer.WriteString("host", run.Host);
        writer.WriteNumber("pid", run.ProcessId);
        writer.WriteString("heartbeat_at", run.HeartbeatAt);
        writer.WriteEndObject();
    }

    internal static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    /// <summary>Deletes a run and its metrics; false when there was no such run.</summary>
    public bool DeleteRun(long runId)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            try
            {
                return DeleteRunUnlocked(runId);
            }
            catch (SqliteException e)
            {
                throw Failure(e);
            }
        }
    }

    private bool DeleteRunUnlocked(long runId)
    {
        using var tx = _connection.BeginTransaction();
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "DELETE FROM metrics WHERE run_id = $id; DELETE FROM runs WHERE id = $id;";
        cmd.Parameters.AddWithValue("$id", runId);
        cmd.ExecuteNonQuery();
        using var changes = _connection.CreateCommand();
        changes.Transaction = tx;
        changes.CommandText = "SELECT changes()";
        bool deleted = Convert.ToInt64(changes.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
        tx.Commit();
        return deleted;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _connection.Dispose();
        }
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    internal static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private RunInfo? GetRunUnlocked(long id)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = $"SELECT {RunColumns} FROM runs WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? ReadRun(reader) : null;
    }

    private List<RunInfo> QueryRuns(string sql, long? id)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            if (id is { } i) cmd.Parameters.AddWithValue("$id", i);
            var runs = new List<RunInfo>();
            try
            {
                using var reader = cmd.ExecuteReader();
                while (reader.Read()) runs.Add(ReadRun(reader));
            }
            catch (SqliteException e)
            {
                throw Failure(e);
            }
            return runs;
        }
    }

    private static RunInfo ReadRun(SqliteDataReader r)
    {
        static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
        var status = Enum.Parse<RunStatus>(r.GetString(8), ignoreCase: true);
        string host = r.GetString(11);
        int pid = r.GetInt32(12);
        long? pidStarted = r.IsDBNull(13) ? null : r.GetInt64(13);
        var heartbeat = Time(r.GetInt64(14));
        if (status == RunStatus.Running && !WriterAlive(host, pid, pidStarted, heartbeat)) status = RunStatus.Interrupted;
        return new RunInfo(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.GetString(5),
            Time(r.GetInt64(6)), r.IsDBNull(7) ? null : Time(r.GetInt64(7)), status, r.IsDBNull(9) ? null : r.GetString(9),
            r.IsDBNull(10) ? null : r.GetString(10), host, pid, heartbeat);
    }

    /// <summary>
    /// Whether the process that writes a running run still exists: on this machine, a process with that id and
    /// start time (so a reused id does not count); elsewhere, a heartbeat younger than <see cref="StaleHeartbeat"/>.
    /// </summary>
    internal static bool WriterAlive(string host, int pid, long? pidStartedMs, DateTimeOffset heartbeat)
    {
        if (!string.Equals(host, Environment.MachineName, StringComparison.Ordinal))
            return DateTimeOffset.UtcNow - heartbeat < StaleHeartbeat;
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return false;
            if (pidStartedMs is { } started)
                return Math.Abs(new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() - started) < 2000;
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static void WriteAtomically(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        var temp = full + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    internal static void Execute(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
