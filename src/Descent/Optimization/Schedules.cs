namespace Descent.Optimization;

/// <summary>
/// Learning-rate schedules as plain functions of the 0-based step. Each factory validates its arguments and
/// states its formula; <c>t</c> is the step. Schedules compose: <see cref="LinearWarmup"/> joins a ramp to any other.
/// </summary>
public static class Schedules
{
    /// <summary><c>η(t) = η₀</c>.</summary>
    /// <param name="value">η₀, finite and &gt;= 0.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative or not finite.</exception>
    public static Schedule Constant(double value)
    {
        Require.NonNegative(value, nameof(value));
        return _ => value;
    }

    /// <summary>Step decay (PyTorch StepLR): <c>η(t) = η₀·γ^⌊t / N⌋</c>.</summary>
    /// <param name="initial">η₀ &gt;= 0.</param>
    /// <param name="stepSize">N &gt;= 1, steps between decays.</param>
    /// <param name="gamma">γ in (0, 1], the factor applied every N steps.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static Schedule StepDecay(double initial, long stepSize, double gamma = 0.1)
    {
        Require.NonNegative(initial, nameof(initial));
        Require.AtLeast(stepSize, 1, nameof(stepSize));
        Require.InClosed(gamma, double.Epsilon, 1, nameof(gamma));
        return t => initial * Math.Pow(gamma, Math.Floor((double)NonNegativeStep(t) / stepSize));
    }

    /// <summary>Multi-step decay (PyTorch MultiStepLR): <c>η(t) = η₀·γ^k</c>, k = the number of milestones ≤ t.</summary>
    /// <param name="initial">η₀ &gt;= 0.</param>
    /// <param name="milestones">Steps at which the rate is multiplied by γ (each &gt;= 1).</param>
    /// <param name="gamma">γ in (0, 1].</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static Schedule MultiStep(double initial, IEnumerable<long> milestones, double gamma = 0.1)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        Require.NonNegative(initial, nameof(initial));
        Require.InClosed(gamma, double.Epsilon, 1, nameof(gamma));
        long[] sorted = [.. milestones.Order()];
        foreach (long m in sorted)
        {
            Require.AtLeast(m, 1, nameof(milestones));
        }

