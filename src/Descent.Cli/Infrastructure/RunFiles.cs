using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Descent.Tracking;

namespace Descent.Cli.Infrastructure;

/// <summary><c>--track [PATH]</c>: where runs are recorded, and how the CLI opens that file.</summary>
public static class RunFiles
{
    /// <summary>A <c>--track [PATH]</c> option; the path may be left out (<see cref="RunStore.DefaultFileName"/>).</summary>
    public static Option<string?> Option(string description) =>
        new("--track") { Description = description, Arity = ArgumentArity.ZeroOrOne };

    /// <summary>The runs file asked for: null without <c>--track</c>, the default name for a bare <c>--track</c>.</summary>
    public static string? PathOf(ParseResult parse, Option<string?> option)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (parse.GetResult(option) is null) return null;
        var path = parse.GetValue(option);
        return string.IsNullOrWhiteSpace(path) ? RunStore.DefaultFileName : path;
    }

    /// <summary>
    /// Opens (or creates) a runs file to record into, after checking its pages: a file that cannot be used (damaged,
    /// another application's) is an input error before anything runs.
    /// </summary>
    public static RunStore OpenForWriting(string path)
    {
        RunStore? store = null;
        try
        {
            store = RunStore.Open(path);
            store.CheckIntegrity();
            return store;
        }
        catch (RunStoreException e)
        {
            store?.Dispose();
            throw new InputException("--track: " + e.Message, e);
        }
    }

    /// <summary>
    /// Opens an existing runs file to read; a missing, empty or unusable file is an input error, and is left as it was
    /// (an empty file is not made into a database by a command that only reads).
    /// </summary>
    public static RunStore OpenExisting(string path)
    {
        if (!File.Exists(path))
            throw new InputException($"No runs database at '{path}': record runs with --track first (e.g. descent fit --track), or name the file with --track PATH.");
        if (new FileInfo(path).Length == 0)
            throw new InputException($"'{Path.GetFullPath(path)}' is an empty file, not a runs database (it was left as it is): name the runs file with --track PATH, " +
                "or record a run into this one first (e.g. descent fit --track PATH).");
        try { return RunStore.Open(path); }
        catch (RunStoreException e) { throw new InputException(e.Message, e); }
    }

    /// <summary>The line saying which run a command recorded, and how to look at it.</summary>
    public static string Recorded(long runId, string path)
    {
        string where = path == RunStore.DefaultFileName ? "" : " --track " + (path.Any(char.IsWhiteSpace) ? "\"" + path + "\"" : path);
        return $"Recorded as run {runId} in {path} (see 'descent runs show {runId}{where}').";
    }

    /// <summary>The command line as recorded with a run.</summary>
    public static string CommandLine(IReadOnlyList<string> args) =>
        "descent " + string.Join(' ', args.Select(a => a.Length == 0 || a.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'') ? "\"" + a.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : a));

    /// <summary>The status a finished command's run ends with.</summary>
    public static RunStatus StatusOfExit(int exitCode) => exitCode switch
    {
        ExitCodes.Ok => RunStatus.Finished,
        ExitCodes.Diverged => RunStatus.Diverged,
        ExitCodes.Interrupted => RunStatus.Stopped,
        _ => RunStatus.Failed,
    };

    /// <summary>Ends a run for an exception: stopped when cancelled, else failed with the message.</summary>
    public static void FinishWithError(RunWriter writer, Exception e)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(e);
        try
        {
            if (e is OperationCanceledException) writer.Finish(RunStatus.Stopped, "interrupted");
            else writer.Finish(RunStatus.Failed, e.GetType().Name + ": " + e.Message);
        }
        catch (RunStoreException)
        {
            // The file refuses writes (full, damaged): the error being reported matters more; the run shows interrupted.
        }
    }

    /// <summary>
    /// After a command's result is out: when its run's record stopped early (the runs file became full or damaged),
    /// says so on stderr and turns success into exit 3; the training itself, its result and its checkpoint are complete.
    /// </summary>
    public static int ReportLostRecord(CliContext context, TrackedRun? tracked, int code)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (tracked?.Error is not { } error) return code;
        context.Error.WriteLine($"error: --track: {error.Message} The run's record stops in epoch {tracked.ErrorEpoch}; the training went on, " +
            "and its result and checkpoint are complete.");
        return code == ExitCodes.Ok ? ExitCodes.Input : code;
    }

    /// <summary>Adds <paramref name="value"/> to <paramref name="o"/> unless it is null.</summary>
    internal static JsonObject With(this JsonObject o, string name, object? value)
    {
        switch (value)
        {
            case null: break;
            case string s: o[name] = s; break;
            case double d: o[name] = Json.Number(d); break;
            case int i: o[name] = i; break;
            case long l: o[name] = l; break;
            case bool b: o[name] = b; break;
            case string[] a: o[name] = new JsonArray(a.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()); break;
            case int[] a: o[name] = new JsonArray(a.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()); break;
            default: o[name] = Convert.ToString(value, CultureInfo.InvariantCulture); break;
        }
        return o;
    }
}
