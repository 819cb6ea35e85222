using System.CommandLine;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Differentiation.Expressions;
using Descent.Optimization.Minimization;
using Descent.Plotting;
using Descent.Tracking;

namespace Descent.Cli.Commands;

/// <summary><c>descent minimize EXPR --start w1=2,w2=4 …</c>: the trajectory and the final point.</summary>
public static class MinimizeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var expr = new Argument<string>("EXPR") { Description = "The function to minimize, e.g. \"w1^2 + 10*w2^2\"." };
        var start = Options.Text("--start", "The starting point, e.g. w1=2,w2=4 (required).");
        var optimizer = Options.Text("--optimizer", "gd | momentum | nesterov | adagrad | rmsprop | adam | adamw | lion | lbfgs | cg | newton | random-search | genetic | nelder-mead (default gd).");
        var lr = Options.Number("--lr", "Learning rate (default 0.1).");
        var steps = Options.Whole("--steps", "Updates to make (default 100, or no cap when --stop evaluations:N is given); the trajectory has steps + 1 entries.");
        var schedule = Options.Text("--schedule", "Learning-rate schedule, e.g. step:factor=0.5,every=1000.");
        var stop = Options.Many("--stop", "Extra stopping rule (repeatable), e.g. grad-below:1e-8 or plateau:window=50,slope=1e-6.");
        var seed = Options.Whole("--seed", "Random seed (gradient-free methods, multi-start).");
        var maximize = Options.Flag("--maximize", "Maximize instead.");
        var starts = Options.Whole("--starts", "Run from K starts drawn in the box start ± (|start| + 1) and keep the best.");
        var plot = Options.Text("--plot", "Draw the descent (1 or 2 variables) to this .png or .svg.");
        var logEvery = Options.Whole("--log-every", "Keep every Nth step in the trajectory (first and last always).");
        var track = RunFiles.Option("Record the run in this SQLite runs file (default descent-runs.db): each trajectory point as the step metric 'value'.");
        var gradients = new GradientFlags();
        var command = new Command("minimize", "Minimize a function of a few variables and print the trajectory.")
        {
            expr, start, optimizer, lr, steps, schedule, stop, seed, maximize, starts, plot, logEvery, track,
        };
        gradients.AddTo(command);
        var labels = RunLabels.AddTo(command);
        command.SetAction(p =>
        {
            var e = ExpressionInput.Parse(p.GetValue(expr)!);
            var point = ExpressionInput.Point(e, "--start", p.GetValue(start) ?? throw new UsageException("--start is required, e.g. --start " + string.Join(",", e.Variables.Select(v => v + "=1")) + "."));
            int every = p.GetValue(logEvery) ?? 1;
            if (every < 1) throw new UsageException("--log-every must be at least 1.");
            var settings = new MinimizeSettings
            {
                Optimizer = p.GetValue(optimizer) ?? "gd",
                LearningRate = p.GetValue(lr) ?? 0.1,
                Steps = p.GetValue(steps) ?? MinimizeCore.DefaultSteps(p.GetValue(stop)),
                Schedule = p.GetValue(schedule),
                Stops = p.GetValue(stop),
                Seed = p.GetValue(seed) ?? 0,
                Maximize = p.GetValue(maximize),
                LogEvery = every,
                Gradients = gradients.Read(p),
            };
            var names = point.Select(q => q.Key).ToArray();
            var x0 = point.Select(q => q.Value).ToArray();
            // Checked before anything is recorded; random --starts outside f's domain just lose (they diverge at once).
            MinimizeCore.CheckStart(e, names, x0);
            MinimizeResult result;
            MultiStartResult? multi = null;
            int? startCount = p.GetValue(starts);
            if (startCount is < 1 or > MaxStarts) throw new UsageException($"--starts {startCount}: use 1 to {MaxStarts} starts.");
            string? trackPath = RunFiles.PathOf(p, track);
            var (label, tags) = labels.Read(p, trackPath is not null, "--track");
            OutputFiles.Figure("--plot", p.GetValue(plot));
            if (p.GetValue(plot) is not null && names.Length > 2)
                throw new UsageException($"--plot draws functions of 1 or 2 variables; this one has {names.Length} ({string.Join(", ", names)}).");
            OutputFiles.Check([new("--plot", p.GetValue(plot)), new("--track", trackPath)], []);
            using var store = trackPath is null ? null : RunFiles.OpenForWriting(trackPath);
            using var writer = store?.StartRun(new RunStart
            {
                Command = RunFiles.CommandLine(context.Arguments),
                Name = label ?? "minimize " + e,
                Settings = RunLabels.WithTags(new JsonObject().With("expression", e.ToString()).With("start", p.GetValue(start)).With("optimizer", settings.Optimizer)
                    .With("lr", settings.LearningRate).With("steps", settings.Steps).With("schedule", settings.Schedule).With("stop", settings.Stops)
                    .With("maximize", settings.Maximize).With("starts", startCount).With("log_every", every), tags),
                Seed = settings.Seed,
            });
            try
            {
                if (startCount is int k)
                {
                    multi = MultiStart.Run(x => MinimizeCore.Run(e, names, x, settings, context.Cancellation, checkStart: false),
                        x0.Select(v => v - Math.Abs(v) - 1).ToArray(), x0.Select(v => v + Math.Abs(v) + 1).ToArray(), k, settings.Seed, maximize: settings.Maximize, maxDegreeOfParallelism: 1);
                    result = multi.Best;
                }
                else result = MinimizeCore.Run(e, names, x0, settings, context.Cancellation);
            }
            catch (Exception error) when (writer is not null)
            {
                RunFiles.FinishWithError(writer, error);
                throw;
            }
            if (writer is not null) Record(writer, result);

            string? plotPath = p.GetValue(plot);
            if (plotPath is not null) Plot(e, result, plotPath);
            if (p.GetValue(Root.Json)) Json.Write(context.Output, ToJson(e, result, multi));
            else PrintHuman(context.Output, e, result, multi, plotPath);
            if (writer is not null) (p.GetValue(Root.Json) ? context.Error : context.Output).WriteLine(RunFiles.Recorded(writer.RunId, trackPath!));
            return result.StopReason.Kind == Descent.Optimization.Stopping.StopKind.Cancelled ? ExitCodes.Interrupted
                : result.Diverged || result.Behaviour == Behaviour.Diverged ? ExitCodes.Diverged : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The most starts <c>--starts</c> accepts (each is a whole minimization).</summary>
    public const int MaxStarts = 10_000;

    /// <summary>
    /// Writes a minimization into its run: every recorded trajectory point as the step metrics <c>value</c> and
    /// <c>gradient_norm</c> (epoch 1), the final value as the epoch metric <c>value</c>, then the status.
    /// </summary>
    private static void Record(RunWriter writer, MinimizeResult r)
    {
        foreach (var t in r.Trajectory)
        {
            writer.LogStep(t.Step, 1, "value", t.Value);
            writer.LogStep(t.Step, 1, "gradient_norm", t.GradientNorm);
        }
        writer.EndEpoch(1, [new("value", r.Value), new("gradient_norm", r.Trajectory.Count > 0 ? r.Trajectory[^1].GradientNorm : double.NaN)]);
        var status = r.StopReason.Kind == Descent.Optimization.Stopping.StopKind.Cancelled ? RunStatus.Stopped
            : r.Diverged || r.Behaviour == Behaviour.Diverged ? RunStatus.Diverged : RunStatus.Finished;
        writer.Finish(status, r.Behaviour is Behaviour.Diverged or Behaviour.Oscillating or Behaviour.Stalled ? $"{MinimizeCore.StopName(r)}: {r.StopReason.Message}" : r.StopReason.Message);
    }

    internal static JsonObject ToJson(Expr e, MinimizeResult r, MultiStartResult? multi)
    {
        var trajectory = new JsonArray();
        foreach (var t in r.Trajectory)
            trajectory.Add((JsonNode)new JsonObject
            {
                ["step"] = t.Step,
                ["point"] = Json.Object(r.Names.Zip(t.Point, KeyValuePair.Create)),
                ["value"] = Json.Number(t.Value),
                ["gradient_norm"] = Json.Number(t.GradientNorm),
            });
        var o = new JsonObject
        {
            ["expression"] = e.ToString(),
            ["optimizer"] = r.Method,
            ["trajectory"] = trajectory,
            ["final"] = new JsonObject { ["point"] = Json.Object(r.Names.Zip(r.Point, KeyValuePair.Create)), ["value"] = Json.Number(r.Value) },
            ["stop_reason"] = MinimizeCore.StopName(r),
            ["stop_message"] = r.StopReason.Message,
            ["behaviour"] = r.Behaviour.ToString().ToLowerInvariant(),
            ["evaluations"] = new JsonObject { ["function"] = r.FunctionEvaluations, ["gradient"] = r.GradientEvaluations },
        };
        if (multi is not null)
        {
            o["starts"] = multi.Runs.Count;
            o["minima"] = new JsonArray(multi.Minima.Select(m => (JsonNode)new JsonObject
            {
                ["point"] = Json.Object(r.Names.Zip(m.Point, KeyValuePair.Create)),
                ["value"] = Json.Number(m.Value),
                ["count"] = m.Count,
            }).ToArray());
        }
        return o;
    }

    private static void PrintHuman(TextWriter w, Expr e, MinimizeResult r, MultiStartResult? multi, string? plotPath)
    {
        w.WriteLine($"minimize f = {e} with {r.Method}");
        var rows = r.Trajectory.Count <= 24 ? r.Trajectory : [.. r.Trajectory.Take(10), .. r.Trajectory.TakeLast(10)];
        Human.Table(w, ["step", .. r.Names, "f", "‖∇f‖"],
            rows.Select(t => (string[])[t.Step.ToString(System.Globalization.CultureInfo.InvariantCulture), .. t.Point.Select(Points.Show), Points.Show(t.Value), Points.Show(t.GradientNorm)]));
        if (rows.Count < r.Trajectory.Count) w.WriteLine($"({r.Trajectory.Count - rows.Count} recorded steps not shown; use --json for all)");
        w.WriteLine($"final: {string.Join(", ", r.Names.Zip(r.Point, (n, v) => $"{n} = {Points.Show(v)}"))}, f = {Points.Show(r.Value)}");
        string name = MinimizeCore.StopName(r);
        w.WriteLine($"stopped: {name} ({r.StopReason.Message})");
        if (r.Behaviour == Behaviour.Stalled)
            w.WriteLine("no progress: neither f nor the point moved; the steps are too small (raise --lr) or the start is a flat point.");
        w.WriteLine($"evaluations: {r.FunctionEvaluations} function, {r.GradientEvaluations} gradient");
        if (multi is not null)
        {
            w.WriteLine($"best of {multi.Runs.Count} starts; {multi.Minima.Count} distinct minima found{(multi.Minima.Count > 1 ? " (best first)" : "")}:");
            Human.Table(w, [.. r.Names, "f", "starts"],
                multi.Minima.Select(m => (string[])[.. m.Point.Select(Points.Show), Points.Show(m.Value), m.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        }
        if (plotPath is not null) w.WriteLine($"figure written to {plotPath}");
    }

    private static void Plot(Expr e, MinimizeResult r, string path)
    {
        var names = r.Names;
        double F(params double[] v) => e.Evaluate(names.Zip(v).ToDictionary(t => t.First, t => t.Second, StringComparer.Ordinal));
        if (names.Count == 1)
            Figures.Save(Figures.FunctionWithDescent(x => F(x), r.Trajectory.Select(t => t.Point[0]).ToArray(), $"{r.Method} on f = {e}", names[0], "f"), path);
        else if (names.Count == 2)
            Figures.Save(Figures.ContourWithTrajectory((x, y) => F(x, y), r.Trajectory.Select(t => (t.Point[0], t.Point[1])).ToArray(), $"{r.Method} on f = {e}", names[0], names[1]), path);
        else throw new UsageException($"--plot draws functions of 1 or 2 variables; this one has {names.Count}.");
    }
}
