namespace Descent.Optimization.Stopping;

/// <summary>
/// Fires when a run diverges: the loss is NaN or ±∞, the recorded parameter norm is not finite, or the loss has grown
/// beyond <c>factor × best</c>, where best is the smallest loss of the window (the whole history by default,
/// growth is checked only while that best is &gt; 0). The message names the step.
/// </summary>
public sealed class Divergence : IStoppingRule
{
    private readonly Queue<(long Step, double Loss)> _window = new();
    private (long Step, double Loss)? _bestEver;

    /// <summary>Creates the rule.</summary>
    /// <param name="growthFactor">The factor, &gt; 1 (default 1e6).</param>
    /// <param name="window">The number of recent losses among which the best is taken, &gt;= 1; 0 for the whole history.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public Divergence(double growthFactor = 1e6, int window = 0)
    {
        if (!(growthFactor > 1) || double.IsInfinity(growthFactor))
        {
            throw new ArgumentOutOfRangeException(nameof(growthFactor), growthFactor, $"growthFactor must be finite and > 1, but was {growthFactor}.");
        }

        GrowthFactor = growthFactor;
        Window = (int)Require.AtLeast(window, 0, nameof(window));
    }

    /// <summary>The growth factor.</summary>
    public double GrowthFactor { get; }

    /// <summary>The window length (0: whole history).</summary>
    public int Window { get; }

    /// <inheritdoc />
    public StopReason? Observe(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!double.IsFinite(record.Loss))
        {
            return new StopReason(StopKind.Diverged, record.Step, $"diverged: loss is {Show.Number(record.Loss)} at step {record.Step}");
        }

        if (record.ParameterNorm is double norm && !double.IsFinite(norm))
        {
            return new StopReason(StopKind.Diverged, record.Step, $"diverged: parameters are not finite (norm {Show.Number(norm)}) at step {record.Step}");
        }

        (long Step, double Loss)? best = Window == 0 ? _bestEver : _window.Count == 0 ? null : _window.MinBy(e => e.Loss);
        if (best is { } b && b.Loss > 0 && record.Loss > GrowthFactor * b.Loss)
        {
            return new StopReason(StopKind.Diverged, record.Step, $"diverged: loss {Show.Number(record.Loss)} at step {record.Step} is more than {Show.Number(GrowthFactor)} times the best loss {Show.Number(b.Loss)} (step {b.Step})");
        }

        if (_bestEver is not { } e || record.Loss < e.Loss)
        {
            _bestEver = (record.Step, record.Loss);
        }

        if (Window > 0)
        {
            _window.Enqueue((record.Step, record.Loss));
            if (_window.Count > Window)
            {
                _window.Dequeue();
            }
        }

        return null;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _window.Clear();
        _bestEver = null;
    }
}
