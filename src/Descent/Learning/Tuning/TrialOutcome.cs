using Descent.Learning.Training;
using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;

namespace Descent.Learning.Tuning;

/// <summary>
/// What one trial of a search produced: its score, which direction is better, whether it diverged, and the loss
/// curve for plots. A diverged trial, or one whose score is not a finite number, ranks after every other trial.
/// </summary>
/// <param name="Score">The trial's score (a loss, or a metric such as accuracy).</param>
/// <param name="LowerIsBetter">True for losses and errors (the default), false for accuracy-like scores.</param>
/// <param name="Diverged">True when the run diverged (its score is then not compared).</param>
/// <param name="LossCurve">The loss per step or epoch, for plots; may be null.</param>
public sealed record TrialOutcome(double Score, bool LowerIsBetter = true, bool Diverged = false, IReadOnlyList<double>? LossCurve = null)
{
    /// <summary>For cross-validated trials: the score of every fold (<see cref="Score"/> is their mean).</summary>
    public IReadOnlyList<double>? FoldScores { get; init; }

    /// <summary>For cross-validated trials: the standard deviation of <see cref="FoldScores"/>.</summary>
    public double? ScoreStandardDeviation { get; init; }

    /// <summary>True when the trial cannot be ranked by its score: it diverged or its score is NaN or infinite. Such trials rank last.</summary>
    public bool Failed => Diverged || !double.IsFinite(Score);

    /// <summary>
    /// The outcome of a minimization: the final value (lower is better), diverged when the run's stop reason says so,
    /// and the recorded values as the loss curve.
    /// </summary>
    public static TrialOutcome FromMinimization(MinimizeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new TrialOutcome(result.Value, true, result.Diverged, result.Trajectory.Select(p => p.Value).ToArray());
    }

    /// <summary>
    /// The outcome of a training run: by default the last epoch's validation loss (its train loss when there was no
    /// validation set), or the last epoch's <paramref name="metric"/> (e.g. "val_accuracy") when one is named.
    /// Diverged when training stopped because the loss diverged. The loss curve is the per-epoch train loss.
    /// </summary>
    /// <exception cref="ArgumentException">The history is empty, or the named metric was not recorded.</exception>
    public static TrialOutcome FromHistory(History history, string? metric = null, bool lowerIsBetter = true)
    {
        ArgumentNullException.ThrowIfNull(history);
        var curve = history.Epochs.Select(e => e.TrainLoss).ToArray();
        bool diverged = history.StopReason?.Kind == StopKind.Diverged;
        if (history.Epochs.Count == 0)
        {
            if (diverged) return new TrialOutcome(double.NaN, lowerIsBetter, true, curve);
            throw new ArgumentException("The history has no epochs to score.", nameof(history));
        }
        var last = history.Epochs[^1];
        double score;
        if (metric is null) score = last.ValidationLoss ?? last.TrainLoss;
        else if (!last.Metrics.TryGetValue(metric, out score))
        {
            if (diverged) score = double.NaN;
            else throw new ArgumentException($"The history's last epoch has no metric '{metric}'; it has: {(last.Metrics.Count == 0 ? "none" : string.Join(", ", last.Metrics.Keys))}.", nameof(metric));
        }
        return new TrialOutcome(score, lowerIsBetter, diverged, curve);
    }
}

/// <summary>Orders trial outcomes: successful trials by score (in each one's direction), failed trials last, ties by trial index.</summary>
internal static class Ranking
{
    /// <summary>The trial indices ordered best first.</summary>
    public static int[] Order(IReadOnlyList<TrialOutcome> outcomes)
    {
        if (outcomes.Count > 0 && outcomes.Any(o => o.LowerIsBetter != outcomes[0].LowerIsBetter))
            throw new InvalidOperationException("The trials disagree on whether a lower score is better; every trial of a search must score in the same direction.");
        var order = Enumerable.Range(0, outcomes.Count).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var x = outcomes[a];
            var y = outcomes[b];
            if (x.Failed != y.Failed) return x.Failed ? 1 : -1;
            if (!x.Failed)
            {
                int c = x.Score.CompareTo(y.Score);
                if (c != 0) return x.LowerIsBetter ? c : -c;
            }
            return a.CompareTo(b);
        });
        return order;
    }

    /// <summary>The seed of trial <paramref name="index"/> under <paramref name="masterSeed"/>: independent of scheduling and of the other trials.</summary>
    public static int TrialSeed(int masterSeed, int index)
        => (int)(Data.DataRandom.ForStream(masterSeed, index).NextUInt64() & int.MaxValue);
}
