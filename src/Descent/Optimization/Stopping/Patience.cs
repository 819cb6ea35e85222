namespace Descent.Optimization.Stopping;

/// <summary>
/// Early stopping on a validation metric (the loss when none is recorded): an observation improves when it beats
/// the best by more than <c>minDelta</c> (min mode: <c>x &lt; best − δ</c>; max mode: <c>x &gt; best + δ</c>).
/// Fires after <c>patience</c> consecutive observations without improvement. <see cref="BestStep"/> tells the caller
/// which parameters to restore.
/// </summary>
public sealed class Patience : IStoppingRule
{
    private int _bad;

    /// <summary>Creates the rule.</summary>
    /// <param name="patience">Observations without improvement to tolerate, &gt;= 1.</param>
    /// <param name="mode">Whether smaller or larger is better.</param>
    /// <param name="minDelta">δ &gt;= 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public Patience(int patience, MetricMode mode = MetricMode.Min, double minDelta = 0)
    {
        Limit = (int)Require.AtLeast(patience, 1, nameof(patience));
        Mode = mode;
        MinDelta = Require.NonNegative(minDelta, nameof(minDelta));
    }

    /// <summary>The number of observations without improvement that fires the rule.</summary>
    public int Limit { get; }

    /// <summary>Whether smaller or larger is better.</summary>
    public MetricMode Mode { get; }

    /// <summary>δ.</summary>
    public double MinDelta { get; }

    /// <summary>The best value seen (NaN before any).</summary>
    public double BestValue { get; private set; } = double.NaN;

    /// <summary>The step of the best value (−1 before any).</summary>
    public long BestStep { get; private set; } = -1;

    /// <inheritdoc />
    public StopReason? Observe(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        double value = record.ValidationMetric ?? record.Loss;
        bool improved = BestStep < 0 || (Mode == MetricMode.Min ? value < BestValue - MinDelta : value > BestValue + MinDelta);
        if (improved)
        {
            BestValue = value;
            BestStep = record.Step;
            _bad = 0;
            return null;
        }

        _bad++;
        return _bad >= Limit
            ? new StopReason(StopKind.Patience, record.Step, $"patience: the {(record.ValidationMetric is null ? "loss" : "validation metric")} has not improved by more than {Show.Number(MinDelta)} for {_bad} steps; best {Show.Number(BestValue)} at step {BestStep}")
            : null;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _bad = 0;
        BestValue = double.NaN;
        BestStep = -1;
    }
}
