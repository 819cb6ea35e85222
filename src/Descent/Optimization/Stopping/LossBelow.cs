namespace Descent.Optimization.Stopping;

/// <summary>Fires when <c>loss &lt; threshold</c>.</summary>
/// <param name="threshold">The threshold (finite).</param>
public sealed class LossBelow(double threshold) : IStoppingRule
{
    /// <summary>The threshold.</summary>
    public double Threshold { get; } = Require.Finite(threshold, nameof(threshold));

    /// <inheritdoc />
    public StopReason? Observe(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Loss < Threshold
            ? new StopReason(StopKind.LossBelow, record.Step, $"loss below threshold: loss {Show.Number(record.Loss)} at step {record.Step} is below {Show.Number(Threshold)}")
            : null;
    }

    /// <inheritdoc />
    public void Reset()
    {
    }
}
