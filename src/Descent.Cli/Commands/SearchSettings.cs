using System.Globalization;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Learning.Tuning;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>sweep fit --set NAME=VALUES …</c>: a grid (or, with <c>--random K</c>, random) search over several fit settings
/// with the library's <see cref="HyperparameterSearch.Grid"/> and <see cref="Learning.Tuning.HyperparameterSearch.Random"/>, one trial at a time with
/// the same seed, printed ranked, best first.
/// </summary>
internal static class SearchSettings
{
    /// <summary>The settings <c>--set</c> can vary.</summary>
    public static readonly string[] Names = ["lr", "hidden", "epochs", "batch-size", "optimizer", "model", "loss"];

    /// <summary>The search space of every <c>--set</c>; <paramref name="model"/> is the fixed <c>--model</c>.</summary>
    public static SearchSpace Space(IReadOnlyList<string> sets, string? model, bool random)
    {
        var space = new SearchSpace();
        foreach (string text in sets)
        {
            int eq = text.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? text.Trim().ToLowerInvariant() : text[..eq].Trim().ToLowerInvariant();
            string values = eq < 0 ? "" : text[(eq + 1)..].Trim();
            if (eq < 0 || values.Length == 0) throw new UsageException($"--set '{text}': use NAME=A,B,C or NAME=LOW..HIGH, e.g. --set lr=1e-3..1e-1 --set hidden=32,64,128.");
            if (!Names.Contains(name)) throw new UsageException($"--set '{text}': unknown setting '{name}'; use one of {string.Join(", ", Names)}.");
            if (space.Names.Contains(name)) throw new UsageException($"--set {name} is given twice; give each setting once, with all its values (e.g. --set {name}=A,B,C).");
            space.Add(name, Domain(text, name, values, random));
        }
        bool mlp = string.Equals(model, "mlp", StringComparison.OrdinalIgnoreCase)
            || (space.Names.Contains("model") && space["model"].GridValues.All(v => string.Equals((string)v, "mlp", StringComparison.OrdinalIgnoreCase)));
        if (space.Names.Contains("hidden") && !mlp) throw new UsageException("--set hidden=… varies the hidden layers of an MLP: add --model mlp.");
        return space;
    }

    /// <summary>
    /// One setting's values: a list, or LOW..HIGH — for lr one value per decade in a grid and log-uniform draws in a
    /// random search; for whole numbers 5 evenly spaced values (geometrically when HIGH ≥ 10·LOW) or draws.
    /// </summary>
    private static Domain Domain(string text, string name, string values, bool random)
    {
        int dots = values.IndexOf("..", StringComparison.Ordinal);
        bool whole = name is "epochs" or "batch-size" or "hidden";
        if (dots >= 0)
        {
            if (name is "optimizer" or "model" or "loss") throw new UsageException($"--set '{text}': {name} takes a list of values, e.g. {name}=A,B; only numbers take LOW..HIGH.");
            double low = Number(text, values[..dots]), high = Number(text, values[(dots + 2)..]);
            if (!(low > 0) || !(high >= low)) throw new UsageException($"--set '{text}': need 0 < LOW ≤ HIGH.");
            if (!whole) return random ? Descent.Learning.Tuning.Domain.Range(low, high, logScale: true) : Descent.Learning.Tuning.Domain.Values(LearningRateSweep.Decades(low, high).Cast<object>().ToArray());
            if (low != Math.Floor(low) || high != Math.Floor(high) || high > int.MaxValue) throw new UsageException($"--set '{text}': {name} takes whole numbers.");
            return Descent.Learning.Tuning.Domain.IntRange((int)low, (int)high, logScale: high >= 10 * low, gridPoints: (int)Math.Min(5, high - low + 1));
        }
        var items = values.Split(',', StringSplitOptions.TrimEntries);
        if (items.Any(i => i.Length == 0)) throw new UsageException($"--set '{text}': empty value; use NAME=A,B,C.");
        return name switch
        {
            "lr" => Descent.Learning.Tuning.Domain.Values(items.Select(i => Number(text, i) is var v && v > 0 ? (object)v : throw new UsageException($"--set '{text}': learning rates must be positive.")).ToArray()),
            "hidden" => Descent.Learning.Tuning.Domain.Values(items.Select(i => (object)string.Join("/", Layers(text, i))).ToArray()),
            "epochs" or "batch-size" => Descent.Learning.Tuning.Domain.Values(items.Select(i => Number(text, i) is var v && v >= 1 && v == Math.Floor(v) && v <= int.MaxValue ? (object)(int)v
                : throw new UsageException($"--set '{text}': {name} takes whole numbers ≥ 1.")).ToArray()),
            _ => Descent.Learning.Tuning.Domain.Values(items.Cast<object>().ToArray()),
        };
    }

