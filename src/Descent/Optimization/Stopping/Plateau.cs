namespace Descent.Optimization.Stopping;

/// <summary>
/// Fires when the loss curve is flat: over the last N records, the least-squares slope of loss against step,
/// <c>b = Σ(tᵢ − t̄)(Lᵢ − L̄) / Σ(tᵢ − t̄)²</c>, satisfies <c>|b| &lt; tolerance</c>. Never fires before N losses.
/// </summary>
public sealed class Plateau : IStoppingRule
{
    private readonly Queue<(long Step, double Loss)> _window = new();

    /// <summary>Creates the rule.</summary>
    /// <param name="tolerance">The slope tolerance, &gt; 0 (loss units per step).</param>
    /// <param name="window">N &gt;= 2, the number of recent losses fitted.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public Plateau(double tolerance, int window = 50)
    {
        Tolerance = Require.Positive(tolerance, nameof(tolerance));
        Window = (int)Require.AtLeast(window, 2, nameof(window));
    }

    /// <summary>The slope tolerance.</summary>
    public double Tolerance { get; }

    /// <summary>N.</summary>
    public int Window { get; }

    /// <summary>The slope fitted at the last observation (NaN until N losses have been seen).</summary>
    public double LastSlope { get; private set; } = double.NaN;

    /// <inheritdoc />
    public StopReason? Observe(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _window.Enqueue((record.Step, record.Loss));
        if (_window.Count > Window)
        {
            _window.Dequeue();
        }

        if (_window.Count < Window)
        {
            return null;
        }

        double meanStep = _window.Average(e => (double)e.Step);
        double meanLoss = _window.Average(e => e.Loss);
        double covariance = 0, variance = 0;
        foreach (var (step, loss) in _window)
        {
            covariance += (step - meanStep) * (loss - meanLoss);
            variance += (step - meanStep) * (step - meanStep);
        }

        LastSlope = covariance / variance;
        return Math.Abs(LastSlope) < Tolerance
            ? new StopReason(StopKind.Plateau, record.Step, $"plateau: slope {Show.Number(LastSlope)} over the last {Window} losses is shallower than {Show.Number(Tolerance)}")
            : null;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _window.Clear();
        LastSlope = double.NaN;
    }
}
