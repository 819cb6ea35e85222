namespace Descent.Optimization;

/// <summary>
/// Reduce the learning rate when a metric stops improving (PyTorch ReduceLROnPlateau semantics). After each
/// <see cref="Observe"/>: an improvement (min mode, relative threshold θ: <c>x &lt; best·(1 − θ)</c>; absolute:
/// <c>x &lt; best − θ</c>; mirrored for max) resets the bad count; once more than <c>patience</c> bad observations
/// have been made, <c>η ← max(η·factor, η_min)</c> (skipped when the change is at most ε), followed by
/// <c>cooldown</c> observations during which bad observations are not counted.
/// </summary>
/// <remarks>
/// This is the rule on its own, for a hand-written loop. In an optimizer, use the transform
/// <see cref="Transforms.ScaleByPlateau{T}"/>: the optimizer owns its state, checkpoints save it, and the trainer feeds
/// it the validation loss.
/// </remarks>
/// <example><code>
/// var plateau = new ReduceOnPlateau(0.1);
/// double rate = plateau.Observe(validationLoss);   // once per epoch
/// </code></example>
public sealed class ReduceOnPlateau
{
    private readonly double _initial;
    private ReduceOnPlateauState _state;

    /// <summary>Creates the observer.</summary>
    /// <param name="initialLearningRate">η₀ &gt;= 0.</param>
    /// <param name="mode">Whether the metric is minimised or maximised.</param>
    /// <param name="factor">The reduction factor, in (0, 1).</param>
    /// <param name="patience">Bad observations tolerated before reducing, &gt;= 0.</param>
    /// <param name="threshold">θ &gt;= 0, the least improvement that counts.</param>
    /// <param name="relativeThreshold">Whether θ is relative (PyTorch 'rel') or absolute ('abs').</param>
    /// <param name="cooldown">Observations to wait after a reduction, &gt;= 0.</param>
    /// <param name="minLearningRate">η_min &gt;= 0.</param>
    /// <param name="epsilon">ε &gt;= 0: smaller changes of η are ignored.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public ReduceOnPlateau(double initialLearningRate, MetricMode mode = MetricMode.Min, double factor = 0.1, int patience = 10, double threshold = 1e-4, bool relativeThreshold = true, int cooldown = 0, double minLearningRate = 0, double epsilon = 1e-8)
    {
        _initial = Require.NonNegative(initialLearningRate, nameof(initialLearningRate));
        Mode = mode;
        Factor = Require.InOpen(factor, 0, 1, nameof(factor));
        Patience = (int)Require.AtLeast(patience, 0, nameof(patience));
        Threshold = Require.NonNegative(threshold, nameof(threshold));
        RelativeThreshold = relativeThreshold;
        Cooldown = (int)Require.AtLeast(cooldown, 0, nameof(cooldown));
        MinLearningRate = Require.NonNegative(minLearningRate, nameof(minLearningRate));
        Epsilon = Require.NonNegative(epsilon, nameof(epsilon));
        _state = InitialState();
    }

    /// <summary>Whether the metric is minimised or maximised.</summary>
    public MetricMode Mode { get; }

    /// <summary>The reduction factor.</summary>
    public double Factor { get; }

    /// <summary>Bad observations tolerated before reducing.</summary>
    public int Patience { get; }

    /// <summary>θ.</summary>
    public double Threshold { get; }

    /// <summary>Whether θ is relative.</summary>
    public bool RelativeThreshold { get; }

    /// <summary>Observations to wait after a reduction.</summary>
    public int Cooldown { get; }

    /// <summary>η_min.</summary>
    public double MinLearningRate { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>The current learning rate.</summary>
    public double LearningRate => _state.LearningRate;

    /// <summary>The best metric seen so far (±∞ before any).</summary>
    public double Best => _state.Best;

    /// <summary>Records one metric value and reduces the rate if it has plateaued.</summary>
    /// <param name="metric">The metric (e.g. the validation loss).</param>
    /// <returns>The learning rate after this observation.</returns>
    public double Observe(double metric)
    {
        var (rate, best, bad, cooldownLeft, count) = _state;
        if (IsBetter(metric, best))
        {
            best = metric;
            bad = 0;
        }
        else
        {
            bad++;
        }

        if (cooldownLeft > 0)
        {
            cooldownLeft--;
            bad = 0;
        }

        if (bad > Patience)
        {
            double reduced = Math.Max(rate * Factor, MinLearningRate);
            if (rate - reduced > Epsilon)
            {
                rate = reduced;
            }

            cooldownLeft = Cooldown;
            bad = 0;
        }

        _state = new ReduceOnPlateauState(rate, best, bad, cooldownLeft, count + 1);
        return rate;
    }

    /// <summary>A snapshot of the state.</summary>
    /// <returns>The state.</returns>
    public ReduceOnPlateauState GetState() => _state;

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    /// <param name="state">The saved state.</param>
    public void LoadState(ReduceOnPlateauState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
    }

    /// <summary>Returns to the initial rate and forgets all observations.</summary>
    public void Reset() => _state = InitialState();

    private ReduceOnPlateauState InitialState() =>
        new(_initial, Mode == MetricMode.Min ? double.PositiveInfinity : double.NegativeInfinity, 0, 0, 0);

    private bool IsBetter(double value, double best) => (Mode, RelativeThreshold) switch
    {
        (MetricMode.Min, true) => value < best * (1 - Threshold),
        (MetricMode.Min, false) => value < best - Threshold,
        (MetricMode.Max, true) => value > best * (1 + Threshold),
        _ => value > best + Threshold,
    };
}
