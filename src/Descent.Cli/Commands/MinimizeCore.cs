using Descent.Cli.Infrastructure;
using Descent.Differentiation;
using Descent.Differentiation.Expressions;
using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

namespace Descent.Cli.Commands;

/// <summary>Everything <c>minimize</c> (and <c>sweep minimize</c>) is told.</summary>
internal sealed record MinimizeSettings
{
    public string Optimizer { get; init; } = "gd";
    public double LearningRate { get; init; } = 0.1;
    public long Steps { get; init; } = 100;
    public string? Schedule { get; init; }
    public string[]? Stops { get; init; }
    public int Seed { get; init; }
    public bool Maximize { get; init; }
    public int LogEvery { get; init; } = 1;
    /// <summary><c>--clip-value</c>, <c>--clip-norm</c>, <c>--accumulate</c>, <c>--skip-nonfinite</c> (gradient optimizers only).</summary>
    public Factories.GradientOptions Gradients { get; init; } = new();
}

/// <summary>Runs one minimization of an expression with the library's minimizers.</summary>
internal static class MinimizeCore
{
    public static MinimizeResult Run(Expr e, IReadOnlyList<KeyValuePair<string, double>> start, MinimizeSettings s, CancellationToken cancellation)
        => Run(e, start.Select(p => p.Key).ToArray(), start.Select(p => p.Value).ToArray(), s, cancellation);

    /// <summary>Runs one minimization; <paramref name="checkStart"/>: first require f to be finite at the start (see <see cref="CheckStart"/>).</summary>
    public static MinimizeResult Run(Expr e, string[] names, double[] start, MinimizeSettings s, CancellationToken cancellation, bool checkStart = true)
    {
        if (names.Length == 0) throw new UsageException("--start: give at least one variable, e.g. --start w=10.");
        if (s.Steps < 0) throw new UsageException("--steps must be 0 or more.");
        if (!(s.LearningRate > 0)) throw new UsageException($"--lr must be positive, not {s.LearningRate}.");
        if (checkStart) CheckStart(e, names, start);
        var f = TensorBackend.ToFunction(e, names);
        var setting = Setting.Parse("--optimizer", s.Optimizer);
        var userStops = Factories.Stops(s.Stops);
        IStoppingRule stop = userStops is null ? new MaxSteps(s.Steps) : new AnyOf(new MaxSteps(s.Steps), userStops);
        if (s.Gradients.Any && Factories.MethodOptimizers.Contains(setting.Name))
            throw new UsageException($"--optimizer {setting.Name} is a whole method, not a gradient transform: --clip-value, --clip-norm, --accumulate and --skip-nonfinite wrap gradient optimizers (gd, momentum, adam, …); drop them or choose one of those.");
        var options = new MinimizeOptions { Maximize = s.Maximize, LogEvery = s.LogEvery, Names = names, Cancellation = cancellation, Method = setting.Name };
        switch (setting.Name)
        {
            case "lbfgs": setting.RejectUnknown(); return Lbfgs.Minimize(f, start, WithGradientTolerance(stop), options);
            case "cg": setting.RejectUnknown(); return ConjugateGradient.Minimize(f, start, WithGradientTolerance(stop), options);
            case "newton": setting.RejectUnknown(); return Newton.Minimize(f, start, WithGradientTolerance(stop), options);
            case "random-search":
                double radius = setting.Number("radius", 1, 0, double.MaxValue, minExclusive: true);
                setting.RejectUnknown("radius");
                return RandomSearch.Minimize(f, start, stop, options, radius: radius, seed: s.Seed);
            case "genetic": setting.RejectUnknown(); return GeneticAlgorithm.Minimize(f, start, stop, options, new GeneticAlgorithmSettings { Seed = s.Seed });
            case "nelder-mead": setting.RejectUnknown(); return NelderMead.Minimize(f, start, stop, options);
            default:
                var optimizer = Factories.Wrap(Factories.Optimizer<double>(setting, Factories.Schedule(s.Schedule, s.LearningRate), allowMethods: true), s.Gradients);
                return Minimizer.Minimize(f, start, optimizer, stop, options);
        }
    }

    /// <summary>
    /// A constant has nothing to minimize, and a start where f is NaN or infinite (log(w) at w = −1) is outside the
    /// function's domain: both are input errors (exit 3) with the reason, not an internal error or "diverged at step 0".
    /// </summary>
    public static void CheckStart(Expr e, string[] names, double[] start)
    {
        if (e.Variables.Count == 0)
            throw new InputException($"'{e}' has no variables: it is a constant, so there is nothing to minimize; write a function of the --start variables, e.g. {(names.Length > 0 ? names[0] : "w")}^2.");
        double atStart = e.Evaluate(names.Zip(start).ToDictionary(t => t.First, t => t.Second, StringComparer.Ordinal));
        if (!double.IsFinite(atStart))
            throw new InputException($"f = {e} is {(double.IsNaN(atStart) ? "undefined (NaN)" : Points.Show(atStart))} at the start point {string.Join(",", names.Zip(start, (n, v) => $"{n}={Points.Show(v)}"))}; "
                + "give a --start inside the function's domain (e.g. log and sqrt need positive arguments).");
    }

    /// <summary>
    /// The step cap when <c>--steps</c> is not given: 100, except that an evaluation budget (<c>--stop evaluations:N</c>)
    /// alone bounds the run, so a gradient-free method gets exactly its N evaluations.
    /// </summary>
    public static long DefaultSteps(IReadOnlyList<string>? stops)
        => stops is not null && stops.Any(t => Setting.Parse("--stop", t).Name == "evaluations") ? long.MaxValue / 2 : 100;

    private static IStoppingRule WithGradientTolerance(IStoppingRule stop) => new AnyOf(stop, new GradientNormBelow(1e-9));

    /// <summary>The stop reason as scripts read it: oscillating and diverged come from the run's behaviour.</summary>
    public static string StopName(MinimizeResult r) => r.Behaviour switch
    {
        Behaviour.Diverged => "diverged",
        Behaviour.Oscillating => "oscillating",
        Behaviour.Stalled => "stalled",
        _ => Human.StopName(r.StopReason.Kind),
    };
}
