using System.Diagnostics;
using Descent.Optimization.Stopping;

namespace Descent.Optimization.Minimization;

/// <summary>Settings of a minimization run shared by every method.</summary>
public sealed record MinimizeOptions
{
    /// <summary>Maximize f instead (minimize −f); values reported are of f itself.</summary>
    public bool Maximize { get; init; }

    /// <summary>Record every Nth step in the trajectory (the first and the last are always recorded).</summary>
    public int LogEvery { get; init; } = 1;

    /// <summary>Names of the parameters, for reports (x0, x1, … when null).</summary>
    public IReadOnlyList<string>? Names { get; init; }

    /// <summary>A token that stops the run cleanly at the next step.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>The method's name in the result.</summary>
    public string? Method { get; init; }

    /// <summary>
    /// The most trajectory points kept (at least 2; default 100,000): past that, every second recorded point is dropped
    /// and the recording stride doubles, so memory stays bounded however many steps the run makes. The start and the
    /// last point are always kept.
    /// </summary>
    public int MaxTrajectoryPoints { get; init; } = 100_000;
}

/// <summary>
/// Minimizes a differentiable function of a parameter vector by gradient descent with any optimizer chain, the
/// gradient coming from reverse-mode autodiff: the loop reads as the formula w ← w − δ·∇L(w), with the transforms
/// (momentum, Adam, schedules…) in between.
/// </summary>
/// <example>
/// <code>
/// var result = Minimizer.Minimize(w => w.Square().Sum(), [10.0], Optimizers.GradientDescent&lt;double&gt;(0.3), new MaxSteps(5));
/// // result.Trajectory values: 10, 4, 1.6, 0.64, 0.256, 0.1024
/// </code>
/// </example>
public static partial class Minimizer
{
    /// <summary>
    /// Runs the descent from <paramref name="start"/> until <paramref name="stopping"/> fires (by default 100 steps).
    /// A divergence rule always watches: when the loss or the parameters stop being finite, or the loss grows a
    /// millionfold, the run stops with <see cref="StopKind.Diverged"/> and keeps the last finite point.
    /// </summary>
    /// <param name="function">f(w) for a 1-D tensor w; must return a scalar.</param>
    /// <param name="start">The starting point.</param>
    /// <param name="optimizer">The gradient transform chain (e.g. <see cref="Optimizers.GradientDescent{T}(double)"/>).</param>
    /// <param name="stopping">When to stop; null means 100 steps.</param>
    /// <param name="options">Maximize, logging, names, cancellation.</param>
    public static MinimizeResult Minimize(Func<Tensor<double>, Tensor<double>> function, double[] start, IGradientTransform<double> optimizer,
        IStoppingRule? stopping = null, MinimizeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(optimizer);
        options ??= new MinimizeOptions();
        if (options.LogEvery < 1) throw new ArgumentOutOfRangeException(nameof(options), options.LogEvery, "LogEvery must be at least 1.");
        if (options.MaxTrajectoryPoints < 2) throw new ArgumentOutOfRangeException(nameof(options), options.MaxTrajectoryPoints, "MaxTrajectoryPoints must be at least 2.");
        stopping ??= new MaxSteps(100);
        stopping.Reset();
        var divergence = new Divergence();
        double sign = options.Maximize ? -1 : 1;

        var w = Tensor.FromArray((double[])start.Clone()).WithGrad();
        var opt = new Optimizer<double>([w], optimizer);
        var trajectory = new TrajectoryBuffer(options.LogEvery, options.MaxTrajectoryPoints);
        var values = new LossTail();
        double[]? previousPoint = null, lastPoint = null;
        double[] lastFinite = (double[])start.Clone();
        double lastFiniteValue = double.NaN;
        var clock = Stopwatch.StartNew();
        long evaluations = 0;
        double previousStep = double.NaN;
        StopReason? reason = null;
        TrajectoryPoint? pending = null;

        for (long step = 0; ; step++)
        {
            var value = function(w);
            if (value.Size != 1)
                throw new ArgumentException($"The function must return a scalar, but it returned shape {Shapes.Format(value.Shape)}; reduce it with Sum() or Mean().", nameof(function));
            var loss = sign == 1 ? value : -value;
            loss.Backward();
            evaluations++;
            double f = value.Item();
            double gradNorm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares<double>(w.Grad!.Data));
            var point = w.ToArray();
            bool finite = double.IsFinite(f) && point.All(double.IsFinite);
            if (finite) { lastFinite = point; lastFiniteValue = f; }
            values.Add(f);
            (previousPoint, lastPoint) = (lastPoint, point);

            var record = new StepRecord(step, sign * f)
            {
                GradientNorm = gradNorm,
                StepNorm = step == 0 ? null : previousStep,
                ParameterNorm = Math.Sqrt(point.Sum(v => v * v)),
                Elapsed = clock.Elapsed,
                FunctionEvaluations = evaluations,
                GradientEvaluations = evaluations,
            };
            var here = new TrajectoryPoint(step, point, f, gradNorm);
            reason = divergence.Observe(record) ?? stopping.Observe(record)
                ?? (options.Cancellation.IsCancellationRequested ? new StopReason(StopKind.Cancelled, step, $"cancelled at step {step}") : null);
            if (trajectory.Wants(step) || reason is not null) { trajectory.Add(here); pending = null; }
            else pending = here;
            if (reason is not null) break;

            opt.Step();
            previousStep = opt.LastUpdateNorm;
            w.ZeroGrad();
        }
        if (pending is not null) trajectory.Add(pending);

