using Descent.Learning.Data;
using System.Numerics;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;

namespace Descent.Learning.Tuning;

/// <summary>Settings of a <see cref="LearningRateFinder"/> run.</summary>
public sealed record LearningRateFinderOptions
{
    /// <summary>The first learning rate (default 1e-7); positive.</summary>
    public double Min { get; init; } = 1e-7;

    /// <summary>The last learning rate (default 10); above <see cref="Min"/>.</summary>
    public double Max { get; init; } = 10;

    /// <summary>
    /// The number of steps; null (the default) means one pass over the data — one step per batch of an epoch — but at
    /// least 50, continuing into the next epoch when an epoch has fewer batches.
    /// </summary>
    public int? Steps { get; init; }

    /// <summary>The exponential smoothing β of the plotted loss, s ← β·s + (1 − β)·loss, bias-corrected (default 0.9).</summary>
    public double Smoothing { get; init; } = 0.9;

    /// <summary>Stop once the smoothed loss exceeds this many times its lowest value (default 4), or is not finite.</summary>
    public double StopFactor { get; init; } = 4;
}

/// <summary>
/// The outcome of a learning-rate finder run: the loss recorded at each learning rate of the exponential sweep, its
/// smoothed curve, and a suggested range. The suggestion is a heuristic (fast.ai's): the steepest descent of the
/// smoothed loss, and a tenth of the learning rate where the smoothed loss is lowest; it is a starting point for a
/// real sweep, not a result.
/// </summary>
/// <param name="LearningRates">The learning rate of each step, growing exponentially.</param>
/// <param name="Losses">The batch loss at each step (before that step's update).</param>
/// <param name="Smoothed">The smoothed loss.</param>
/// <param name="Steepest">The learning rate where the smoothed loss falls fastest against log η.</param>
/// <param name="LowestLoss">The learning rate where the smoothed loss is lowest.</param>
/// <param name="Suggested">The suggested range (the smaller of <paramref name="Steepest"/> and a tenth of <paramref name="LowestLoss"/>, to the larger).</param>
/// <param name="StoppedEarly">Whether the loss blew up before the last step.</param>
public sealed record LearningRateFinderResult(double[] LearningRates, double[] Losses, double[] Smoothed, double Steepest, double LowestLoss,
    (double Low, double High) Suggested, bool StoppedEarly)
{
    /// <summary>The heuristic's caveat, to show with the suggestion.</summary>
    public const string Caveat = "a heuristic (steepest fall of the smoothed loss, and a tenth of where it is lowest): confirm it with a sweep";
}

/// <summary>
/// The learning-rate finder (Smith 2015; fast.ai): one pass with the learning rate growing exponentially from
/// <see cref="LearningRateFinderOptions.Min"/> to <see cref="LearningRateFinderOptions.Max"/>, ηₖ = Min·(Max/Min)^(k/(n−1)),
/// recording the loss of each batch, until the loss blows up. The model is trained by the run: build a fresh one
/// afterwards (or reload its weights).
/// </summary>
public static class LearningRateFinder
{
    /// <summary>The learning rate of step <paramref name="step"/> of <paramref name="steps"/>.</summary>
    public static double Rate(long step, int steps, double min, double max) =>
        steps <= 1 ? min : Math.Exp(Math.Log(min) + (Math.Log(max) - Math.Log(min)) * step / (steps - 1));

    /// <summary>Runs the sweep.</summary>
    /// <param name="model">The model to train (it is changed).</param>
    /// <param name="loss">The loss.</param>
    /// <param name="optimizer">Builds the optimizer from a learning-rate schedule, e.g. <c>s =&gt; Optimizers.Adam&lt;float&gt;(s)</c>.</param>
    /// <param name="data">The training batches.</param>
    /// <param name="options">The range, steps, smoothing and stop factor.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public static LearningRateFinderResult Run<T>(Module<T> model, LossFunction<T> loss, Func<Schedule, IGradientTransform<T>> optimizer, IBatchSource<T> data,
        LearningRateFinderOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new LearningRateFinderOptions();
        if (!(options.Min > 0) || !double.IsFinite(options.Min)) throw new ArgumentOutOfRangeException(nameof(options), options.Min, "The smallest learning rate must be positive and finite.");
        if (!(options.Max > options.Min) || !double.IsFinite(options.Max)) throw new ArgumentOutOfRangeException(nameof(options), options.Max, $"The largest learning rate must be finite and above the smallest ({options.Min}).");
        if (!(options.Smoothing is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Smoothing, "The smoothing must be in [0, 1).");
        if (!(options.StopFactor > 1)) throw new ArgumentOutOfRangeException(nameof(options), options.StopFactor, "The stop factor must be above 1.");
        int steps = options.Steps ?? Math.Max(50, data.Batches(0).Count());
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2, nameof(options));

        double min = options.Min, max = options.Max;
        var opt = new Optimizer<T>(model.Parameters(), optimizer(step => Rate(step, steps, min, max)));
        var rates = new List<double>();
        var losses = new List<double>();
        var smoothed = new List<double>();
        double average = 0, best = double.PositiveInfinity;
        bool stopped = false;
        model.Train();
        for (int epoch = 0; rates.Count < steps && !stopped; epoch++)
        {
            foreach (var (x, y) in data.Batches(epoch))
            {
                if (rates.Count >= steps) break;
                var value = loss(model.Forward(x), y);
                value.Backward();
                double l = double.CreateTruncating(value.Item());
                rates.Add(Rate(opt.StepCount, steps, min, max));
                losses.Add(l);
                average = options.Smoothing * average + (1 - options.Smoothing) * l;
                double s = average / (1 - Math.Pow(options.Smoothing, losses.Count));
                smoothed.Add(s);
                if (!double.IsFinite(s) || s > options.StopFactor * best)
                {
                    stopped = true;
                    model.ZeroGrad();
                    break;
                }
                best = Math.Min(best, s);
                opt.Step();
                model.ZeroGrad();
            }
        }

        // The suggestion reads the curve up to its lowest point: the steepest fall (by central differences on log η, over
        // ±n/25 steps) and a tenth of the lowest.
        int lowest = 0;
        for (int i = 1; i < smoothed.Count; i++)
            if (smoothed[i] < smoothed[lowest]) lowest = i;
        // The first tenth of the steps is skipped (fast.ai skips the first 10): the smoothed loss is still settling there,
        // and its wobbles would look like the steepest fall at a learning rate far too small to train.
        int skip = Math.Max(1, smoothed.Count / 10), h = Math.Max(1, smoothed.Count / 25);
        int steepest = Math.Min(skip, Math.Max(0, lowest));
        double slope = double.PositiveInfinity;
        for (int i = skip; i < lowest; i++)
        {
            int a0 = Math.Max(0, i - h), a1 = Math.Min(smoothed.Count - 1, i + h);
            double d = (smoothed[a1] - smoothed[a0]) / (Math.Log(rates[a1]) - Math.Log(rates[a0]));
            if (d < slope) (slope, steepest) = (d, i);
        }
        double a = rates[steepest], b = rates[lowest] / 10;
        return new LearningRateFinderResult([.. rates], [.. losses], [.. smoothed], a, rates[lowest], (Math.Min(a, b), Math.Max(a, b)), stopped);
    }
}
