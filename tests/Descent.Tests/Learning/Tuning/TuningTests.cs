using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Metrics;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Learning.Tuning;
using Descent.Optimization;
using Descent.Optimization.Minimization;
using Descent.Optimization.Stopping;
using RandomSearch = Descent.Learning.Tuning.HyperparameterSearch.Random;

namespace Descent.Tests.Learning.Tuning;

public class LearningRateSweepTests
{
    /// <summary>Gradient descent on L(w) = w² from w = 10 for 20 steps: w ← (1 − 2η)·w.</summary>
    private static TrialOutcome Parabola(double learningRate, int seed)
        => TrialOutcome.FromMinimization(Minimizer.Minimize(w => w.Square().Sum(), [10.0], Optimizers.GradientDescent<double>(learningRate), new MaxSteps(20)));

    [Fact]
    public void DecadesRunFromMinToMax()
    {
        Assert.Equal(new[] { 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1 }, LearningRateSweep.Decades());
        Assert.Equal(new[] { 1e-3, 1e-2, 1e-1, 0.5 }, LearningRateSweep.Decades(1e-3, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSweep.Decades(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSweep.Decades(1, 0.1));
    }

    /// <summary>1e-300..1e300 is 601 decades (max/min overflows to ∞, which used to loop until memory ran out).</summary>
    [Fact]
    public void DecadesSpanningTheWholeDoubleRangeAreCounted()
    {
        var rates = LearningRateSweep.Decades(1e-300, 1e300);
        Assert.Equal(601, rates.Count);
        Assert.Equal(1e-300, rates[0]);
        Assert.Equal(1e300, rates[^1]);
        Assert.Equal(1e10, rates[310]);
        Assert.All(rates.Zip(rates.Skip(1)), p => Assert.Equal(10, p.Second / p.First, 1e-9));
    }

    [Fact]
    public void FindsATenthOnTheParabolaThenRefinesInsideThatDecade()
    {
        var sweep = LearningRateSweep.Run(Parabola, new LearningRateSweepOptions { FineTrials = 10, Seed = 3 });

        Assert.Equal(6, sweep.Coarse.Count);
        Assert.Equal(10, sweep.Fine.Count);
        Assert.Equal(16, sweep.Trials.Count);
        Assert.Equal(0.1, sweep.Coarse[0].LearningRate, 1e-15);           // best decade: 0.1 (1.0 oscillates, 0.01 is too slow)
        Assert.Equal(0.1 / Math.Sqrt(10), sweep.BestDecade.Low, 1e-12);
        Assert.Equal(0.1 * Math.Sqrt(10), sweep.BestDecade.High, 1e-12);
        Assert.All(sweep.Fine, t => Assert.InRange(t.LearningRate, sweep.BestDecade.Low, sweep.BestDecade.High));
        Assert.InRange(sweep.BestLearningRate, 0.0316, 0.317);           // "0.1-ish"
        Assert.True(sweep.Best.Outcome.Score <= sweep.Coarse[0].Outcome.Score);
        for (int i = 1; i < sweep.Trials.Count; i++) Assert.True(sweep.Trials[i - 1].Outcome.Score <= sweep.Trials[i].Outcome.Score);
        Assert.Equal(Enumerable.Range(0, 16), sweep.RunOrder.Select(t => t.Index));
        Assert.All(sweep.Trials, t => Assert.NotNull(t.Outcome.LossCurve));
        Assert.Equal(21, sweep.Best.Outcome.LossCurve!.Count);            // steps 0…20
        Assert.Contains("learning rate", sweep.ToTable());
    }

    [Fact]
    public void DivergedTrialsAreFlaggedAndRankLast()
    {
        var sweep = LearningRateSweep.Run(Parabola, new LearningRateSweepOptions { Max = 100, FineTrials = 4 });
        var diverged = sweep.Trials.Where(t => t.Outcome.Diverged).Select(t => t.LearningRate).ToArray();
        Assert.Equal(new[] { 10.0, 100.0 }, diverged.Order());                    // |1 − 2η| > 1
        Assert.All(sweep.Trials.TakeLast(2), t => Assert.True(t.Outcome.Diverged));
        Assert.All(sweep.Coarse.TakeLast(2), t => Assert.True(t.Outcome.Diverged));
        Assert.False(sweep.Best.Outcome.Diverged);
        Assert.Contains("diverged", sweep.ToTable());
    }

    [Fact]
    public void SameSeedSameSweepAndParallelEqualsSequential()
    {
        static double[] Rates(LearningRateSweepResult r) => r.RunOrder.Select(t => t.LearningRate).ToArray();
        static double[] Scores(LearningRateSweepResult r) => r.RunOrder.Select(t => t.Outcome.Score).ToArray();
        var sequential = LearningRateSweep.Run(Parabola, new LearningRateSweepOptions { Seed = 7, MaxDegreeOfParallelism = 1, SharedSeed = false });
        var parallel = LearningRateSweep.Run(Parabola, new LearningRateSweepOptions { Seed = 7, MaxDegreeOfParallelism = 4, SharedSeed = false });
        var other = LearningRateSweep.Run(Parabola, new LearningRateSweepOptions { Seed = 8, MaxDegreeOfParallelism = 4, SharedSeed = false });

        Assert.Equal(Rates(sequential), Rates(parallel));
        Assert.Equal(Scores(sequential), Scores(parallel));
        Assert.Equal(sequential.RunOrder.Select(t => t.Seed), parallel.RunOrder.Select(t => t.Seed));
        Assert.Equal(sequential.Trials.Select(t => t.Index), parallel.Trials.Select(t => t.Index));
        Assert.Equal(16, sequential.RunOrder.Select(t => t.Seed).Distinct().Count());
        Assert.NotEqual(Rates(sequential)[6..], Rates(other)[6..]);         // the fine phase depends on the seed
        Assert.Equal(Rates(sequential)[..6], Rates(other)[..6]);            // the decades do not
    }
}

public class SearchTests
{
    [Fact]
    public void GridVisitsEveryPointWithTheLastSettingFastest()
    {
        var space = new SearchSpace
        {
            ["lr"] = Domain.Range(1e-3, 1e-1, logScale: true, gridPoints: 3),
            ["kind"] = Domain.Values("a", "b"),
            ["hidden"] = Domain.IntRange(1, 3),
        };
        var points = HyperparameterSearch.Grid.Points(space);
        Assert.Equal(18, space.GridSize);
        Assert.Equal(18, points.Count);
        Assert.Equal("lr=0.001, kind=a, hidden=1", points[0].ToString());
        Assert.Equal("lr=0.001, kind=a, hidden=2", points[1].ToString());
        Assert.Equal("lr=0.01, kind=a, hidden=1", points[6].ToString());
        Assert.Equal("lr=0.1, kind=b, hidden=3", points[^1].ToString());
        Assert.Equal(0.01, points[6].Double("lr"), 1e-15);
        Assert.Equal(3, points[^1].Int("hidden"));
        Assert.Equal("b", points[^1].Get<string>("kind"));
        Assert.Throws<KeyNotFoundException>(() => points[0].Double("momentum"));
        Assert.Throws<InvalidCastException>(() => points[0].Double("kind"));
    }

    private static TrialOutcome Bowl(Settings s, int seed) => new((s.Double("x") - 0.3) * (s.Double("x") - 0.3) + (s.Get<string>("kind") == "b" ? 0 : 1));

    [Fact]
    public void GridSearchRanksByScoreInEitherDirection()
    {
        var space = new SearchSpace { ["x"] = Domain.Range(0, 1, gridPoints: 11), ["kind"] = Domain.Values("a", "b") };
        var result = HyperparameterSearch.Grid.Run(space, Bowl, new SearchOptions { Seed = 1 });
        Assert.Equal(22, result.Trials.Count);
        Assert.Equal(0.3, result.Best.Settings.Double("x"), 1e-12);
        Assert.Equal("b", result.Best.Settings["kind"]);
        Assert.Equal(Enumerable.Range(0, 22), result.RunOrder.Select(t => t.Index));
        for (int i = 1; i < 22; i++) Assert.True(result.Trials[i - 1].Outcome.Score <= result.Trials[i].Outcome.Score);

        var higher = HyperparameterSearch.Grid.Run(space, (s, seed) => Bowl(s, seed) with { LowerIsBetter = false });
        Assert.Equal(1.0, higher.Best.Settings.Double("x"));
        Assert.Equal("a", higher.Best.Settings["kind"]);
        string table = result.ToTable();
        Assert.StartsWith("rank  x", table);
        Assert.Contains("kind", table);
    }

    [Fact]
    public void FailedTrialsRankLastAndMixedDirectionsAreRefused()
    {
        var space = new SearchSpace { ["x"] = Domain.Values(1.0, 2.0, 3.0, 4.0) };
        var result = HyperparameterSearch.Grid.Run(space, (s, _) => s.Double("x") switch
        {
            1.0 => new TrialOutcome(double.NaN),
            2.0 => new TrialOutcome(0.5, Diverged: true),
            _ => new TrialOutcome(s.Double("x")),
        });
        Assert.Equal(new[] { 3.0, 4.0, 1.0, 2.0 }, result.Trials.Select(t => t.Settings.Double("x")));
        Assert.True(result.Trials[2].Outcome.Failed);
        Assert.Throws<InvalidOperationException>(() => HyperparameterSearch.Grid.Run(space, (s, _) => new TrialOutcome(1, LowerIsBetter: s.Double("x") > 2)));
    }

    [Fact]
    public void RandomSearchDrawsLogUniformlyAndDeterministically()
    {
        var space = new SearchSpace
        {
            ["lr"] = Domain.Range(1e-4, 1, logScale: true),
            ["layers"] = Domain.IntRange(1, 4),
            ["act"] = Domain.Values("relu", "tanh"),
        };
        var points = HyperparameterSearch.Random.Points(space, 2000, seed: 5);
        Assert.Equal(points.Select(p => p.ToString()), HyperparameterSearch.Random.Points(space, 2000, seed: 5).Select(p => p.ToString()));
        Assert.NotEqual(points.Select(p => p.ToString()), HyperparameterSearch.Random.Points(space, 2000, seed: 6).Select(p => p.ToString()));
        var lr = points.Select(p => p.Double("lr")).ToArray();
        Assert.All(lr, v => Assert.InRange(v, 1e-4, 1));
        Assert.InRange(lr.Count(v => v < 1e-2) / 2000.0, 0.45, 0.55);    // half the decades, half the draws
        Assert.Equal(new[] { 1, 2, 3, 4 }, points.Select(p => p.Int("layers")).Distinct().Order());
        Assert.Equal(new[] { "relu", "tanh" }, points.Select(p => p.Get<string>("act")).Distinct().Order());
    }

    /// <summary>Logistic regression on blobs with the trainer: a real, seeded trial.</summary>
    private static TrialOutcome FitLogistic(Settings s, int seed)
    {
        var train = SyntheticData.Blobs(64, std: 2, seed: 1);
        var validation = SyntheticData.Blobs(64, std: 2, seed: 2);
        var model = new LogisticRegression<double>(2, seed: seed, init: Descent.Learning.Initializers.Normal<double>(0, 1));
        var trainer = new Trainer<double>(model, (p, y) => Loss.BinaryCrossEntropy(p, y), Optimizers.Sgd<double>(s.Double("lr")),
            new TrainerOptions { Epochs = s.Int("epochs") });
        return TrialOutcome.FromHistory(trainer.Fit(DataLoader<double>.MiniBatches(train, 16, seed), validation));
    }

    [Fact]
    public void ParallelTrainerTrialsEqualSequentialOnes()
    {
        var space = new SearchSpace { ["lr"] = Domain.Range(1e-3, 1, logScale: true), ["epochs"] = Domain.IntRange(2, 6) };
        var sequential = HyperparameterSearch.Random.Run(space, 8, FitLogistic, new SearchOptions { Seed = 11, MaxDegreeOfParallelism = 1 });
        var parallel = HyperparameterSearch.Random.Run(space, 8, FitLogistic, new SearchOptions { Seed = 11, MaxDegreeOfParallelism = 4 });
        Assert.Equal(sequential.RunOrder.Select(t => t.Outcome.Score), parallel.RunOrder.Select(t => t.Outcome.Score));
        Assert.Equal(sequential.RunOrder.Select(t => t.Seed), parallel.RunOrder.Select(t => t.Seed));
        Assert.Equal(sequential.Trials.Select(t => t.Index), parallel.Trials.Select(t => t.Index));
        Assert.Equal(8, sequential.RunOrder.Select(t => t.Seed).Distinct().Count());

        var shared = HyperparameterSearch.Random.Run(space, 3, FitLogistic, new SearchOptions { Seed = 11, SharedSeed = true });
        Assert.All(shared.RunOrder, t => Assert.Equal(11, t.Seed));
    }
}

public class CrossValidationTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(7, 7)]
    [InlineData(23, 5)]
    public void EveryRowIsValidatedOnceAndTheScoresAverage(int n, int k)
    {
        var data = new Dataset<double>(Tensor.FromArray(Enumerable.Range(0, n).Select(i => (double)i).ToArray(), n, 1), Tensor.Zeros<double>(n, 1));
        var seen = new List<int>();
        var sizes = new List<int>();
        var cv = CrossValidation.Score(data, k, stratified: false, seed: 4, (train, validation) =>
        {
            var t = train.X.ToArray().Select(v => (int)v).ToArray();
            var v = validation.X.ToArray().Select(v => (int)v).ToArray();
            Assert.Empty(t.Intersect(v));
            Assert.Equal(n, t.Length + v.Length);
            seen.AddRange(v);
            sizes.Add(v.Length);
            return v.Sum();                                              // the fold's score: the sum of its row ids
        });
        Assert.Equal(Enumerable.Range(0, n), seen.Order());
        Assert.True(sizes.Max() - sizes.Min() <= 1);
        Assert.Equal(k, cv.FoldScores.Count);
        Assert.Equal(n * (n - 1) / 2.0 / k, cv.Mean, 1e-9);
        double std = Math.Sqrt(cv.FoldScores.Sum(s => (s - cv.Mean) * (s - cv.Mean)) / k);
        Assert.Equal(std, cv.StandardDeviation, 1e-9);
    }

