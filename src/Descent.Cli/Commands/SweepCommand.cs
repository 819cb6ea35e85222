using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Learning.Tuning;
using Descent.Optimization.Stopping;
using Descent.Plotting;
using Descent.Tracking;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent sweep (minimize|fit) … --lr 1e-5..1 [--decades | --random N] [--folds k]</c>: a learning-rate sweep,
/// the table of trials, the best, and a comparison plot. The decades come from <see cref="LearningRateSweep.Decades"/>
/// and k-fold scores from <see cref="CrossValidation.Score{T}"/>; trials run one after another so progress and Ctrl-C
/// stay simple.
/// </summary>
public static class SweepCommand
{
    /// <summary>Builds the command and its two subcommands.</summary>
    public static Command Build(CliContext context)
    {
        var command = new Command("sweep", "Sweep the learning rate of minimize or fit over a range.");
        command.Add(Minimize(context));
        command.Add(Fit(context));
        return command;
    }

    private sealed record SweepOptions(Option<string?> Range, Option<bool> Decades, Option<int?> Random, Option<int?> Seed, Option<string?> Plot, Option<string?> Track)
    {
        public RunLabels Labels { get; init; } = null!;
    }

    private static SweepOptions Common(Command c)
    {
        var o = new SweepOptions(Options.Text("--lr", "The range, LOW..HIGH (default 1e-5..1)."), Options.Flag("--decades", "One trial per decade (the default)."),
            Options.Whole("--random", "N trials drawn log-uniformly instead."), Options.Whole("--seed", "Random seed."), Options.Text("--plot", "Write score versus learning rate here (.png or .svg)."),
            RunFiles.Option("Record the sweep as one run in this SQLite runs file (default descent-runs.db): per trial k, the epoch-k metrics 'learning_rate' and 'score'."));
        c.Add(o.Range); c.Add(o.Decades); c.Add(o.Random); c.Add(o.Seed); c.Add(o.Plot); c.Add(o.Track);
        return o with { Labels = RunLabels.AddTo(c) };
    }

    /// <summary>
    /// Runs a sweep's trials, recording the sweep as one run when <c>--track</c> is given: trial k (from 1) is
    /// "epoch" k, with the epoch metrics <c>learning_rate</c> and <c>score</c> (NaN when the trial diverged).
    /// </summary>
    private static int Tracked(CliContext context, ParseResult p, SweepOptions o, string name, JsonObject settings, Func<Action<double, double>, int> sweep)
    {
        string? path = RunFiles.PathOf(p, o.Track);
        var (label, tags) = o.Labels.Read(p, path is not null, "--track");
        if (path is null) return sweep((_, _) => { });
        using var store = RunFiles.OpenForWriting(path);
        using var writer = store.StartRun(new RunStart
        {
            Command = RunFiles.CommandLine(context.Arguments), Name = label ?? name, Settings = RunLabels.WithTags(settings, tags), Seed = p.GetValue(o.Seed) ?? 0,
        });
        int trial = 0;
        try
        {
            int code = sweep((lr, score) => writer.EndEpoch(++trial, [new("learning_rate", lr), new("score", score)]));
            var status = context.Cancellation.IsCancellationRequested ? RunStatus.Stopped : RunFiles.StatusOfExit(code);
            writer.Finish(status, status switch
            {
                RunStatus.Stopped => $"interrupted after {trial} trials",
                RunStatus.Diverged => $"no trial of {trial} finished with a finite score",
                _ => $"{trial} trials",
            });
            (p.GetValue(Root.Json) ? context.Error : context.Output).WriteLine(RunFiles.Recorded(writer.RunId, path));
            return code;
        }
        catch (Exception e)
        {
            RunFiles.FinishWithError(writer, e);
            throw;
        }
    }

    /// <summary>Checks --plot and --track before the first trial (and that neither is the --data file).</summary>
    private static void CheckFiles(ParseResult p, SweepOptions o, string? dataPath)
    {
        OutputFiles.Figure("--plot", p.GetValue(o.Plot));
        OutputFiles.Check([new("--plot", p.GetValue(o.Plot)), new("--track", RunFiles.PathOf(p, o.Track))], [new("--data", dataPath)]);
    }

    private static JsonObject CommonSettings(ParseResult p, SweepOptions o) => new JsonObject()
        .With("lr_range", p.GetValue(o.Range) ?? "1e-5..1").With("random", p.GetValue(o.Random)).With("seed", p.GetValue(o.Seed) ?? 0);

