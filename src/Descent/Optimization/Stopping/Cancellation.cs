namespace Descent.Optimization.Stopping;

/// <summary>Fires once the token is cancelled (e.g. by a Stop button), at the next step boundary.</summary>
/// <param name="token">The token to watch.</param>
public sealed class Cancellation(CancellationToken token) : IStoppingRule
{
    /// <inheritdoc />
    public StopReason? Observe(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return token.IsCancellationRequested ? new StopReason(StopKind.Cancelled, record.Step, $"cancelled: stop requested, stopped at step {record.Step}") : null;
    }

    /// <inheritdoc />
    public void Reset()
    {
    }
}