    private static int[] Layers(string text, string value) => value.Split('/').Select(w =>
        int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 ? n
            : throw new UsageException($"--set '{text}': hidden takes layer widths ≥ 1, several layers joined by '/', e.g. hidden=32,64/32.")).ToArray();

    private static double Number(string text, string raw) => double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
        : throw new UsageException($"--set '{text}': '{raw}' is not a number.");

    /// <summary>The fit settings of one search point.</summary>
    public static FitSettings Apply(FitSettings s, Settings point)
    {
        foreach (var (name, value) in point)
            s = name switch
            {
                "lr" => s with { LearningRate = Convert.ToDouble(value, CultureInfo.InvariantCulture) },
                "hidden" => s with { Hidden = ((string)value).Split('/').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray() },
                "epochs" => s with { Epochs = Convert.ToInt32(value, CultureInfo.InvariantCulture) },
                "batch-size" => s with { BatchSize = Convert.ToString(value, CultureInfo.InvariantCulture) },
                "optimizer" => s with { Optimizer = (string)value },
                "model" => s with { Model = (string)value },
                _ => s with { Loss = (string)value },
            };
        return s;
    }

    /// <summary>Runs the search (a grid, or <paramref name="random"/> draws), then prints the trials ranked, best first; returns the exit code.</summary>
    public static int Run(CliContext context, bool json, string scoreName, SearchSpace space, int? random, int seed, string? plot, Func<Settings, int, (double Score, string Note)> trial)
    {
        if (plot is not null) throw new UsageException("--plot draws the score against the learning rate; a --set search has several settings, so read its table (or --json) instead.");
        if (random is < 1 or > SweepCommand.MaxTrials) throw new UsageException($"--random {random}: use 1 to {SweepCommand.MaxTrials} trials.");
        long total = random ?? space.GridSize;
        if (total > SweepCommand.MaxTrials)
            throw new UsageException($"--set: the grid has {total} combinations; at most {SweepCommand.MaxTrials} trials are run — give fewer values, or draw some with --random K.");
        var notes = new List<string>();
        var options = new SearchOptions { Seed = seed, SharedSeed = true, MaxDegreeOfParallelism = 1, Cancellation = context.Cancellation };
        TrialOutcome Objective(Settings point, int _)
        {
            var (score, note) = trial(point, (int)total);
            notes.Add(note);
            return new TrialOutcome(score, Diverged: note == "diverged");
        }
        var result = random is int k ? Learning.Tuning.HyperparameterSearch.Random.Run(space, k, Objective, options) : HyperparameterSearch.Grid.Run(space, Objective, options);
        var names = space.Names;
        var ranked = result.Trials;
        var best = ranked.Count > 0 && !ranked[0].Outcome.Failed ? ranked[0] : null;
        if (json)
        {
            JsonObject Point(Settings point) => new(point.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)(kv.Value is string text ? JsonValue.Create(text) : Json.Number(Convert.ToDouble(kv.Value, CultureInfo.InvariantCulture))))));
            Json.Write(context.Output, new JsonObject
            {
                ["score"] = scoreName,
                ["search"] = random is null ? "grid" : "random",
                ["trials"] = new JsonArray(ranked.Select(t => (JsonNode)new JsonObject
                {
                    ["settings"] = Point(t.Settings),
                    ["score"] = Json.Number(t.Outcome.Failed ? double.NaN : t.Outcome.Score),
                    ["status"] = notes[t.Index],
                }).ToArray()),
                ["best"] = best is null ? null : new JsonObject { ["settings"] = Point(best.Settings), ["score"] = Json.Number(best.Outcome.Score) },
            });
        }
        else
        {
            static string Show(object v) => v is string text ? text : Points.Show(Convert.ToDouble(v, CultureInfo.InvariantCulture));
            Human.Table(context.Output, ["rank", .. names, scoreName, "status"], ranked.Select((t, i) =>
                (string[])[(i + 1).ToString(CultureInfo.InvariantCulture), .. names.Select(n => Show(t.Settings[n])), Points.Show(t.Outcome.Failed ? double.NaN : t.Outcome.Score), notes[t.Index]]));
            context.Output.WriteLine(best is null ? "no trial finished with a finite score"
                : $"best: {string.Join(", ", names.Select(n => $"{n}={Show(best.Settings[n])}"))} ({scoreName} {Points.Show(best.Outcome.Score)})");
        }
        return best is null ? ExitCodes.Diverged : ExitCodes.Ok;
    }
}
