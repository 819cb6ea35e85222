using System.Numerics;
using Descent.Learning.Data;

namespace Descent.Learning.Tuning;

/// <summary>The outcome of k-fold cross-validation.</summary>
/// <param name="Mean">The mean of the fold scores.</param>
/// <param name="StandardDeviation">Their standard deviation (population form, √(Σ(sᵢ − mean)²/k), as scikit-learn reports it).</param>
/// <param name="FoldScores">The score of each fold, in fold order (fold i is validated in the i-th run).</param>
public sealed record CrossValidationResult(double Mean, double StandardDeviation, IReadOnlyList<double> FoldScores);

/// <summary>
/// k-fold cross-validation on top of <see cref="Split.KFold{T}"/>: fit on k − 1 folds, score on the held-out one, k
/// times, and report the mean and spread of the scores. <see cref="Objective{T}"/> turns it into the scoring of a
/// grid or random search.
/// </summary>
public static class CrossValidation
{
    /// <summary>Scores a fitting procedure by k-fold cross-validation.</summary>
    /// <param name="dataset">The data to partition (typically the training split; keep the test split out).</param>
    /// <param name="k">The number of folds, 2 ≤ k ≤ rows.</param>
    /// <param name="stratified">Keep class proportions in every fold (class labels only).</param>
    /// <param name="seed">The seed of the partition.</param>
    /// <param name="score">Fits on the training part and returns its score on the validation part.</param>
    /// <exception cref="ArgumentOutOfRangeException">k is below 2 or above the row count.</exception>
    /// <exception cref="ArgumentException">Stratified on regression targets.</exception>
    public static CrossValidationResult Score<T>(Dataset<T> dataset, int k, bool stratified, int seed, Func<Dataset<T>, Dataset<T>, double> score)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(score);
        var folds = Split.KFold(dataset, k, seed, stratified);
        var scores = new double[folds.Count];
        for (int i = 0; i < folds.Count; i++) scores[i] = score(folds[i].Train, folds[i].Validation);
        return Summarize(scores);
    }

    /// <summary>The mean and population standard deviation of fold scores.</summary>
    public static CrossValidationResult Summarize(IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count == 0) throw new ArgumentException("There are no fold scores.", nameof(scores));
        double mean = scores.Average();
        double variance = scores.Sum(s => (s - mean) * (s - mean)) / scores.Count;
        return new CrossValidationResult(mean, Math.Sqrt(variance), scores.ToArray());
    }

    /// <summary>
    /// A search objective that scores each trial's settings by k-fold cross-validation: every trial is fitted and
    /// scored on the same folds (partitioned once, by <paramref name="seed"/>), and receives the trial's own seed for
    /// its initialisation. The outcome's score is the mean over folds, with the fold scores and their standard
    /// deviation; it is diverged when any fold's score is not finite.
    /// </summary>
    /// <param name="dataset">The data to partition.</param>
    /// <param name="k">The number of folds.</param>
    /// <param name="stratified">Keep class proportions in every fold.</param>
    /// <param name="seed">The seed of the partition (the same for every trial).</param>
    /// <param name="fit">(settings, trial seed, train, validation) → the validation score.</param>
    /// <param name="lowerIsBetter">True for losses (the default), false for accuracy-like scores.</param>
    /// <exception cref="ArgumentOutOfRangeException">k is below 2 or above the row count.</exception>
    public static Func<Settings, int, TrialOutcome> Objective<T>(Dataset<T> dataset, int k, bool stratified, int seed,
        Func<Settings, int, Dataset<T>, Dataset<T>, double> fit, bool lowerIsBetter = true)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(fit);
        var folds = Split.KFold(dataset, k, seed, stratified);
        return (settings, trialSeed) =>
        {
            var scores = new double[folds.Count];
            for (int i = 0; i < folds.Count; i++) scores[i] = fit(settings, trialSeed, folds[i].Train, folds[i].Validation);
            var cv = Summarize(scores);
            return new TrialOutcome(cv.Mean, lowerIsBetter, scores.Any(s => !double.IsFinite(s)))
            {
                FoldScores = cv.FoldScores,
                ScoreStandardDeviation = cv.StandardDeviation,
            };
        };
    }
}
