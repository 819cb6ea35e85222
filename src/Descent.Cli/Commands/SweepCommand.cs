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

    private sealed record SweepOptions(Option<string?> Range, Option<bool> Decades, Option<int?> Random, Option<int?> Seed, Option<string?> Plot, Option<string?> Track, Option<int?> Fine)
    {
        public RunLabels Labels { get; init; } = null!;
    }

    private static SweepOptions Common(Command c)
    {
        var o = new SweepOptions(Options.Text("--lr", "The range, LOW..HIGH (default 1e-5..1)."), Options.Flag("--decades", "One trial per decade (the default)."),
            Options.Whole("--random", "N trials drawn log-uniformly instead."), Options.Whole("--seed", "Random seed."), Options.Text("--plot", "Write score versus learning rate here (.png or .svg)."),
            RunFiles.Option("Record the sweep as one run in this SQLite runs file (default descent-runs.db): per trial k, the epoch-k metrics 'learning_rate' and 'score'."),
            Options.Whole("--fine", "Two phases: one trial per decade, then N rates drawn log-uniformly in the decade around the best; the table is ranked, best first.", "10"));
        c.Add(o.Range); c.Add(o.Decades); c.Add(o.Random); c.Add(o.Seed); c.Add(o.Plot); c.Add(o.Track); c.Add(o.Fine);
        return o with { Labels = RunLabels.AddTo(c) };
    }

    /// <summary>The <c>--lr</c> range's ends, checked.</summary>
    internal static (double Low, double High) Range(string? range)
    {
        range ??= "1e-5..1";
        int dots = range.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0) throw new UsageException($"--lr '{range}': use LOW..HIGH, e.g. --lr 1e-5..1.");
        double low = Points.Number("--lr", range[..dots]), high = Points.Number("--lr", range[(dots + 2)..]);
        if (!(low > 0) || !(high >= low)) throw new UsageException($"--lr '{range}': need 0 < LOW ≤ HIGH, e.g. --lr 1e-5..1.");
        return (low, high);
    }

    /// <summary>
    /// <c>--fine N</c>: the library's two-phase sweep (<see cref="LearningRateSweep.Run"/>): decades, then N random rates in
    /// the best decade; trials run one at a time with the same seed, and come back ranked, best first.
    /// </summary>
    private static (List<(double Lr, double Score, string Note)> Trials, string[] Phases) TwoPhase(ParseResult p, SweepOptions o, int fine, CancellationToken cancellation,
        Func<double, (double Score, string Note)> trial)
    {
        if (p.GetValue(o.Decades) || p.GetValue(o.Random) is not null) throw new UsageException("--fine N runs the decades first and then N rates in the best one; it excludes --decades and --random N.");
        if (fine is < 1 or > MaxTrials) throw new UsageException($"--fine {fine}: use 1 to {MaxTrials} trials in the best decade.");
        var (low, high) = Range(p.GetValue(o.Range));
        int decades = LearningRateSweep.Decades(low, high).Count;
        if (decades > MaxTrials) throw new UsageException($"--lr '{p.GetValue(o.Range)}' spans {decades} decades (one trial each); at most {MaxTrials} are run — narrow the range.");
        var notes = new Dictionary<int, string>();
        int index = 0;
        var result = LearningRateSweep.Run((lr, _) =>
        {
            var (score, note) = trial(lr);
            notes[index++] = note;
            return new TrialOutcome(score, Diverged: note == "diverged");
        }, new LearningRateSweepOptions { Min = low, Max = high, FineTrials = fine, Seed = p.GetValue(o.Seed) ?? 0, MaxDegreeOfParallelism = 1, Cancellation = cancellation });
        var trials = result.Trials.Select(t => (t.LearningRate, t.Outcome.Failed ? double.NaN : t.Outcome.Score, notes[t.Index])).ToList();
        return (trials, result.Trials.Select(t => t.Phase == SweepPhase.Coarse ? "decade" : "fine").ToArray());
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
        var (low, high) = Range(range);
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
            int? fine = p.GetValue(o.Fine);
            var rates = fine is null ? Rates(p.GetValue(o.Range), p.GetValue(o.Decades), p.GetValue(o.Random), p.GetValue(o.Seed) ?? 0) : [];
            CheckFiles(p, o, null);
            MinimizeCore.CheckStart(e, point.Select(q => q.Key).ToArray(), point.Select(q => q.Value).ToArray());
            var settings = CommonSettings(p, o).With("expression", e.ToString()).With("start", p.GetValue(start))
                .With("optimizer", p.GetValue(optimizer) ?? "gd").With("steps", p.GetValue(steps) ?? 100).With("score", "final value");
            return Tracked(context, p, o, "sweep minimize " + e, settings, log =>
            {
                (double Score, string Note) Trial(double lr)
                {
                    var r = MinimizeCore.Run(e, point, new MinimizeSettings { Optimizer = p.GetValue(optimizer) ?? "gd", LearningRate = lr, Steps = p.GetValue(steps) ?? 100 }, context.Cancellation);
                    double score = r.Diverged ? double.NaN : r.Value;
                    log(lr, score);
                    return (score, r.Diverged ? "diverged" : MinimizeCore.StopName(r));
                }
                if (fine is int n)
                {
                    var (ranked, phases) = TwoPhase(p, o, n, context.Cancellation, Trial);
                    return Report(context, p.GetValue(Root.Json), "final value", ranked, p.GetValue(o.Plot), phases);
                }
                var trials = rates.Select(lr => { var (score, note) = Trial(lr); return (lr, Score: score, Note: note); }).ToList();
                return Report(context, p.GetValue(Root.Json), "final value", trials, p.GetValue(o.Plot));
            });
        });
        return c;
    }

    private static Command Fit(CliContext context)
    {
        var c = new Command("fit", "Sweep the learning rate (or, with --set, several settings) of a training run; the score is the validation loss (k-fold mean with --folds).");
        var data = Options.Text("--data", "The data source (see fit; default the reference linear regression).");
        var model = Options.Text("--model", "The model (see fit).");
        var epochs = Options.Whole("--epochs", "Epochs per trial (default 100).");
        var folds = Options.Whole("--folds", "k-fold cross-validation: the score is the mean validation loss over k folds.");
        var valSplit = Options.Number("--val-split", "Validation fraction when --folds is not given (default 0.2; 0 scores the training loss).");
        var dtype = Options.Text("--dtype", "Element type: float32 | float64 | auto (see fit; default auto).");
        var set = Options.Many("--set", "Search several settings (repeatable): NAME=A,B,C or NAME=LOW..HIGH for lr, hidden, epochs, batch-size, optimizer, model, loss "
            + "(hidden=64/32 is two layers). A grid of every combination, or --random K draws; the table is ranked, best first.");
        c.Add(data); c.Add(model); c.Add(epochs); c.Add(folds); c.Add(valSplit); c.Add(dtype); c.Add(set);
        var o = Common(c);
        c.SetAction(p =>
        {
            int seed = p.GetValue(o.Seed) ?? 0;
            var sets = p.GetValue(set);
            int? fine = p.GetValue(o.Fine);
            SearchSpace? space = null;
            if (sets is { Length: > 0 })
            {
                if (p.GetValue(o.Range) is not null) throw new UsageException("--lr LOW..HIGH and --set search together: give the learning rate as --set lr=LOW..HIGH (or lr=A,B,C).");
                if (fine is not null || p.GetValue(o.Decades)) throw new UsageException("--fine and --decades sweep the learning rate alone; with --set, a grid (the default) or --random K searches every setting.");
                space = SearchSettings.Space(sets, p.GetValue(model), p.GetValue(o.Random) is not null);
            }
            var rates = space is null && fine is null ? Rates(p.GetValue(o.Range), p.GetValue(o.Decades), p.GetValue(o.Random), seed) : [];
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
                .With("epochs", baseSettings.Epochs).With("folds", k).With("val_split", k is null ? split : null).With("dtype", DataSources.Name(elementType)).With("score", scoreName)
                .With("fine", fine).With("set", sets is { Length: > 0 } ? sets : null);
            bool json = p.GetValue(Root.Json);
            // The data is loaded (in the sweep's dtype) before the run is recorded, so a bad source records nothing.
            Func<Action<double, double>, int> run = elementType == DType.Float32
                ? Runner(context, p, o, baseSettings, FitCore.LoadData<float>(baseSettings), rates, fine, space, k, split, seed, json, scoreName)
                : Runner(context, p, o, baseSettings, FitCore.LoadData<double>(baseSettings), rates, fine, space, k, split, seed, json, scoreName);
            return Tracked(context, p, o, "sweep fit " + (p.GetValue(data) ?? "reference"), sweepSettings, run);
        });
        return c;
    }

    private static Func<Action<double, double>, int> Runner<T>(CliContext context, ParseResult p, SweepOptions o, FitSettings baseSettings, LoadedData<T> loaded,
        double[] rates, int? fine, SearchSpace? space, int? k, double split, int seed, bool json, string scoreName) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        if (k > loaded.Train.Count)
            throw new UsageException($"--folds {k}: k-fold cross-validation needs at least one row per fold, and the data has {loaded.Train.Count} rows; use --folds 2 to {loaded.Train.Count}.");
        int done = 0;
        (double Score, string Note) Trial(FitSettings settings, int total, string label, Action<double, double> log)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (score, note) = FitTrial(context, settings, loaded, k, split, seed);
            double lr = FitCore.LearningRateOf(settings);
            log(lr, score);
            done++;
            if (context.Live || !json)
                context.Error.WriteLine($"trial {done.ToString(CultureInfo.InvariantCulture).PadLeft(total.ToString(CultureInfo.InvariantCulture).Length)}/{total}  {label,-11}  score {Points.Show(score),-11}  {note,-8}  {EpochLog.Duration(clock.Elapsed.TotalSeconds)}");
            return (score, note);
        }
        if (space is not null)
            return log => SearchSettings.Run(context, json, scoreName, space, p.GetValue(o.Random), seed, p.GetValue(o.Plot),
                (point, total) => Trial(SearchSettings.Apply(baseSettings, point), total, point.ToString(), log));
        if (fine is int n)
            return log =>
            {
                var (low, high) = Range(p.GetValue(o.Range));
                int total = LearningRateSweep.Decades(low, high).Count + n;
                var (ranked, phases) = TwoPhase(p, o, n, context.Cancellation, lr => Trial(baseSettings with { LearningRate = lr }, total, "lr " + Points.Show(lr), log));
                return Report(context, json, scoreName, ranked, p.GetValue(o.Plot), phases);
            };
        return log => Report(context, json, scoreName, rates.Select(lr =>
        {
            var (score, note) = Trial(baseSettings with { LearningRate = lr }, rates.Length, "lr " + Points.Show(lr), log);
            return (lr, score, note);
        }).ToList(), p.GetValue(o.Plot));
    }

    /// <summary>One training run of a sweep: its score (NaN when it diverged) and status.</summary>
    private static (double Score, string Note) FitTrial<T>(CliContext context, FitSettings settings, LoadedData<T> loaded, int? k, double split, int seed)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        if (k is int kk)
        {
            string foldNote = "ok";
            double mean = CrossValidation.Score(loaded.Train, kk, stratified: false, seed, (train, validation) =>
            {
                var outcome = FitCore.Train(settings, loaded, context.Cancellation, null, validation, train);
                bool diverged = outcome.History.StopReason!.Kind == StopKind.Diverged;
                if (diverged) foldNote = "diverged";
                return diverged ? double.NaN : outcome.Metrics["val_loss"];
            }).Mean;
            return (mean, foldNote);
        }
        var result = FitCore.Train(settings with { ValSplit = split }, loaded, context.Cancellation);
        bool bad = result.History.StopReason!.Kind == StopKind.Diverged;
        return (bad ? double.NaN : result.Metrics.GetValueOrDefault("val_loss", result.Metrics["train_loss"]), bad ? "diverged" : "ok");
    }

    private static int Report(CliContext context, bool json, string scoreName, List<(double Lr, double Score, string Note)> trials, string? plot, string[]? phases = null)
    {
        var finite = trials.Where(t => double.IsFinite(t.Score)).ToList();
        (double Lr, double Score, string Note)? best = finite.Count == 0 ? null : finite.MinBy(t => t.Score);
        var byRate = trials.OrderBy(t => t.Lr).ToArray();
        if (plot is not null) Figures.Save(Figures.SweepScores(byRate.Select(t => t.Lr).ToArray(), byRate.Select(t => t.Score).ToArray(), "Learning-rate sweep", scoreName), plot);
        if (json)
        {
            Json.Write(context.Output, new JsonObject
            {
                ["score"] = scoreName,
                ["trials"] = new JsonArray(trials.Select((t, i) => (JsonNode)new JsonObject { ["learning_rate"] = Json.Number(t.Lr), ["score"] = Json.Number(t.Score), ["status"] = t.Note }
                    .With("phase", phases?[i])).ToArray()),
                ["best"] = best is { } b ? new JsonObject { ["learning_rate"] = Json.Number(b.Lr), ["score"] = Json.Number(b.Score) } : null,
            });
        }
        else
        {
            if (phases is null) Human.Table(context.Output, ["learning rate", scoreName, "status"], trials.Select(t => new[] { Points.Show(t.Lr), Points.Show(t.Score), t.Note }));
            else Human.Table(context.Output, ["rank", "learning rate", scoreName, "phase", "status"],
                trials.Select((t, i) => new[] { (i + 1).ToString(CultureInfo.InvariantCulture), Points.Show(t.Lr), Points.Show(t.Score), phases[i], t.Note }));
            context.Output.WriteLine(best is { } b ? $"best: learning rate {Points.Show(b.Lr)} ({scoreName} {Points.Show(b.Score)})" : "no trial finished with a finite score");
            if (plot is not null) context.Output.WriteLine($"figure written to {plot}");
        }
        return best is null ? ExitCodes.Diverged : ExitCodes.Ok;
    }
}
