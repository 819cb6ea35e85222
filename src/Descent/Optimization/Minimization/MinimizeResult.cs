using Descent.Optimization.Stopping;

namespace Descent.Optimization.Minimization;

/// <summary>One recorded point of a minimization: the step, the parameters, f there, and the gradient norm (NaN when not computed).</summary>
public sealed record TrajectoryPoint(long Step, double[] Point, double Value, double GradientNorm);

/// <summary>How the loss behaved over the run, read from its trajectory.</summary>
public enum Behaviour
{
    /// <summary>A stopping rule for convergence fired (small gradient, step, plateau or threshold).</summary>
    Converged,
    /// <summary>The loss was still decreasing when the run ended.</summary>
    Converging,
    /// <summary>The loss stayed at the same level while the parameters jumped back and forth (e.g. learning rate 1.0 on w²).</summary>
    Oscillating,
    /// <summary>The loss grew: the run diverged (or was stopped by the divergence rule).</summary>
    Diverged,
    /// <summary>Too few points to say.</summary>
    Unknown,
    /// <summary>
    /// Neither the loss nor the parameters moved: the steps are too small to make progress (e.g. learning rate 1e-300),
    /// or the start is a point where the gradient vanishes.
    /// </summary>
    Stalled,
}

/// <summary>
/// The outcome of a minimization, the same for every method (gradient transforms, L-BFGS, Newton, gradient-free),
/// so runs compare fairly: the trajectory, the final point and value, why it stopped, and how many function and
/// gradient evaluations it used.
/// </summary>
public sealed class MinimizeResult
{
    /// <summary>Creates a result.</summary>
    public MinimizeResult(string method, IReadOnlyList<string> names, IReadOnlyList<TrajectoryPoint> trajectory, double[] point, double value,
        StopReason stopReason, long functionEvaluations, long gradientEvaluations, Behaviour behaviour)
    {
        Method = method;
        Names = names;
        Trajectory = trajectory;
        Point = point;
        Value = value;
        StopReason = stopReason;
        FunctionEvaluations = functionEvaluations;
        GradientEvaluations = gradientEvaluations;
        Behaviour = behaviour;
    }

    /// <summary>The method's name ("gd", "adam", "lbfgs", …).</summary>
    public string Method { get; }

    /// <summary>The parameters' names (x0, x1, … when not given).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The recorded points; the first is the start.</summary>
    public IReadOnlyList<TrajectoryPoint> Trajectory { get; }

    /// <summary>The final parameters (the last finite ones when the run diverged).</summary>
    public double[] Point { get; }

    /// <summary>f at <see cref="Point"/> (of f itself, also when maximizing).</summary>
    public double Value { get; }

    /// <summary>Why the run stopped.</summary>
    public StopReason StopReason { get; }

    /// <summary>Function evaluations used.</summary>
    public long FunctionEvaluations { get; }

    /// <summary>Gradient evaluations used.</summary>
    public long GradientEvaluations { get; }

    /// <summary>How the loss behaved.</summary>
    public Behaviour Behaviour { get; }

    /// <summary>True when the run diverged.</summary>
    public bool Diverged => StopReason.Kind == StopKind.Diverged;
}
