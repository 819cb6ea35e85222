using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Metrics;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Learning.Training;

/// <summary>Shuffled mini-batches whose order depends only on (seed, epoch), as a resumable loader must.</summary>
internal sealed class TestBatches<T>(Dataset<T> data, int batchSize, int seed) : IBatchSource<T> where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
{
    public int ExampleCount => data.Count;

    public IEnumerable<(Tensor<T> Features, Tensor<T> Targets)> Batches(int epoch)
    {
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(seed * 1000 + epoch).Shuffle(order);
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var part = data.Slice(order[start..Math.Min(order.Length, start + batchSize)]);
            yield return (part.X, part.Y);
        }
    }
}

public class TrainerTests
{
    private static Dataset<double> SeedLinear() => new(Tensor.FromArray([1.0, 2, 3, 4, 5, 6, 8], 7, 1), Tensor.FromArray([5.5, 6, 6.5, 7, 7.5, 8, 9], 7, 1));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(42)]
    public void ReferenceLinearRegressionReachesFiveAndAHalf(int seed)
    {
        var data = SeedLinear();
        var model = new LinearRegression<double>(1, 1, seed, Descent.Learning.Initializers.Normal<double>(0, 1));
        var trainer = new Trainer<double>(model, (p, y) => Loss.HalfMeanSquaredError(p, y), Optimizers.GradientDescent<double>(8e-3),
            new TrainerOptions { Epochs = 5000 });
        var history = trainer.Fit(new TestBatches<double>(data, data.Count, 0));
        Assert.Equal(5000, history.Epochs.Count);
        Assert.Equal(5.0, model.Bias.Item(), 2e-3);
        Assert.Equal(0.5, model.Weight.Item(), 2e-3);
        Assert.True(history.FinalTrainLoss < 1e-6, $"final half-MSE {history.FinalTrainLoss}");
        Assert.Equal(StopKind.MaxSteps, history.StopReason!.Kind);
    }

    private static Dataset<double> Blobs(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n, 2];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 2;
            x[i, 0] = (c == 0 ? -2 : 2) + random.NextDouble() - 0.5;
            x[i, 1] = (c == 0 ? -1 : 1) + random.NextDouble() - 0.5;
            y[i] = c;
        }
        return new Dataset<double>(Tensor.FromArray(x), Tensor.FromArray(y), classCount: 2);
    }

    [Fact]
    public void ResumeFromCheckpointContinuesBitIdentically()
    {
        var data = Blobs(64, 1);
        Trainer<double> Make(Mlp<double> model, int epochs, string? path = null) =>
            new(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Adam<double>(0.01), new TrainerOptions { Epochs = epochs, CheckpointPath = path });

        var straight = new Mlp<double>(2, [8], 2, seed: 3);
        Make(straight, 10).Fit(new TestBatches<double>(data, 16, 9));

        var path = Path.Combine(Path.GetTempPath(), $"descent-ckpt-{Guid.NewGuid():N}.safetensors");
        try
        {
            var first = new Mlp<double>(2, [8], 2, seed: 3);
            Make(first, 5, path).Fit(new TestBatches<double>(data, 16, 9));

            var resumed = new Mlp<double>(2, [8], 2, seed: 99);
            var trainer = Make(resumed, 10);
            trainer.LoadCheckpoint(path);
            Assert.Equal(5, trainer.History.Epochs.Count);
            var history = trainer.Fit(new TestBatches<double>(data, 16, 9));
            Assert.Equal(10, history.Epochs.Count);

            var a = straight.Parameters();
            var b = resumed.Parameters();
            for (int i = 0; i < a.Count; i++) Assert.Equal(a[i].ToArray(), b[i].ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CorruptedOrTruncatedCheckpointIsRefusedAndNothingChanges()
    {
        var data = Blobs(16, 2);
        var path = Path.Combine(Path.GetTempPath(), $"descent-ckpt-{Guid.NewGuid():N}.safetensors");
        try
        {
            var model = new Mlp<double>(2, [4], 2, seed: 1);
            var trainer = new Trainer<double>(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Sgd<double>(0.1), new TrainerOptions { Epochs = 1, CheckpointPath = path });
            trainer.Fit(new TestBatches<double>(data, 16, 1));

            var bytes = File.ReadAllBytes(path);
            bytes[^3] ^= 0xFF;
            File.WriteAllBytes(path, bytes);
            var fresh = new Mlp<double>(2, [4], 2, seed: 5);
            var before = fresh.Parameters()[0].ToArray();
            var t2 = new Trainer<double>(fresh, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Sgd<double>(0.1));
            var ex = Assert.Throws<CheckpointException>(() => t2.LoadCheckpoint(path));
            Assert.Contains("checksum", ex.Message);
            Assert.Equal(before, fresh.Parameters()[0].ToArray());

            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            Assert.Throws<CheckpointException>(() => t2.LoadCheckpoint(path));

            var other = new Trainer<double>(new Mlp<double>(2, [5], 2), (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Sgd<double>(0.1));
            trainer.SaveCheckpoint(path);
            var mismatch = Assert.Throws<CheckpointException>(() => other.LoadCheckpoint(path));
            Assert.Contains("shape", mismatch.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void DivergenceStopsAndKeepsFiniteParameters()
    {
        var data = SeedLinear();
        var model = new LinearRegression<double>();
        var trainer = new Trainer<double>(model, (p, y) => Loss.MeanSquaredError(p, y), Optimizers.GradientDescent<double>(10), new TrainerOptions { Epochs = 1000 });
        var history = trainer.Fit(new TestBatches<double>(data, 7, 0));
        Assert.Equal(StopKind.Diverged, history.StopReason!.Kind);
        Assert.True(history.Epochs.Count < 1000);
        Assert.All(model.Parameters(), p => Assert.All(p.ToArray(), v => Assert.True(double.IsFinite(v))));
    }

    [Fact]
    public void DivergenceKeepsTheParametersAfterTheLastFiniteBatch()
    {
        var data = SeedLinear();
        var model = new LinearRegression<double>();
        var trainer = new Trainer<double>(model, (p, y) => Loss.MeanSquaredError(p, y), Optimizers.GradientDescent<double>(1e80), new TrainerOptions { Epochs = 100 });
        var afterBatch = new List<(double Loss, double[] Parameters)>();
        trainer.BatchEnded += b => afterBatch.Add((b.Loss, model.Parameters().SelectMany(p => p.ToArray()).ToArray()));
        var history = trainer.Fit(new TestBatches<double>(data, 1, 0)); // one row a batch: the loss overflows inside an epoch
        Assert.Equal(StopKind.Diverged, history.StopReason!.Kind);
        Assert.False(double.IsFinite(afterBatch[^1].Loss));
        Assert.True(afterBatch.Count > 1 && double.IsFinite(afterBatch[^2].Loss));
        // The last finite batch's step is kept (not the epoch's start), and the non-finite batch made no step.
        Assert.Equal(afterBatch[^2].Parameters, model.Parameters().SelectMany(p => p.ToArray()));
        Assert.Equal(afterBatch[^1].Parameters, afterBatch[^2].Parameters);
    }

    [Fact]
    public void CancellationStopsAtABatchBoundary()
    {
        using var cts = new CancellationTokenSource();
        var data = Blobs(64, 3);
        var trainer = new Trainer<double>(new Mlp<double>(2, [4], 2), (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Sgd<double>(0.1),
            new TrainerOptions { Epochs = 100, Cancellation = cts.Token });
        trainer.EpochEnded += e => { if (e.Epoch == 3) cts.Cancel(); };
        var history = trainer.Fit(new TestBatches<double>(data, 8, 0));
        Assert.Equal(StopKind.Cancelled, history.StopReason!.Kind);
        Assert.Equal(3, history.Epochs.Count);
    }

    [Fact]
    public void LogisticRegressionSeparatesBlobsAndReportsValidationMetrics()
    {
        var train = Blobs(200, 4);
        var validation = Blobs(100, 5);
        var model = new LogisticRegression<double>(2, seed: 1);
        var trainer = new Trainer<double>(model, (p, y) => Loss.BinaryCrossEntropy(p, y), Optimizers.Sgd<double>(0.5),
            new TrainerOptions { Epochs = 30, Metrics = new Dictionary<string, Func<Tensor<double>, Tensor<double>, double>> { ["accuracy"] = Metric.Accuracy } });
        var history = trainer.Fit(new TestBatches<double>(train, 20, 1), validation);
        Assert.True(history.Epochs[^1].Metrics["val_accuracy"] > 0.97);
        Assert.True(history.Epochs[^1].ValidationLoss < history.Epochs[0].ValidationLoss);
        // The epoch loss is the batch-size-weighted mean: check epoch 1's against a replay.
        Assert.True(double.IsFinite(history.Epochs[0].TrainLoss));
    }

    [Fact]
    public void PatienceRestoresTheBestParameters()
    {
        var train = Blobs(40, 6);
        var validation = Blobs(40, 7);
        var model = new Mlp<double>(2, [16], 2, seed: 2);
        var trainer = new Trainer<double>(model, (p, y) => Loss.SoftmaxCrossEntropy(p, y), Optimizers.Sgd<double>(0.05),
            new TrainerOptions { Epochs = 400, Stopping = new Patience(3, MetricMode.Min, 1e-3) });
        var history = trainer.Fit(new TestBatches<double>(train, 40, 0), validation);
        Assert.Equal(StopKind.Patience, history.StopReason!.Kind);
        var (restoredLoss, _) = trainer.Evaluate(validation);
        Assert.Equal(history.Epochs.Min(e => e.ValidationLoss!.Value), restoredLoss, 1e-12);
    }
}
