using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Plotting;
using Descent.Tracking;

namespace Descent.Cli.Commands;

/// <summary><c>descent runs list|show|compare|export|delete</c>: the runs recorded with <c>--track</c>.</summary>
public static class RunsCommand
{
    /// <summary>Builds the command and its subcommands.</summary>
    public static Command Build(CliContext context)
    {
        var command = new Command("runs", "List, show, compare, export and delete runs recorded with --track.");
        command.Add(List(context));
        command.Add(Show(context));
        command.Add(Compare(context));
        command.Add(Export(context));
        command.Add(Delete(context));
        return command;
    }

    private static Option<string?> TrackOption() => RunFiles.Option("The runs file (default descent-runs.db in the current folder).");

    private static RunStore Open(ParseResult p, Option<string?> track) => RunFiles.OpenExisting(RunFiles.PathOf(p, track) ?? RunStore.DefaultFileName);

    private static RunInfo Find(RunStore store, long id) =>
        store.GetRun(id) ?? throw new InputException($"There is no run {id} in '{store.Path}' (see 'descent runs list').");

    /// <summary>A run as the JSON object <see cref="RunStore.WriteRun"/> writes.</summary>
    internal static JsonNode RunJson(RunInfo run)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) RunStore.WriteRun(writer, run);
        return JsonNode.Parse(buffer.ToArray())!;
    }

    private static string Time(DateTimeOffset t) => t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Duration(RunInfo r)
    {
        var end = r.EndedAt ?? (r.Status == RunStatus.Running ? DateTimeOffset.UtcNow : r.HeartbeatAt);
        return (end - r.StartedAt).TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s";
    }

    private static string Status(RunInfo r) => r.Status.ToString().ToLowerInvariant();

    private static Command List(CliContext context)
    {
        var track = TrackOption();
        var c = new Command("list", "List the recorded runs.") { track };
        c.SetAction(p =>
        {
            using var store = Open(p, track);
            var runs = store.ListRuns();
            if (p.GetValue(Root.Json))
                Json.Write(context.Output, new JsonObject { ["path"] = store.Path, ["runs"] = new JsonArray(runs.Select(RunJson).ToArray()) });
            else if (runs.Count == 0) context.Output.WriteLine($"No runs in {store.Path}.");
            else Human.Table(context.Output, ["id", "name", "status", "started", "duration", "reason"],
                runs.Select(r => new[] { r.Id.ToString(CultureInfo.InvariantCulture), r.Name, Status(r), Time(r.StartedAt), Duration(r), r.StopReason ?? "" }));
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Show(CliContext context)
    {
        var track = TrackOption();
        var id = new Argument<long>("ID") { Description = "The run's id (see 'descent runs list')." };
        var c = new Command("show", "Show one run: its settings and the last and best value of every metric.") { id, track };
        c.SetAction(p =>
        {
            using var store = Open(p, track);
            var run = Find(store, p.GetValue(id));
            var points = store.GetMetrics(run.Id);
            var summary = points.GroupBy(m => (m.Scope, m.Name)).OrderBy(g => g.Key.Scope).ThenBy(g => g.Key.Name, StringComparer.Ordinal).Select(g =>
            {
                var finite = g.Where(m => double.IsFinite(m.Value)).ToArray();
                return (Scope: g.Key.Scope == MetricScope.Step ? "step" : "epoch", g.Key.Name, Count: g.Count(), Last: g.Last().Value,
                    Min: finite.Length == 0 ? double.NaN : finite.Min(m => m.Value));
            }).ToList();
            int epochs = points.Where(m => m.Scope == MetricScope.Epoch).Select(m => m.Epoch).DefaultIfEmpty(0).Max();
            if (p.GetValue(Root.Json))
            {
                var metrics = new JsonArray(summary.Select(s => (JsonNode)new JsonObject
                {
                    ["scope"] = s.Scope, ["name"] = s.Name, ["count"] = s.Count, ["last"] = Json.Number(s.Last), ["min"] = Json.Number(s.Min),
                }).ToArray());
                Json.Write(context.Output, new JsonObject { ["run"] = RunJson(run), ["epochs"] = epochs, ["metrics"] = metrics });
                return ExitCodes.Ok;
            }
            var w = context.Output;
            w.WriteLine($"run {run.Id}: {run.Name}");
            w.WriteLine($"status:     {Status(run)}" + (run.StopReason is null ? "" : $" ({run.StopReason})"));
            w.WriteLine($"command:    {run.Command}");
            w.WriteLine($"started:    {Time(run.StartedAt)}, {Duration(run)}");
            if (run.Seed is { } seed) w.WriteLine($"seed:       {seed}");
            if (run.CheckpointPath is not null) w.WriteLine($"checkpoint: {run.CheckpointPath}");
            w.WriteLine($"written by: Descent {run.LibraryVersion} on {run.Host} (pid {run.ProcessId})");
            var settings = run.Settings;
            if (settings.Count > 0) Human.Table(w, ["setting", "value"], settings.Select(kv => new[] { kv.Key, Json.Text(kv.Value) }));
            w.WriteLine($"epochs logged: {epochs}");
            if (summary.Count > 0) Human.Table(w, ["scope", "metric", "points", "last", "min"],
                summary.Select(s => new[] { s.Scope, s.Name, s.Count.ToString(CultureInfo.InvariantCulture), Points.Show(s.Last), Points.Show(s.Min) }));
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Compare(CliContext context)
    {
        var track = TrackOption();
        var ids = new Argument<long[]>("ID") { Description = "Two or more run ids.", Arity = ArgumentArity.OneOrMore };
        var metric = Options.Text("--metric", "The metric to compare (default loss; a run without it falls back to 'value', minimize's metric).");
        var scope = Options.Text("--scope", "epoch | step (default epoch; step when a run has no epoch points of the metric).");
        var plot = Options.Text("--plot", "Draw the runs' curves overlaid on one chart here (.png or .svg).");
        var c = new Command("compare", "Compare runs: each one's last and best value of a metric, and overlaid curves with --plot.") { ids, track, metric, scope, plot };
        c.SetAction(p =>
        {
            var idList = p.GetValue(ids) ?? [];
            if (idList.Length == 0) throw new UsageException("runs compare needs at least one run id, e.g. descent runs compare 1 2.");
            string? scopeText = p.GetValue(scope)?.ToLowerInvariant();
            MetricScope? asked = scopeText switch
            {
                null => null,
                "epoch" => MetricScope.Epoch,
                "step" => MetricScope.Step,
                _ => throw new UsageException($"--scope '{scopeText}': use epoch or step."),
            };
            using var store = Open(p, track);
            foreach (var id in idList) Find(store, id);
            string name = p.GetValue(metric) ?? "loss";
            var curves = idList.Select(id => Curve(store, id, name, asked, p.GetValue(metric) is null)).ToList();
            string? plotPath = p.GetValue(plot);
            if (plotPath is not null)
            {
                var drawn = curves.Where(cv => cv.Curve.Points.Count > 0).ToList();
                var differing = DifferingSettings(drawn.Select(cv => cv.Curve.Run).ToList());
                var series = drawn.Select(cv => (Legend(cv.Curve.Run, differing), cv.Curve.Points.Select(m => m.Value).ToArray())).ToList();
                if (series.Count == 0) throw new InputException($"--plot: none of the runs has points of '{name}' to draw.");
                var scopes = curves.Select(cv => cv.Scope).Distinct().ToArray();
                string xLabel = scopes.Length == 1 && scopes[0] == MetricScope.Step ? "step" : "epoch";
                var names = curves.Select(cv => cv.Metric).Distinct().ToArray();
                string yLabel = names.Length == 1 ? names[0] : string.Join(" / ", names);
                Figures.Save(Figures.LossCurves(series, logScale: series.All(s => s.Item2.Where(double.IsFinite).All(v => v > 0)), title: $"Runs {string.Join(", ", idList)}: {yLabel}", xLabel: xLabel, yLabel: yLabel, firstStep: xLabel == "epoch" ? 1 : 0), plotPath);
            }
            if (p.GetValue(Root.Json))
            {
                Json.Write(context.Output, new JsonObject
                {
                    ["metric"] = name,
                    ["runs"] = new JsonArray(curves.Select(cv => (JsonNode)new JsonObject
                    {
                        ["id"] = cv.Curve.Run.Id, ["name"] = cv.Curve.Run.Name, ["status"] = Status(cv.Curve.Run), ["metric"] = cv.Metric,
                        ["scope"] = cv.Scope == MetricScope.Step ? "step" : "epoch", ["points"] = cv.Curve.Points.Count,
                        ["last"] = Json.Number(cv.Curve.Last), ["best"] = Json.Number(cv.Curve.Best),
                    }).ToArray()),
                    ["plot"] = plotPath,
                });
            }
            else
            {
                Human.Table(context.Output, ["id", "name", "status", "metric", "points", "last", "best"], curves.Select(cv => new[]
                {
                    cv.Curve.Run.Id.ToString(CultureInfo.InvariantCulture), cv.Curve.Run.Name, Status(cv.Curve.Run),
                    $"{cv.Metric} ({(cv.Scope == MetricScope.Step ? "step" : "epoch")})", cv.Curve.Points.Count.ToString(CultureInfo.InvariantCulture),
                    Points.Show(cv.Curve.Last), Points.Show(cv.Curve.Best),
                }));
                var finished = curves.Where(cv => double.IsFinite(cv.Curve.Best)).ToList();
                if (finished.Count > 0 && curves.Count > 1)
                {
                    var best = finished.MinBy(cv => cv.Curve.Best);
                    context.Output.WriteLine($"best: run {best.Curve.Run.Id} ({best.Metric} {Points.Show(best.Curve.Best)})");
                }
                if (plotPath is not null) context.Output.WriteLine($"figure written to {plotPath}");
            }
            return ExitCodes.Ok;
        });
        return c;
    }

    /// <summary>The settings whose values are not the same in every one of <paramref name="runs"/> (all of them are compared by their JSON text).</summary>
    internal static List<string> DifferingSettings(IReadOnlyList<RunInfo> runs)
    {
        if (runs.Count < 2) return [];
        var keys = runs.SelectMany(r => r.Settings.Select(kv => kv.Key)).Distinct(StringComparer.Ordinal).ToList();
        return keys.Where(k => runs.Select(r => r.Settings.TryGetPropertyValue(k, out var v) ? Json.Text(v) : "null").Distinct(StringComparer.Ordinal).Count() > 1).ToList();
    }

    /// <summary>A run's legend entry: its id and the settings that tell it apart (else its name), e.g. <c>run 2: lr 0.05, optimizer adam</c>.</summary>
    internal static string Legend(RunInfo run, IReadOnlyList<string> differing)
    {
        if (differing.Count == 0) return $"run {run.Id} {run.Name}";
        var parts = differing.Take(4).Select(k => $"{k} {(run.Settings.TryGetPropertyValue(k, out var v) ? Json.Text(v) : "–")}");
        string text = $"run {run.Id}: {string.Join(", ", parts)}";
        return differing.Count > 4 ? text + ", …" : text;
    }

    /// <summary>One run's curve: the metric in the scope asked for (else epoch, then step); by default, else minimize's step metric <c>value</c>.</summary>
    private static (RunCurve Curve, string Metric, MetricScope Scope) Curve(RunStore store, long id, string metric, MetricScope? scope, bool defaultMetric)
    {
        var scopes = scope is { } only ? [only] : new[] { MetricScope.Epoch, MetricScope.Step };
        var tries = scopes.Select(s => (metric, s)).ToList();
        if (defaultMetric) tries.AddRange(scopes.Reverse().Select(s => ("value", s))); // minimize: its trajectory first
        foreach (var (m, s) in tries)
        {
            var curve = store.Compare([id], m, s).Curves[0];
            if (curve.Points.Count > 0) return (curve, m, s);
        }
        return (store.Compare([id], metric, scope ?? MetricScope.Epoch).Curves[0], metric, scope ?? MetricScope.Epoch);
    }

    private static Command Export(CliContext context)
    {
        var track = TrackOption();
        var id = new Argument<long>("ID") { Description = "The run's id." };
        var format = Options.Text("--format", "csv | json (default csv).");
        var output = Options.Text("--out", "The file to write (default run-ID.csv or run-ID.json in the current folder); written atomically.");
        var c = new Command("export", "Export a run's metrics as CSV (scope,step,epoch,name,value,seconds) or the run and its metrics as JSON.") { id, track, format, output };
        c.SetAction(p =>
        {
            string f = (p.GetValue(format) ?? "csv").ToLowerInvariant();
            if (f is not ("csv" or "json")) throw new UsageException($"--format '{f}': use csv or json.");
            using var store = Open(p, track);
            var run = Find(store, p.GetValue(id));
            string path = p.GetValue(output) ?? $"run-{run.Id}.{f}";
            if (SameFile(path, store.Path) || SameFile(path, store.Path + "-wal") || SameFile(path, store.Path + "-shm"))
                throw new UsageException($"--out {path} is the runs file itself (--track {store.Path}): exporting would replace the database. Choose another --out.");
            if (f == "csv") store.ExportCsv(run.Id, path); else store.ExportJson(run.Id, path);
            string full = Path.GetFullPath(path);
            if (p.GetValue(Root.Json)) Json.Write(context.Output, new JsonObject { ["id"] = run.Id, ["format"] = f, ["path"] = full });
            else context.Output.WriteLine($"run {run.Id} exported to {full}");
            return ExitCodes.Ok;
        });
        return c;
    }

    /// <summary>Whether two paths name one file (after making them absolute and following a symbolic link).</summary>
    private static bool SameFile(string a, string b)
    {
        static string Resolve(string path)
        {
            var full = Path.GetFullPath(path);
            try
            {
                return File.Exists(full) ? File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full : full;
            }
            catch (IOException)
            {
                return full;
            }
        }
        return string.Equals(Resolve(a), Resolve(b), OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
    }

    private static Command Delete(CliContext context)
    {
        var track = TrackOption();
        var id = new Argument<long>("ID") { Description = "The run's id." };
        var c = new Command("delete", "Delete a run and its metrics (a run still running is refused).") { id, track };
        c.SetAction(p =>
        {
            using var store = Open(p, track);
            var run = Find(store, p.GetValue(id));
            if (run.Status == RunStatus.Running)
                throw new InputException($"run {run.Id} ({run.Name}) is still running (pid {run.ProcessId} on {run.Host}); deleting it would end its record mid-run. " +
                    $"Stop it first (Ctrl-C, the live page's Stop, or kill -TERM {run.ProcessId}), then delete it.");
            if (!store.DeleteRun(run.Id)) throw new InputException($"There is no run {run.Id} in '{store.Path}'.");
            if (p.GetValue(Root.Json)) Json.Write(context.Output, new JsonObject { ["deleted"] = run.Id });
            else context.Output.WriteLine($"run {run.Id} ({run.Name}) deleted");
            return ExitCodes.Ok;
        });
        return c;
    }
}
