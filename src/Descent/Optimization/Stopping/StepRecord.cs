namespace Descent.Optimization.Stopping;

/// <summary>
/// What a stopping rule sees after one step. Optional measurements are null when not measured; rules that need
/// them then never fire.
/// </summary>
/// <param name="Step">The step number (the number of steps taken so far; 0 for the starting point).</param>
/// <param name="Loss">The loss at this step.</param>
public sealed record StepRecord(long Step, double Loss)
{
    /// <summary>The gradient's global L2 norm ‖∇L‖.</summary>
    public double? GradientNorm { get; init; }

    /// <summary>The global L2 norm ‖Δp‖ of the last parameter update (see <see cref="Optimizer{T}.LastUpdateNorm"/>).</summary>
    public double? StepNorm { get; init; }

    /// <summary>The parameters' global L2 norm ‖p‖ (used to detect non-finite parameters).</summary>
    public double? ParameterNorm { get; init; }

    /// <summary>A validation metric (e.g. validation loss or accuracy).</summary>
    public double? ValidationMetric { get; init; }

    /// <summary>Wall-clock time since the run started.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Function (loss) evaluations so far.</summary>
    public long FunctionEvaluations { get; init; }

    /// <summary>Gradient evaluations so far.</summary>
    public long GradientEvaluations { get; init; }
}