    internal static double[] Rates(string? range, bool decades, int? random, int seed)
    {
        range ??= "1e-5..1";
        int dots = range.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0) throw new UsageException($"--lr '{range}': use LOW..HIGH, e.g. --lr 1e-5..1.");
        double low = Points.Number("--lr", range[..dots]), high = Points.Number("--lr", range[(dots + 2)..]);
        if (!(low > 0) || !(high >= low)) throw new UsageException($"--lr '{range}': need 0 < LOW ≤ HIGH, e.g. --lr 1e-5..1.");
        if (random is int n)
        {
            if (decades) throw new UsageException("--decades and --random N exclude each other; give one.");
            if (n is < 1 or > MaxTrials) throw new UsageException($"--random {n}: use 1 to {MaxTrials} trials.");
            var r = new Random(seed);
            return Enumerable.Range(0, n).Select(_ => Math.Exp(Math.Log(low) + r.NextDouble() * (Math.Log(high) - Math.Log(low)))).Order().ToArray();
        }
        var rates = LearningRateSweep.Decades(low, high).ToArray();
        if (rates.Length > MaxTrials)
            throw new UsageException($"--lr '{range}' spans {rates.Length} decades (one trial each); at most {MaxTrials} trials are run — narrow the range (e.g. --lr 1e-5..1) or use --random N.");
        return rates;
    }

    /// <summary>The most trials a sweep runs (decades in the range, or <c>--random N</c>).</summary>
    public const int MaxTrials = 100;

    private static Command Minimize(CliContext context)
    {
        var c = new Command("minimize", "Sweep the learning rate of a minimization; the score is the final value.");
        var expr = new Argument<string>("EXPR") { Description = "The function to minimize." };
        var start = Options.Text("--start", "The starting point, e.g. w=10 (required).");
        var optimizer = Options.Text("--optimizer", "A gradient optimizer (default gd).");
        var steps = Options.Whole("--steps", "Updates per trial (default 100).");
        c.Add(expr); c.Add(start); c.Add(optimizer); c.Add(steps);
        var o = Common(c);
        c.SetAction(p =>
        {
            var e = ExpressionInput.Parse(p.GetValue(expr)!);
            var point = ExpressionInput.Point(e, "--start", p.GetValue(start) ?? throw new UsageException("--start is required, e.g. --start w=10."));
            var rates = Rates(p.GetValue(o.Range), p.GetValue(o.Decades), p.GetValue(o.Random), p.GetValue(o.Seed) ?? 0);
            CheckFiles(p, o, null);
            MinimizeCore.CheckStart(e, point.Select(q => q.Key).ToArray(), point.Select(q => q.Value).ToArray());
            var settings = CommonSettings(p, o).With("expression", e.ToString()).With("start", p.GetValue(start))
                .With("optimizer", p.GetValue(optimizer) ?? "gd").With("steps", p.GetValue(steps) ?? 100).With("score", "final value");
            return Tracked(context, p, o, "sweep minimize " + e, settings, log =>
            {
                var trials = rates.Select(lr =>
                {
                    var r = MinimizeCore.Run(e, point, new MinimizeSettings { Optimizer = p.GetValue(optimizer) ?? "gd", LearningRate = lr, Steps = p.GetValue(steps) ?? 100 }, context.Cancellation);
                    double score = r.Diverged ? double.NaN : r.Value;
                    log(lr, score);
                    return (lr, Score: score, Note: MinimizeCore.StopName(r));
                }).ToList();
                return Report(context, p.GetValue(Root.Json), "final value", trials, p.GetValue(o.Plot));
            });
        });
        return c;
    }

    private static Command Fit(CliContext context)
    {
        var c = new Command("fit", "Sweep the learning rate of a training run; the score is the validation loss (k-fold mean with --folds).");
        var data = Options.Text("--data", "The data source (see fit; default the reference linear regression).");
        var model = Options.Text("--model", "The model (see fit).");
        var epochs = Options.Whole("--epochs", "Epochs per trial (default 100).");
        var folds = Options.Whole("--folds", "k-fold cross-validation: the score is the mean validation loss over k folds.");
        var valSplit = Options.Number("--val-split", "Validation fraction when --folds is not given (default 0.2; 0 scores the training loss).");
        var dtype = Options.Text("--dtype", "Element type: float32 | float64 | auto (see fit; default auto).");
        c.Add(data); c.Add(model); c.Add(epochs); c.Add(folds); c.Add(valSplit); c.Add(dtype);
        var o = Common(c);
        c.SetAction(p =>
        {
            int seed = p.GetValue(o.Seed) ?? 0;
            var rates = Rates(p.GetValue(o.Range), p.GetValue(o.Decades), p.GetValue(o.Random), seed);
            CheckFiles(p, o, DataSources.FilePath(p.GetValue(data)));
            var baseSettings = new FitSettings
            {
                Data = p.GetValue(data),
                Model = p.GetValue(model),
                Epochs = p.GetValue(epochs) ?? 100,
                Seed = seed,
                Loss = p.GetValue(data) is null ? "half-mse" : null,
                DataType = p.GetValue(dtype),
            };
            var elementType = FitCore.DTypeOf(baseSettings);
            int? k = p.GetValue(folds);
            if (k is < 2) throw new UsageException("--folds must be at least 2.");
            double split = p.GetValue(valSplit) ?? 0.2;
            string scoreName = k is null ? (split > 0 ? "validation loss" : "training loss") : $"mean validation loss over {k} folds";
            var sweepSettings = CommonSettings(p, o).With("data", p.GetValue(data) ?? "builtin:seed-linear (reference)").With("model", p.GetValue(model))
                .With("epochs", baseSettings.Epochs).With("folds", k).With("val_split", k is null ? split : null).With("dtype", DataSources.Name(elementType)).With("score", scoreName);
            // The data is loaded (in the sweep's dtype) before the run is recorded, so a bad source records nothing.
            Func<Action<double, double>, List<(double Lr, double Score, string Note)>> trials = elementType == DType.Float32
                ? Trials(context, baseSettings, FitCore.LoadData<float>(baseSettings), rates, k, split, seed, p.GetValue(Root.Json))
                : Trials(context, baseSettings, FitCore.LoadData<double>(baseSettings), rates, k, split, seed, p.GetValue(Root.Json));
            return Tracked(context, p, o, "sweep fit " + (p.GetValue(data) ?? "reference"), sweepSettings,
                log => Report(context, p.GetValue(Root.Json), scoreName, trials(log), p.GetValue(o.Plot)));
        });
        return c;
    }

    private static Func<Action<double, double>, List<(double Lr, double Score, string Note)>> Trials<T>(CliContext context, FitSettings baseSettings, LoadedData<T> loaded,
        double[] rates, int? k, double split, int seed, bool json) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        if (k > loaded.Train.Count)
            throw new UsageException($"--folds {k}: k-fold cross-validation needs at least one row per fold, and the data has {loaded.Train.Count} rows; use --folds 2 to {loaded.Train.Count}.");
        return log => FitTrials(context, baseSettings, loaded, rates, k, split, seed, log, json);
    }

    private static List<(double Lr, double Score, string Note)> FitTrials<T>(CliContext context, FitSettings baseSettings, LoadedData<T> loaded, double[] rates, int? k, double split, int seed,
        Action<double, double> log, bool json) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var trials = new List<(double, double, string)>();
        foreach (double lr in rates)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var settings = baseSettings with { LearningRate = lr };
            double score;
            string note;
            if (k is int kk)
            {
                string foldNote = "ok";
                score = CrossValidation.Score(loaded.Train, kk, stratified: false, seed, (train, validation) =>
                {
                    var outcome = FitCore.Train(settings, loaded, context.Cancellation, null, validation, train);
                    bool diverged = outcome.History.StopReason!.Kind == StopKind.Diverged;
                    if (diverged) foldNote = "diverged";
                    return diverged ? double.NaN : outcome.Metrics["val_loss"];
                }).Mean;
                note = foldNote;
            }
            else
            {
                var outcome = FitCore.Train(settings with { ValSplit = split }, loaded, context.Cancellation);
                bool diverged = outcome.History.StopReason!.Kind == StopKind.Diverged;
                note = diverged ? "diverged" : "ok";
                score = diverged ? double.NaN : outcome.Metrics.GetValueOrDefault("val_loss", outcome.Metrics["train_loss"]);
            }
            trials.Add((lr, score, note));
            log(lr, score);
            if (context.Live || !json)
                context.Error.WriteLine($"trial {trials.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(rates.Length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length)}/{rates.Length}  lr {Points.Show(lr),-11}  score {Points.Show(score),-11}  {note,-8}  {EpochLog.Duration(clock.Elapsed.TotalSeconds)}");
        }
        return trials;
    }

    private static int Report(CliContext context, bool json, string scoreName, List<(double Lr, double Score, string Note)> trials, string? plot)
    {
        var finite = trials.Where(t => double.IsFinite(t.Score)).ToList();
        (double Lr, double Score, string Note)? best = finite.Count == 0 ? null : finite.MinBy(t => t.Score);
        if (plot is not null) Figures.Save(Figures.SweepScores(trials.Select(t => t.Lr).ToArray(), trials.Select(t => t.Score).ToArray(), "Learning-rate sweep", scoreName), plot);
        if (json)
        {
            Json.Write(context.Output, new JsonObject
            {
                ["score"] = scoreName,
                ["trials"] = new JsonArray(trials.Select(t => (JsonNode)new JsonObject { ["learning_rate"] = Json.Number(t.Lr), ["score"] = Json.Number(t.Score), ["status"] = t.Note }).ToArray()),
                ["best"] = best is { } b ? new JsonObject { ["learning_rate"] = Json.Number(b.Lr), ["score"] = Json.Number(b.Score) } : null,
            });
        }
        else
        {
            Human.Table(context.Output, ["learning rate", scoreName, "status"], trials.Select(t => new[] { Points.Show(t.Lr), Points.Show(t.Score), t.Note }));
            context.Output.WriteLine(best is { } b ? $"best: learning rate {Points.Show(b.Lr)} ({scoreName} {Points.Show(b.Score)})" : "no trial finished with a finite score");
            if (plot is not null) context.Output.WriteLine($"figure written to {plot}");
        }
        return best is null ? ExitCodes.Diverged : ExitCodes.Ok;
    }
}
