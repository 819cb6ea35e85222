namespace Descent.Optimization.Stopping;

/// <summary>Fires when the parameter step <c>‖Δp‖ &lt; tolerance</c> (never when it is not recorded).</summary>
/// <param name="tolerance">The tolerance, &gt; 0.</param>
public sealed class StepBelow(double tolerance) : IStoppingRule
{
    /// <summary>The tolerance.</summary>
    public double Tolerance { get; } = Require.Positive(tolerance, nameof(tolerance));

    /// <inheritdoc />
    public StopReason? Observe(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.StepNorm is double norm && norm < Tolerance
            ? new StopReason(StopKind.StepBelow, record.Step, $"step below tolerance: |step| {Show.Number(norm)} at step {record.Step} is below {Show.Number(Tolerance)}")
            : null;
    }

    /// <inheritdoc />
    public void Reset()
    {
    }
}