    [Fact]
    public void StratifiedFoldsKeepClassProportions()
    {
        var labels = Enumerable.Range(0, 40).Select(i => i < 30 ? 0.0 : 1.0).ToArray();   // 3 : 1
        var data = new Dataset<double>(Tensor.Zeros<double>(40, 1), Tensor.FromArray(labels), classCount: 2);
        var cv = CrossValidation.Score(data, 5, stratified: true, seed: 1, (_, validation) => validation.GetLabels().Count(c => c == 1));
        Assert.All(cv.FoldScores, s => Assert.Equal(2.0, s));
        Assert.Equal(0.0, cv.StandardDeviation);
    }

    [Fact]
    public void SummaryOfKnownScores()
    {
        var cv = CrossValidation.Summarize([1.0, 2.0, 3.0, 4.0]);
        Assert.Equal(2.5, cv.Mean);
        Assert.Equal(Math.Sqrt(1.25), cv.StandardDeviation, 1e-15);
    }

    /// <summary>Linear regression with the trainer, 40 full-batch epochs; NaN when the run diverged.</summary>
    private static double FitLinear(Settings s, int seed, Dataset<double> train, Dataset<double> validation)
    {
        var model = new LinearRegression<double>(2, seed: seed);
        var trainer = new Trainer<double>(model, (p, y) => Loss.HalfMeanSquaredError(p, y), Optimizers.GradientDescent<double>(s.Double("lr")),
            new TrainerOptions { Epochs = 40 });
        var history = trainer.Fit(DataLoader<double>.FullBatch(train));
        return history.StopReason!.Kind == StopKind.Diverged ? double.NaN : trainer.Evaluate(validation).Loss;
    }

