namespace Descent.Optimization.Stopping;

/// <summary>Why and when a stopping rule fired, with a human explanation.</summary>
/// <param name="Kind">The kind of reason.</param>
/// <param name="Step">The step at which the rule fired.</param>
/// <param name="Message">A sentence such as "plateau: slope -3.2e-07 over the last 50 losses is shallower than 1e-06".</param>
public sealed record StopReason(StopKind Kind, long Step, string Message)
{
    /// <summary>The message.</summary>
    /// <returns><see cref="Message"/>.</returns>
    public override string ToString() => Message;
}
