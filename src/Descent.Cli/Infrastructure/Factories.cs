using Descent.Optimization;
using Descent.Optimization.Stopping;
using Descent.Optimization.Transforms;

namespace Descent.Cli.Infrastructure;

/// <summary>Turns the settings grammar into the library's optimizers, schedules and stopping rules.</summary>
public static class Factories
{
    /// <summary>Optimizers built from gradient transforms (usable by <c>minimize</c> and <c>fit</c>).</summary>
    public static readonly string[] TransformOptimizers = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "lion"];

    /// <summary>Whole-method minimizers (only for <c>minimize</c>).</summary>
    public static readonly string[] MethodOptimizers = ["lbfgs", "cg", "newton", "random-search", "genetic", "nelder-mead"];

    /// <summary>The schedules the grammar knows.</summary>
    public static readonly string[] ScheduleNames = ["constant", "step", "multistep", "exponential", "cosine", "cosine-restarts", "polynomial", "warmup", "onecycle", "plateau"];

    /// <summary>The stopping rules the grammar knows.</summary>
    public static readonly string[] StopNames = ["max-steps", "loss-below", "grad-below", "step-below", "plateau", "patience", "time", "evaluations"];

    /// <summary>The largest step count a schedule or stopping rule accepts (about 4.6e18).</summary>
    private const long MaxCount = long.MaxValue / 2;

    /// <summary>The largest plateau window: the rule keeps that many recent losses.</summary>
    public const int MaxWindow = 1_000_000;

    /// <summary>The largest time budget, in seconds (about 31 years).</summary>
    private const double MaxSeconds = 1e9;

    private static double RequiredInRange(Setting s, string key, double min, double max)
    {
        double v = s.RequiredNumber(key, positional: true);
        if (!(v > min && v <= max)) throw new UsageException($"{s.Option} '{s.Text}': {key} must be above {Points.Show(min)} and at most {Points.Show(max)}, not {Points.Show(v)}.");
        return v;
    }

    /// <summary>Runs a library constructor; its out-of-range message is shown with the option and the text given.</summary>
    private static TResult Library<TResult>(Setting s, Func<TResult> build)
    {
        try { return build(); }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            throw new UsageException($"{s.Option} '{s.Text}': {Errors.LibraryMessage(e)}");
        }
    }

    /// <summary>A learning-rate schedule from <c>--schedule</c>, starting at <paramref name="learningRate"/> (any but plateau, which needs epochs).</summary>
    public static Schedule Schedule(string? text, double learningRate) => Schedule(text, learningRate, allowPlateau: false, out _);

    /// <summary>
    /// The rule of <c>--schedule plateau</c> (ReduceOnPlateau's arguments, checked), made into the optimizer's last link by
    /// <see cref="WithPlateau{T}"/>: the trainer feeds it each epoch's validation (else training) loss.
    /// </summary>
    public sealed record PlateauRule(double LearningRate, double Factor, int Patience, double Threshold, int Cooldown, double Min);

    /// <summary>
    /// A learning-rate schedule from <c>--schedule</c>; for <c>plateau</c> (allowed when <paramref name="allowPlateau"/>)
    /// the schedule is the constant starting rate and <paramref name="plateau"/> the rule the caller puts in the
    /// optimizer with <see cref="WithPlateau{T}"/>.
    /// </summary>
    public static Schedule Schedule(string? text, double learningRate, bool allowPlateau, out PlateauRule? plateau)
    {
        plateau = null;
        if (text is null) return Schedules.Constant(learningRate);
        var s = Setting.Parse("--schedule", text);
        Schedule result;
        string[] keys;
        switch (s.Name)
        {
            case "constant": result = Schedules.Constant(learningRate); keys = []; break;
            case "step":
                result = Schedules.StepDecay(learningRate, s.RequiredInteger("every", 1, MaxCount), s.Number("factor", 0.1, 0, 1, minExclusive: true));
                keys = ["every", "factor"]; break;
            case "multistep":
                var milestones = Milestones(s);
                result = Library(s, () => Schedules.MultiStep(learningRate, milestones, s.Number("factor", 0.1, 0, 1, minExclusive: true)));
                keys = ["at", "factor"]; break;
            case "cosine-restarts":
                result = Library(s, () => Schedules.CosineWarmRestarts(learningRate, s.RequiredInteger("period", 1, MaxCount, positional: true), s.Integer("mult", 1, 1, 1_000_000), s.Number("floor", 0)));
                keys = ["period", "mult", "floor"]; break;
            case "plateau":
                if (!allowPlateau)
                    throw new UsageException($"--schedule '{text}': plateau lowers the rate when the epoch loss stops improving, so only fit (which has epochs) takes it; use step, multistep, cosine or another schedule here.");
                var rule = new PlateauRule(learningRate, s.Number("factor", 0.1), (int)s.Integer("patience", 10, 0, int.MaxValue),
                    s.Number("threshold", 1e-4), (int)s.Integer("cooldown", 0, 0, int.MaxValue), s.Number("min", 0));
                _ = Library(s, () => new ReduceOnPlateau(rule.LearningRate, factor: rule.Factor, patience: rule.Patience, threshold: rule.Threshold,
                    cooldown: rule.Cooldown, minLearningRate: rule.Min)); // a bad value is a usage error naming the option
                plateau = rule;
                result = Schedules.Constant(learningRate);
                keys = ["factor", "patience", "threshold", "cooldown", "min"]; break;
            case "exponential": result = Library(s, () => Schedules.Exponential(learningRate, s.RequiredNumber("gamma", positional: true))); keys = ["gamma"]; break;
            case "cosine": result = Library(s, () => Schedules.Cosine(learningRate, s.RequiredInteger("steps", 1, MaxCount, positional: true), s.Number("floor", 0))); keys = ["steps", "floor"]; break;
            case "polynomial":
                result = Library(s, () => Schedules.Polynomial(learningRate, s.Number("final", 0), s.RequiredInteger("steps", 1, MaxCount), s.Number("power", 1)));
                keys = ["final", "steps", "power"]; break;
            case "warmup": result = Library(s, () => Schedules.LinearWarmup(s.RequiredInteger("steps", 1, MaxCount, positional: true), Schedules.Constant(learningRate))); keys = ["steps"]; break;
            case "onecycle": result = Library(s, () => Schedules.OneCycle(learningRate, s.RequiredInteger("steps", 1, MaxCount, positional: true))); keys = ["steps"]; break;
            default: throw new UsageException($"--schedule '{text}': unknown schedule '{s.Name}'; use one of {string.Join(", ", ScheduleNames)} (e.g. step:factor=0.5,every=1000).");
        }
        s.RejectUnknown(keys);
        return result;
    }

    /// <summary>multistep's <c>at</c>: the steps where the rate drops, separated by '/', e.g. <c>multistep:at=1000/3000</c>.</summary>
    private static long[] Milestones(Setting s)
    {
        string raw = s.RequiredText("at", positional: true);
        var parts = raw.Split('/', StringSplitOptions.TrimEntries);
        var result = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out result[i]) || result[i] < 1 || result[i] > MaxCount)
                throw new UsageException($"{s.Option} '{s.Text}': at must list whole step counts ≥ 1 separated by '/', e.g. multistep:at=1000/3000,factor=0.1; '{parts[i]}' is not one.");
            if (i > 0 && result[i] <= result[i - 1])
                throw new UsageException($"{s.Option} '{s.Text}': the steps in at must increase, e.g. multistep:at=1000/3000.");
        }
        return result;
    }

    /// <summary>
    /// What wraps the optimizer (<c>--clip-value</c>, <c>--clip-norm</c>, <c>--accumulate</c>, <c>--skip-nonfinite</c>):
    /// non-finite gradients are skipped first (the step changes nothing and no state sees them), then k gradients are
    /// averaged, then the mean is clipped by value and by global norm, then the optimizer runs.
    /// </summary>
    public sealed record GradientOptions(double? ClipValue = null, double? ClipNorm = null, int? Accumulate = null, bool SkipNonFinite = false)
    {
        /// <summary>Whether any option is set.</summary>
        public bool Any => ClipValue is not null || ClipNorm is not null || Accumulate is not null || SkipNonFinite;

        /// <summary>The options as the settings of a run record them (null when none is set).</summary>
        public string? Describe() => !Any ? null : string.Join(" ", new[]
        {
            ClipValue is { } v ? $"--clip-value {Points.Show(v)}" : null,
            ClipNorm is { } n ? $"--clip-norm {Points.Show(n)}" : null,
            Accumulate is { } k ? $"--accumulate {k}" : null,
            SkipNonFinite ? "--skip-nonfinite" : null,
        }.Where(t => t is not null));
    }

    /// <summary>
    /// The optimizer with its last link, the learning rate, replaced by a <see cref="ScaleByPlateau{T}"/> following
    /// <paramref name="rule"/> (no rule: the optimizer unchanged). Its state is the optimizer's, so checkpoints hold it.
    /// </summary>
    public static IGradientTransform<T> WithPlateau<T>(IGradientTransform<T> optimizer, PlateauRule? rule) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        if (rule is null) return optimizer;
        if (optimizer is not Chain<T> chain || chain.Inner.Count == 0 || chain.Inner[^1] is not ScaleByLearningRate<T>)
            throw new InvalidOperationException("--schedule plateau: the optimizer does not end in a learning-rate link.");
        var links = chain.Inner.ToArray();
        links[^1] = new ScaleByPlateau<T>(rule.LearningRate, factor: rule.Factor, patience: rule.Patience, threshold: rule.Threshold, cooldown: rule.Cooldown, minLearningRate: rule.Min);
        return Transform.Chain(links);
    }

    /// <summary>The optimizer wrapped as <paramref name="options"/> say; each bad value is a usage error naming its option.</summary>
    public static IGradientTransform<T> Wrap<T>(IGradientTransform<T> optimizer, GradientOptions options) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ClipValue is { } v && !(v > 0 && double.IsFinite(v))) throw new UsageException($"--clip-value must be a positive finite number (the largest |gradient element| kept), e.g. --clip-value 1; not {Points.Show(v)}.");
        if (options.ClipNorm is { } n && !(n > 0 && double.IsFinite(n))) throw new UsageException($"--clip-norm must be a positive finite number (the largest global gradient norm kept), e.g. --clip-norm 1; not {Points.Show(n)}.");
        if (options.Accumulate is { } k && k < 1) throw new UsageException($"--accumulate must be a whole number ≥ 1 (the batches whose mean gradient makes one update), e.g. --accumulate 4; not {k}.");
        var chain = new List<IGradientTransform<T>>();
        if (options.ClipValue is { } clipValue) chain.Add(new Descent.Optimization.Transforms.ClipByValue<T>(clipValue));
        if (options.ClipNorm is { } clipNorm) chain.Add(new Descent.Optimization.Transforms.ClipByGlobalNorm<T>(clipNorm));
        chain.Add(optimizer);
        IGradientTransform<T> result = chain.Count == 1 ? optimizer : Descent.Optimization.Transforms.Transform.Chain([.. chain]);
        if (options.Accumulate is int steps and > 1) result = new Descent.Optimization.Transforms.AccumulateGradients<T>(steps, result);
        if (options.SkipNonFinite) result = new Descent.Optimization.Transforms.SkipNonFinite<T>(result);
        return result;
    }

    /// <summary>A gradient-transform optimizer from <c>--optimizer</c>.</summary>
    public static IGradientTransform<T> Optimizer<T>(Setting s, Schedule lr, bool allowMethods) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        IGradientTransform<T> result = null!;
        string[] keys = [];
        Library(s, () => Build());
        s.RejectUnknown(keys);
        return result;

        // The library checks every hyperparameter (beta1 in [0, 1), …); its message is shown with the option and the text.
        int Build()
        {
            switch (s.Name)
            {
                case "gd" or "sgd": result = Optimizers.GradientDescent<T>(lr); keys = []; break;
                case "momentum": result = Optimizers.Sgd<T>(lr, s.Number("beta", 0.9)); keys = ["beta"]; break;
                case "nesterov": result = Optimizers.Sgd<T>(lr, s.Number("beta", 0.9), nesterov: true); keys = ["beta"]; break;
                case "adagrad": result = Optimizers.AdaGrad<T>(lr, s.Number("epsilon", 1e-10)); keys = ["epsilon"]; break;
                case "rmsprop": result = Optimizers.RmsProp<T>(lr, s.Number("alpha", 0.99), s.Number("epsilon", 1e-8)); keys = ["alpha", "epsilon"]; break;
                case "adam": result = Optimizers.Adam<T>(lr, s.Number("beta1", 0.9), s.Number("beta2", 0.999), s.Number("epsilon", 1e-8), s.Flag("amsgrad", false)); keys = ["beta1", "beta2", "epsilon", "amsgrad"]; break;
                case "adamw":
                    result = Optimizers.AdamW<T>(lr, s.Number("beta1", 0.9), s.Number("beta2", 0.999), s.Number("epsilon", 1e-8), s.Number("weight-decay", 0.01), s.Flag("amsgrad", false));
                    keys = ["beta1", "beta2", "epsilon", "weight-decay", "amsgrad"]; break;
                case "lion": result = Optimizers.Lion<T>(lr, s.Number("beta1", 0.9), s.Number("beta2", 0.99)); keys = ["beta1", "beta2"]; break;
                default:
                    var known = allowMethods ? TransformOptimizers.Concat(MethodOptimizers) : TransformOptimizers;
                    throw new UsageException($"--optimizer '{s.Text}': unknown optimizer '{s.Name}'; use one of {string.Join(", ", known)}.");
            }
            return 0;
        }
    }

    /// <summary>The stopping rules from every <c>--stop</c>, or null when none was given.</summary>
    public static IStoppingRule? Stops(IReadOnlyList<string>? texts)
    {
        if (texts is null || texts.Count == 0) return null;
        var rules = texts.Select(Stop).ToArray();
        return rules.Length == 1 ? rules[0] : new AnyOf(rules);
    }

    private static IStoppingRule Stop(string text)
    {
        var s = Setting.Parse("--stop", text);
        IStoppingRule rule;
        string[] keys;
        switch (s.Name)
        {
            case "max-steps" or "max-epochs": rule = new MaxSteps(s.RequiredInteger("steps", 0, long.MaxValue / 2, positional: true)); keys = ["steps"]; break;
            case "loss-below": rule = Library(s, () => new LossBelow(s.RequiredNumber("loss", positional: true))); keys = ["loss"]; break;
            case "grad-below" or "gradient-norm-below": rule = Library(s, () => new GradientNormBelow(s.RequiredNumber("norm", positional: true))); keys = ["norm"]; break;
            case "step-below": rule = Library(s, () => new StepBelow(s.RequiredNumber("norm", positional: true))); keys = ["norm"]; break;
            case "plateau": rule = Library(s, () => new Plateau(s.Number("slope", 1e-6, 0, double.MaxValue, minExclusive: true, positional: true), (int)s.Integer("window", 50, 2, MaxWindow))); keys = ["slope", "window"]; break;
            case "patience": rule = Library(s, () => new Patience((int)s.RequiredInteger("epochs", 1, int.MaxValue, positional: true), minDelta: s.Number("min-delta", 0, 0, double.MaxValue))); keys = ["epochs", "min-delta"]; break;
            case "time": rule = new TimeBudget(TimeSpan.FromSeconds(RequiredInRange(s, "seconds", 0, MaxSeconds))); keys = ["seconds"]; break;
            case "evaluations": rule = new EvaluationBudget(s.RequiredInteger("count", 1, long.MaxValue / 2, positional: true)); keys = ["count"]; break;
            default: throw new UsageException($"--stop '{text}': unknown rule '{s.Name}'; use one of {string.Join(", ", StopNames)} (e.g. plateau:window=50,slope=1e-6 or max-steps:10000).");
        }
        s.RejectUnknown(keys);
        return rule;
    }
}
