namespace Descent.Optimization.Stopping;

/// <summary>Fires when the recorded elapsed wall-clock time reaches the budget.</summary>
/// <param name="budget">The budget, &gt; 0.</param>
public sealed class TimeBudget(TimeSpan budget) : IStoppingRule
{
    /// <summary>The budget.</summary>
    public TimeSpan Budget { get; } = budget > TimeSpan.Zero ? budget : throw new ArgumentOutOfRangeException(nameof(budget), budget, $"budget must be > 0, but was {budget}.");

    /// <inheritdoc />
    public StopReason? Observe(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Elapsed >= Budget
            ? new StopReason(StopKind.TimeBudget, record.Step, $"time budget: {record.Elapsed.TotalSeconds:0.###} s elapsed at step {record.Step} reaches the budget of {Budget.TotalSeconds:0.###} s")
            : null;
    }

    /// <inheritdoc />
    public void Reset()
    {
    }
}
