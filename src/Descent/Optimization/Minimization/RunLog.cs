using System.Diagnostics;
using Descent.Optimization.Stopping;

namespace Descent.Optimization.Minimization;

/// <summary>
/// The bookkeeping every minimizer shares: one <see cref="Observe"/> per iteration feeds the stopping rule (with a
/// divergence rule always watching and the cancellation token checked), records the trajectory every LogEvery steps
/// (first and last always), and <see cref="Finish"/> builds the <see cref="MinimizeResult"/> with values of f itself.
/// </summary>
internal sealed class RunLog
{
    private readonly IStoppingRule _stopping;
    private readonly MinimizeOptions _options;
    private readonly Objective _objective;
    private readonly Divergence _divergence = new();
    private readonly TrajectoryBuffer _trajectory;
    private readonly LossTail _values = new();
    private double[]? _previous;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _method;
    private readonly int _dimension;
    private TrajectoryPoint? _pending;
    private double[]? _lastFinite;
    private double _lastFiniteValue = double.NaN;
    private double[]? _last;

    public RunLog(string method, int dimension, IStoppingRule stopping, MinimizeOptions options, Objective objective)
    {
        _method = options.Method ?? method;
        _dimension = dimension;
        _stopping = stopping;
        _options = options;
        _objective = objective;
        _trajectory = new TrajectoryBuffer(options.LogEvery, options.MaxTrajectoryPoints);
        Minimizer.NamesFor(options.Names, dimension);
        stopping.Reset();
    }

    /// <summary>The reason the run stopped, once it has.</summary>
    public StopReason? Reason { get; private set; }

    /// <summary>
    /// Observes iteration <paramref name="step"/> at <paramref name="point"/> (copied) with the minimized value
    /// <paramref name="value"/> = sign·f; returns the stop reason or null.
    /// </summary>
    public StopReason? Observe(long step, double[] point, double value, double gradientNorm, double? stepNorm)
    {
        double f = _objective.Sign * value;
        var copy = (double[])point.Clone();
        bool finite = double.IsFinite(value) && copy.All(double.IsFinite);
        if (finite) { _lastFinite = copy; _lastFiniteValue = f; }
        (_previous, _last) = (_last, copy);
        _values.Add(value);
        var record = new StepRecord(step, value)
        {
            GradientNorm = double.IsNaN(gradientNorm) ? null : gradientNorm,
            StepNorm = stepNorm,
            ParameterNorm = Math.Sqrt(copy.Sum(v => v * v)),
            Elapsed = _clock.Elapsed,
            FunctionEvaluations = _objective.FunctionEvaluations,
            GradientEvaluations = _objective.GradientEvaluations,
        };
        var here = new TrajectoryPoint(step, copy, f, gradientNorm);
        Reason = _divergence.Observe(record) ?? _stopping.Observe(record)
            ?? (_options.Cancellation.IsCancellationRequested ? new StopReason(StopKind.Cancelled, step, $"cancelled at step {step}") : null);
        if (_trajectory.Wants(step) || Reason is not null) { _trajectory.Add(here); _pending = null; }
        else _pending = here;
        return Reason;
    }

    /// <summary>Stops the run for a reason of the method's own (e.g. a failed line search) at the last observed step.</summary>
    public void StopBecause(StopReason reason)
    {
        Reason = reason;
        if (_pending is not null) { _trajectory.Add(_pending); _pending = null; }
    }

    /// <summary>The result; the final point is the last observed one (the last finite one when the run diverged).</summary>
    public MinimizeResult Finish()
    {
        if (Reason is null) throw new InvalidOperationException("Finish() before the run stopped.");
        if (_pending is not null) _trajectory.Add(_pending);
        var reason = Reason;
        var values = _values.ToList();
        var behaviour = Minimizer.Classify(values, reason, Minimizer.Moved(_previous, _last));
        if (behaviour == Behaviour.Diverged && reason.Kind != StopKind.Diverged)
            reason = new StopReason(StopKind.Diverged, reason.Step,
                $"diverged: the loss grew from {Show.Number(values[0])} at step 0 to {Show.Number(values[^1])} at step {reason.Step}, rising at every recent step");
        bool diverged = reason.Kind == StopKind.Diverged;
        var point = diverged ? _lastFinite ?? _last! : _last!;
        double value = diverged ? _lastFiniteValue : _objective.Sign * values[^1];
        return new MinimizeResult(_method, Minimizer.NamesFor(_options.Names, _dimension), _trajectory.Points, point, value, reason,
            _objective.FunctionEvaluations, _objective.GradientEvaluations, behaviour);
    }
}
