namespace Descent.Optimization.Stopping;

/// <summary>Fires when <c>‖∇L‖ &lt; tolerance</c> (never when the gradient norm is not recorded).</summary>
/// <param name="tolerance">The tolerance, &gt; 0.</param>
public sealed class GradientNormBelow(double tolerance) : IStoppingRule
{
    /// <summary>The tolerance.</summary>
    public double Tolerance { get; } = Require.Positive(tolerance, nameof(tolerance));

    /// <inheritdoc />
    public StopReason? Observe(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.GradientNorm is double norm && norm < Tolerance
            ? new StopReason(StopKind.GradientNormBelow, record.Step, $"gradient norm below tolerance: |grad| {Show.Number(norm)} at step {record.Step} is below {Show.Number(Tolerance)}")
            : null;
    }

    /// <inheritdoc />
    public void Reset()
    {
    }
}
