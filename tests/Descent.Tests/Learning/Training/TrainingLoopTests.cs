using CsCheck;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Metrics;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;

namespace Descent.Tests.Learning.Training;

/// <summary>
/// The data path and the callbacks of the training loop: a loader over chosen rows, the row split, chunked prediction
/// and evaluation, and the callback records that carry what tracking and the live page show.
/// </summary>
public class TrainingLoopTests
{
    /// <summary>Batches over rows in place equal a loader's batches over a copy of those rows; the row split equals the dataset split.</summary>
    [Fact]
    public void LoaderOverRowsEqualsTheLoaderOverTheSlicedRows()
    {
        Gen.Select(Gen.Int[2, 120], Gen.Int[1, 40], Gen.Double[0.05, 0.9], Gen.Int[0, 1000]).Sample((n, size, fraction, seed) =>
        {
            var data = SyntheticData.Blobs(n, 3, 1, seed).Cast<float>();
            var (trainRows, testRows) = Split.TrainTestRows(n, fraction, seed);
            var (train, test) = Split.TrainTest(data, fraction, seed);
            Assert.Equal(test.X.ToDoubleArray(), data.Slice(testRows).X.ToDoubleArray());
            Assert.Equal(train.Y.ToDoubleArray(), data.Slice(trainRows).Y.ToDoubleArray());
            if (trainRows.Length == 0) return;
            IBatchSource<float> expected = DataLoader<float>.MiniBatches(train, size, seed);
            var loader = DataLoader<float>.MiniBatches(data, size, seed, rows: trainRows);
            IBatchSource<float> actual = loader;
            Assert.Equal(trainRows.Length, actual.ExampleCount);
            for (int epoch = 0; epoch < 2; epoch++)
            {
                var e = expected.Batches(epoch).Select(b => b.Features.ToDoubleArray().Concat(b.Targets.ToDoubleArray()).ToArray()).ToList();
                var a = actual.Batches(epoch).Select(b => b.Features.ToDoubleArray().Concat(b.Targets.ToDoubleArray()).ToArray()).ToList();
                Assert.Equal(e.Count, loader.BatchCount);
                Assert.Equal(e, a);
            }
        }, iter: 60);
    }