        return t => initial * Math.Pow(gamma, sorted.Count(m => m <= t));
    }

    /// <summary>Exponential decay (PyTorch ExponentialLR): <c>η(t) = η₀·γᵗ</c>.</summary>
    /// <param name="initial">η₀ &gt;= 0.</param>
    /// <param name="gamma">γ in (0, 1].</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static Schedule Exponential(double initial, double gamma)
    {
        Require.NonNegative(initial, nameof(initial));
        Require.InClosed(gamma, double.Epsilon, 1, nameof(gamma));
        return t => initial * Math.Pow(gamma, NonNegativeStep(t));
    }

    /// <summary>
    /// Polynomial decay: <c>η(t) = (η₀ − η_end)·(1 − min(t, T)/T)^p + η_end</c>; constant η_end after T steps.
    /// </summary>
    /// <param name="initial">η₀ &gt;= 0.</param>
    /// <param name="final">η_end &gt;= 0.</param>
    /// <param name="totalSteps">T &gt;= 1.</param>
    /// <param name="power">p &gt; 0 (1 is linear).</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static Schedule Polynomial(double initial, double final, long totalSteps, double power = 1)
    {
        Require.NonNegative(initial, nameof(initial));
        Require.NonNegative(final, nameof(final));
        Require.AtLeast(totalSteps, 1, nameof(totalSteps));
        Require.Positive(power, nameof(power));
        return t => ((initial - final) * Math.Pow(1 - ((double)Math.Min(NonNegativeStep(t), totalSteps) / totalSteps), power)) + final;
    }

    /// <summary>
    /// Cosine annealing to a floor (PyTorch CosineAnnealingLR over its first half-period):
    /// <c>η(t) = η_min + (η₀ − η_min)·(1 + cos(π·min(t, T)/T))/2</c>; constant η_min after T steps.
    /// </summary>
    /// <param name="initial">η₀ &gt;= 0.</param>
    /// <param name="totalSteps">T &gt;= 1.</param>
    /// <param name="floor">η_min &gt;= 0.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static Schedule Cosine(double initial, long totalSteps, double floor = 0)
    {
        Require.NonNegative(initial, nameof(initial));
        Require.AtLeast(totalSteps, 1, nameof(totalSteps));
        Require.NonNegative(floor, nameof(floor));
        return t => floor + ((initial - floor) * (1 + Math.Cos(Math.PI * Math.Min(NonNegativeStep(t), totalSteps) / totalSteps)) / 2);
    }

    /// <summary>
    /// Cosine annealing with warm restarts (SGDR; PyTorch CosineAnnealingWarmRestarts): periods of length
    /// T₀, T₀·m, T₀·m², …; within a period of length Tᵢ at offset t_cur,
    /// <c>η = η_min + (η₀ − η_min)·(1 + cos(π·t_cur/Tᵢ))/2</c>.
    /// </summary>
    /// <param name="initial">η₀ &gt;= 0.</param>
    /// <param name="firstPeriod">T₀ &gt;= 1.</param>
    /// <param name="periodMultiplier">m &gt;= 1 (integer, as in PyTorch).</param>
    /// <param name="floor">η_min &gt;= 0.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static Schedule CosineWarmRestarts(double initial, long firstPeriod, long periodMultiplier = 1, double floor = 0)
    {
        Require.NonNegative(initial, nameof(initial));
        Require.AtLeast(firstPeriod, 1, nameof(firstPeriod));
        Require.AtLeast(periodMultiplier, 1, nameof(periodMultiplier));
        Require.NonNegative(floor, nameof(floor));
        return t =>
        {
            long current = NonNegativeStep(t);
            long period = firstPeriod;
            if (periodMultiplier == 1)
            {
                current %= period;
            }
            else
            {
                while (current >= period)
                {
                    current -= period;
                    period *= periodMultiplier;
                }
            }

            return floor + ((initial - floor) * (1 + Math.Cos(Math.PI * current / period)) / 2);
        };
    }

    /// <summary>
    /// Linear warm-up joined to another schedule: for <c>t &lt; W</c>, <c>η(t) = η_start + (after(0) − η_start)·t/W</c>;
    /// afterwards <c>η(t) = after(t − W)</c>.
    /// </summary>
    /// <param name="warmupSteps">W &gt;= 1.</param>
    /// <param name="after">The schedule that follows, started at its own step 0.</param>
    /// <param name="start">η_start &gt;= 0.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static Schedule LinearWarmup(long warmupSteps, Schedule after, double start = 0)
    {
        ArgumentNullException.ThrowIfNull(after);
        Require.AtLeast(warmupSteps, 1, nameof(warmupSteps));
        Require.NonNegative(start, nameof(start));
        double peak = after(0);
        return t => t < warmupSteps ? start + ((peak - start) * NonNegativeStep(t) / warmupSteps) : after(t - warmupSteps);
    }

    /// <summary>
    /// One-cycle policy with cosine annealing (PyTorch OneCycleLR, <c>anneal_strategy='cos'</c>). With
    /// <c>η_start = η_max/d</c> and <c>η_end = η_start/f</c>: two phases rise from η_start to η_max until step
    /// <c>s₁ = p·T − 1</c> and fall to η_end at step <c>T − 1</c>; three phases rise until <c>p·T − 1</c>, fall back
    /// to η_start at <c>2p·T − 2</c> and fall to η_end at <c>T − 1</c>. Within a phase from step a to b,
    /// <c>η = end + (start − end)/2·(1 + cos(π·(t − a)/(b − a)))</c>. Steps past T − 1 extrapolate the last phase as PyTorch does for t = T; later ones stay at η_end.
    /// </summary>
    /// <param name="maxLearningRate">η_max &gt;= 0.</param>
    /// <param name="totalSteps">T &gt;= 2.</param>
    /// <param name="percentStart">p in (0, 1), the fraction of steps spent rising.</param>
    /// <param name="divFactor">d &gt; 0.</param>
    /// <param name="finalDivFactor">f &gt; 0.</param>
    /// <param name="threePhase">Whether to use the three-phase variant.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static Schedule OneCycle(double maxLearningRate, long totalSteps, double percentStart = 0.3, double divFactor = 25, double finalDivFactor = 1e4, bool threePhase = false)
    {
        Require.NonNegative(maxLearningRate, nameof(maxLearningRate));
        Require.AtLeast(totalSteps, 2, nameof(totalSteps));
        Require.InOpen(percentStart, 0, 1, nameof(percentStart));
        Require.Positive(divFactor, nameof(divFactor));
        Require.Positive(finalDivFactor, nameof(finalDivFactor));
        double initial = maxLearningRate / divFactor;
        double minimum = initial / finalDivFactor;
        (double EndStep, double Start, double End)[] phases = threePhase
            ?
            [
                ((percentStart * totalSteps) - 1, initial, maxLearningRate),
                ((2 * percentStart * totalSteps) - 2, maxLearningRate, initial),
                (totalSteps - 1, initial, minimum),
            ]
            :
            [
                ((percentStart * totalSteps) - 1, initial, maxLearningRate),
                (totalSteps - 1, maxLearningRate, minimum),
            ];
        return t =>
        {
            double step = Math.Min(NonNegativeStep(t), totalSteps);
            double startStep = 0;
            for (int i = 0; i < phases.Length; i++)
            {
                var (endStep, start, end) = phases[i];
                if (step <= endStep || i == phases.Length - 1)
                {
                    double fraction = (step - startStep) / (endStep - startStep);
                    return end + ((start - end) / 2.0 * (Math.Cos(Math.PI * fraction) + 1));
                }

                startStep = endStep;
            }

            return minimum;
        };
    }

    private static long NonNegativeStep(long step) => step >= 0
        ? step
        : throw new ArgumentOutOfRangeException(nameof(step), step, $"A schedule's step must be >= 0, but was {step}.");
}