        var seen = values.ToList(sign);
        var behaviour = Classify(seen, reason, Moved(previousPoint, lastPoint));
        if (behaviour == Behaviour.Diverged && reason.Kind != StopKind.Diverged)
            reason = new StopReason(StopKind.Diverged, reason.Step,
                $"diverged: the loss grew from {Show.Number(seen[0])} at step 0 to {Show.Number(seen[^1])} at step {reason.Step}, rising at every recent step (is the learning rate too large?)");
        bool diverged = reason.Kind == StopKind.Diverged;
        return new MinimizeResult(options.Method ?? "gd", NamesFor(options.Names, start.Length), trajectory.Points,
            diverged ? lastFinite : w.ToArray(), diverged ? lastFiniteValue : sign * seen[^1], reason, evaluations, evaluations, behaviour);
    }

    internal static IReadOnlyList<string> NamesFor(IReadOnlyList<string>? names, int count)
    {
        if (names is not null)
        {
            if (names.Count != count) throw new ArgumentException($"{names.Count} names given for {count} parameters.", nameof(names));
            return names;
        }
        return Enumerable.Range(0, count).Select(i => "x" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Whether the parameters changed between the last two observed points (beyond rounding).</summary>
    internal static bool Moved(double[]? previous, double[]? last)
    {
        if (previous is null || last is null) return true;
        for (int i = 0; i < last.Length; i++)
            if (!(Math.Abs(last[i] - previous[i]) <= 1e-12 * Math.Max(1, Math.Abs(last[i])))) return true;
        return false;
    }

    /// <summary>
    /// Reads the loss sequence (of the minimized function): diverged, oscillating (level loss with alternating
    /// parameters), stalled (level loss and parameters that do not move), converging or converged. Only the first value
    /// and the last eleven are read.
    /// </summary>
    internal static Behaviour Classify(IReadOnlyList<double> values, StopReason reason, bool moved = true)
    {
        if (reason.Kind == StopKind.Diverged) return Behaviour.Diverged;
        if (reason.Kind is StopKind.GradientNormBelow or StopKind.StepBelow or StopKind.Plateau or StopKind.LossBelow or StopKind.Converged) return Behaviour.Converged;
        if (values.Count < 3) return Behaviour.Unknown;
        double first = values[0], last = values[^1];
        if (!double.IsFinite(last)) return Behaviour.Diverged;
        if (Math.Abs(last - first) <= 1e-12 * Math.Max(1, Math.Abs(first)) && Math.Abs(values[^2] - last) <= 1e-12 * Math.Max(1, Math.Abs(last)))
            return last == 0 ? Behaviour.Converged : moved ? Behaviour.Oscillating : Behaviour.Stalled;
        int recent = Math.Min(10, values.Count - 1);
        bool rising = true;
        for (int i = values.Count - recent; i < values.Count; i++) rising &= values[i] > values[i - 1];
        if (rising && last > first) return Behaviour.Diverged;
        return Behaviour.Converging;
    }
}