    [Fact]
    public void LoaderOverRowsPrefetchesTheSameBatchesAndResumes()
    {
        // Large enough batches to take the prefetching path; the enumerator's State/Restore continues mid-epoch.
        // 500 rows × 20 features per batch: above the size from which the loader prefetches.
        var data = new Dataset<double>(Tensor.RandomNormal<double>([2000, 20], 5), Tensor.RandomNormal<double>([2000, 1], 6));
        var (rows, _) = Split.TrainTestRows(data.Count, 0.25, 5);
        var loader = DataLoader<double>.MiniBatches(data, 500, 9, rows: rows);
        var copy = DataLoader<double>.MiniBatches(data.Slice(rows), 500, 9);
        IBatchSource<double> source = loader;
        var prefetched = source.Batches(1).Select(b => b.Features.ToDoubleArray()).ToList();
        Assert.Equal(copy.GetBatch(1, 1).X.ToDoubleArray(), prefetched[1]);
        loader.Restore(new DataLoaderState(1, 1));
        Assert.Equal(prefetched.Skip(1), loader.Select(b => b.X.ToDoubleArray()));
        Assert.Equal(new DataLoaderState(2, 0), loader.State);
        Assert.Equal(Enumerable.Range(0, copy.BatchCount).Select(i => copy.GetBatch(2, i).Y.ToDoubleArray()), loader.Select(b => b.Y.ToDoubleArray()));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataLoader<double>.MiniBatches(data, 10, 0, rows: [0, data.Count]));
    }

    /// <summary>Chunked prediction equals one forward pass, for any row count, chunk size and choice of rows.</summary>
    [Fact]
    public void ChunkedPredictionEqualsOnePass()
    {
        Gen.Select(Gen.Int[1, 60], Gen.Int[1, 25], Gen.Int[1, 6], Gen.Int[0, 1000]).Sample((n, chunk, features, seed) =>
        {
            var model = new Mlp<double>(features, [7], 3, seed: seed);
            var x = Tensor.RandomNormal<double>([n, features], seed);
            var whole = model.Forward(x).ToDoubleArray();
            var chunked = model.Predict(x, chunkRows: chunk);
            Assert.Equal([n, 3], chunked.ShapeArray);
            var values = chunked.ToDoubleArray();
            for (int i = 0; i < whole.Length; i++) Assert.Equal(whole[i], values[i], 1e-12);
            int[] rows = [.. Enumerable.Range(0, n).Where(i => i % 3 != 1).Reverse()];
            var some = model.Predict(x, rows, chunk).ToDoubleArray();
            var expected = model.Forward(Dataset<double>.GatherRows(x, rows)).ToDoubleArray();
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], some[i], 1e-12);
            Assert.True(model.IsTraining);
        }, iter: 100);
    }

    [Fact]
    public void EvaluateOnRowsEqualsEvaluateOnTheSlice()
    {
        var data = SyntheticData.Spirals(3000, 3, 0.1, 2).Cast<float>();
        var model = new Mlp<float>(2, [16], 3, seed: 4);
        var metrics = new Dictionary<string, Func<Tensor<double>, Tensor<double>, double>> { ["accuracy"] = Metric.Accuracy };
        var trainer = new Trainer<float>(model, Loss.FromName<float>("cross-entropy"), Optimizers.GradientDescent<float>(0.1), new TrainerOptions { Epochs = 2, Metrics = metrics });
        trainer.Fit(DataLoader<float>.MiniBatches(data, 256, 0));
        int[] rows = [.. Enumerable.Range(0, data.Count).Where(i => i % 4 == 0)];
        var (onRows, rowMetrics) = trainer.Evaluate(data, "x_", rows);
        var (onSlice, sliceMetrics) = trainer.Evaluate(data.Slice(rows), "x_");
        Assert.Equal(onSlice, onRows);
        Assert.Equal(sliceMetrics, rowMetrics);
        Assert.True(model.IsTraining);
    }

    private sealed class Recorder : ITrainingCallback
    {
        public List<BatchRecord> Batches { get; } = [];

        public List<EpochRecord> Epochs { get; } = [];

        public void OnBatchEnd(BatchRecord batch) => Batches.Add(batch);

        public void OnEpochEnd(EpochRecord epoch) => Epochs.Add(epoch);
    }

    [Fact]
    public void CallbacksSeeTheLearningRateAndGradientNormWithoutTheOptimizer()
    {
        // One example per batch and plain gradient descent on ½(wx − y)²: the gradient norm is |(wx − y)·x| by hand.
        var data = new Dataset<double>(Tensor.FromArray([1.0, 2.0], 2, 1), Tensor.FromArray([3.0, 1.0], 2, 1));
        var model = new LinearRegression<double>(1, 1, 0);
        foreach (var p in model.Parameters()) p.Data.Clear();
        var trainer = new Trainer<double>(model, (p, y) => Loss.HalfMeanSquaredError(p, y), Optimizers.GradientDescent<double>(Schedules.StepDecay(0.1, 2, 0.5)),
            new TrainerOptions { Epochs = 2 });
        var recorder = new Recorder();
        var removed = new Recorder();
        trainer.AddCallback(recorder);
        trainer.AddCallback(removed).Dispose();
        var events = new List<BatchRecord>();
        trainer.BatchEnded += events.Add;
        trainer.Fit(new TestBatches<double>(data, 1, 0));
        Assert.Empty(removed.Batches);
        Assert.Empty(removed.Epochs);
        Assert.Equal(4, recorder.Batches.Count);
        Assert.Equal(events, recorder.Batches);
        Assert.Equal(2, recorder.Epochs.Count);
        // Rates after steps 1..4 of StepDecay(0.1, every 2, ×0.5): 0.1, 0.05, 0.05, 0.025; changes flagged on the first and on each drop.
        Assert.Equal([0.1, 0.05, 0.05, 0.025], recorder.Batches.Select(b => b.LearningRate!.Value));
        Assert.Equal([true, true, false, true], recorder.Batches.Select(b => b.LearningRateChanged));
        Assert.Equal(0.025, recorder.Epochs[^1].LearningRate);
        // First batch: w = b = 0, so the prediction is 0 and the gradient is (0 − y)·(x, 1): its norm is |y|·√(x² + 1).
        var first = recorder.Batches[0];
        double y0 = first.Loss == 4.5 ? 3 : 1, x0 = y0 == 3 ? 1 : 2;
        Assert.Equal(y0 * Math.Sqrt((x0 * x0) + 1), first.GradientNorm, 1e-12);
        Assert.Equal(recorder.Epochs[0].GradientNorm, (recorder.Batches[0].GradientNorm + recorder.Batches[1].GradientNorm) / 2, 1e-12);
    }

    [Fact]
    public void HistoryRecordsWriteAndReadTheirOwnJson()
    {
        var record = new EpochRecord(3, 0.25, null, 1e-3, double.PositiveInfinity, 1.5, new Dictionary<string, double> { ["val_accuracy"] = double.NaN, ["r2"] = -0.5 });
        string json = record.ToJson();
        Assert.Equal("""{"epoch":3,"train_loss":0.25,"learning_rate":0.001,"gradient_norm":"Infinity","seconds":1.5,"metrics":{"val_accuracy":"NaN","r2":-0.5}}""", json);
        var back = EpochRecord.FromJson(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.Equal(record with { Metrics = back.Metrics }, back);
        Assert.Equal(record.Metrics, back.Metrics);
        Assert.Contains("\"val_loss\":0.5", (record with { ValidationLoss = 0.5 }).ToJson(), StringComparison.Ordinal);

        var partial = new PartialEpoch(4, 2, 20, 3.5, double.NaN, 0.25);
        Assert.Equal("""{"epoch":4,"batches":2,"examples":20,"loss_sum":3.5,"gradient_norm_sum":"NaN","seconds":0.25}""", partial.ToJson());
        Assert.Equal(partial, PartialEpoch.FromJson(partial.ToJson()));
        Assert.Throws<System.Text.Json.JsonException>(() => EpochRecord.FromJson("{\"epoch\":1}"u8));
    }
}
