namespace Descent.Optimization.Stopping;

/// <summary>Fires when <c>step ≥ N</c>.</summary>
/// <param name="maxSteps">N &gt;= 0.</param>
public sealed class MaxSteps(long maxSteps) : IStoppingRule
{
    /// <summary>N.</summary>
    public long Limit { get; } = Require.AtLeast(maxSteps, 0, nameof(maxSteps));

    /// <inheritdoc />
    public StopReason? Observe(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Step >= Limit ? new StopReason(StopKind.MaxSteps, record.Step, $"max steps: reached step {record.Step} of {Limit}") : null;
    }

    /// <inheritdoc />
    public void Reset()
    {
    }
}