    [Fact]
    public void CrossValidationScoresAGridSearch()
    {
        var data = SyntheticData.Linear(60, [2.0, -1.0], bias: 0.5, noise: 0.1, seed: 3);
        var space = new SearchSpace { ["lr"] = Domain.Values(1e-3, 1e-2, 1e-1, 5.0) };
        var objective = CrossValidation.Objective<double>(data, k: 4, stratified: false, seed: 2, FitLinear);
        var result = HyperparameterSearch.Grid.Run(space, objective, new SearchOptions { Seed = 9, MaxDegreeOfParallelism = 2 });

        Assert.Equal(0.1, result.Best.Settings.Double("lr"));
        Assert.Equal(5.0, result.Trials[^1].Settings.Double("lr"));
        Assert.True(result.Trials[^1].Outcome.Diverged);
        var best = result.Best.Outcome;
        Assert.Equal(4, best.FoldScores!.Count);
        Assert.Equal(best.FoldScores.Average(), best.Score, 1e-12);
        Assert.NotNull(best.ScoreStandardDeviation);
        Assert.Contains(" ± ", result.ToTable());

        // The same folds score each trial: recomputing the best one by hand gives the same mean.
        var again = CrossValidation.Score(data, 4, false, 2, (train, validation) => FitLinear(result.Best.Settings, result.Best.Seed, train, validation));
        Assert.Equal(best.Score, again.Mean, 1e-12);
    }
}
