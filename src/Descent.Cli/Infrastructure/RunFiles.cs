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

    /// <summary>Opens (or creates) a runs file to record into; a file that cannot be used is an input error.</summary>
    public static RunStore OpenForWriting(string path)
    {
        try { return RunStore.Open(path); }
        catch (RunStoreException e) { throw new InputException("--track: " + e.Message, e); }
    }

    /// <summary>Opens an existing runs file to read; a missing or unusable file is an input error.</summary>
    public static RunStore OpenExisting(string path)
    {
        if (!File.Exists(path))
            throw new InputException($"No runs database at '{path}': record runs with --track first (e.g. descent fit --track), or name the file with --track PATH.");
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
        if (e is OperationCanceledException) writer.Finish(RunStatus.Stopped, "interrupted");
        else writer.Finish(RunStatus.Failed, e.GetType().Name + ": " + e.Message);
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
