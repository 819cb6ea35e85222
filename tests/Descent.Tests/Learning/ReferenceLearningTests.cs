using Descent.Learning;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Metrics;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;
using Descent.Optimization.Stopping;

namespace Descent.Tests.Learning;

/// <summary>The reference behaviour, through the real loaders and datasets (no test doubles).</summary>
public class ReferenceLearningTests
{
    // docs/learning.md shows this test's body as "fitting a model".
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(42)]
    public void ReferenceLinearRegressionThroughTheFullBatchLoader(int seed)
    {
        var data = SyntheticData.SeedLinear();                                  // y = 0.5·x + 5 at 7 points
        var model = new LinearRegression<double>(features: 1, targets: 1, seed: seed, init: Initializers.Normal<double>(0, 1));
        var trainer = new Trainer<double>(model, (p, y) => Loss.HalfMeanSquaredError(p, y),
            Optimizers.GradientDescent<double>(8e-3), new TrainerOptions { Epochs = 5000 });
        var history = trainer.Fit(DataLoader<double>.FullBatch(data));

        Assert.Equal(5.0, model.Bias.Item(), 2e-3);                         // w0
        Assert.Equal(0.5, model.Weight.Item(), 2e-3);                       // w1
        Assert.True(history.FinalTrainLoss < 1e-6, $"final half-MSE {history.FinalTrainLoss}");
        Assert.Equal(5000, history.Epochs.Count);
        Assert.Equal(StopKind.MaxSteps, history.StopReason!.Kind);
        Assert.True(history.Epochs[0].TrainLoss > 100 * history.FinalTrainLoss);
    }

    [Fact]
    public void FullBatchLoaderHandsOutTheDatasetItself()
    {
        var data = SyntheticData.SeedLinear();
        var loader = DataLoader<double>.FullBatch(data);
        var batches = ((IBatchSource<double>)loader).Batches(3).ToList();
        Assert.Single(batches);
        Assert.Same(data.X, batches[0].Features);
        Assert.Same(data.Y, batches[0].Targets);
    }

    [Fact]
    public void LogisticRegressionSeparatesSeededGaussianBlobs()
    {
        var train = SyntheticData.Blobs(400, classes: 2, std: 1, seed: 1);        // centres (3, 0) and (−3, 0)
        var test = SyntheticData.Blobs(400, classes: 2, std: 1, seed: 2);
        var model = new LogisticRegression<double>(2, seed: 3);
        var trainer = new Trainer<double>(model, (p, y) => Loss.BinaryCrossEntropy(p, y), Optimizers.Sgd<double>(0.5),
            new TrainerOptions { Epochs = 20, Metrics = new Dictionary<string, Func<Tensor<double>, Tensor<double>, double>> { ["accuracy"] = Metric.Accuracy } });
        var history = trainer.Fit(DataLoader<double>.MiniBatches(train, 32, seed: 4), test);

        double accuracy = Metric.Accuracy(model.Eval().Forward(test.X), test.Y);
        Assert.True(accuracy > 0.97, $"test accuracy {accuracy}");
        Assert.Equal(accuracy, history.Epochs[^1].Metrics["val_accuracy"]);
        Assert.True(history.Epochs[^1].TrainLoss < history.Epochs[0].TrainLoss);
    }

    [Fact]
    public void LogisticGradientsMatchTheHandDerivedFormulas()
    {
        var data = SyntheticData.Blobs(12, seed: 5);
        var x = data.X.ToDoubleArray();
        var y = data.Y.ToDoubleArray();
        int n = data.Count;
        var model = new LogisticRegression<double>(2, seed: 6, init: Initializers.Normal<double>(0, 0.5));
        double w0 = model.Parameters()[0].GetValue(0, 0), w1 = model.Parameters()[0].GetValue(1, 0), b = model.Parameters()[1].GetValue(0);
        double Sigma(int i) => 1 / (1 + Math.Exp(-(w0 * x[2 * i] + w1 * x[2 * i + 1] + b)));

        // Cross-entropy on logits, mean over n: ∂/∂wⱼ = (1/n)·Σ(pᵢ − yᵢ)·xᵢⱼ.
        Loss.BinaryCrossEntropyWithLogits(model.Logits(data.X), data.Y).Backward();
        for (int j = 0; j < 2; j++)
            Assert.Equal(Enumerable.Range(0, n).Sum(i => (Sigma(i) - y[i]) * x[2 * i + j]) / n, model.Parameters()[0].Grad!.GetValue(j, 0), 1e-12);
        Assert.Equal(Enumerable.Range(0, n).Sum(i => Sigma(i) - y[i]) / n, model.Parameters()[1].Grad!.GetValue(0), 1e-12);
        model.ZeroGrad();

        // Squared loss Σ(yᵢ − σ(dᵢ))²: ∂/∂wⱼ = −2·Σ δᵢ·σ(dᵢ)(1 − σ(dᵢ))·xᵢⱼ with δᵢ = yᵢ − σ(dᵢ).
        Loss.SumSquaredError(model.Forward(data.X), data.Y).Backward();
        for (int j = 0; j < 2; j++)
        {
            double expected = -2 * Enumerable.Range(0, n).Sum(i => (y[i] - Sigma(i)) * Sigma(i) * (1 - Sigma(i)) * x[2 * i + j]);
            Assert.Equal(expected, model.Parameters()[0].Grad!.GetValue(j, 0), 1e-12);
        }
    }

    [Fact]
    public void ModelExpectingThreeFeaturesOnTwoFeatureDataNamesBoth()
    {
        var data = SyntheticData.Linear(8, [1.0, 2.0], seed: 1);                   // 2 features
        var trainer = new Trainer<double>(new LinearRegression<double>(features: 3), (p, y) => Loss.MeanSquaredError(p, y), Optimizers.Sgd<double>(0.1));
        var e = Assert.Throws<ShapeException>(() => trainer.Fit(DataLoader<double>.FullBatch(data)));
        Assert.Contains("3 features", e.Message);
        Assert.Contains("[8, 2]", e.Message);
    }

    [Fact]
    public void ModelOutputsThatDoNotFitTheTargetsNameBothShapes()
    {
        var data = SyntheticData.Linear(8, [1.0, 2.0], seed: 1);                   // Y is [8, 1]
        var trainer = new Trainer<double>(new LinearRegression<double>(features: 2, targets: 3), (p, y) => Loss.MeanSquaredError(p, y), Optimizers.Sgd<double>(0.1));
        var e = Assert.Throws<ShapeException>(() => trainer.Fit(DataLoader<double>.FullBatch(data)));
        Assert.Contains("[8, 3]", e.Message);
        Assert.Contains("[8, 1]", e.Message);
    }

    [Fact]
    public void MalformedCsvAndWrongColumnNamesGiveTheirOwnErrors()
    {
        var bad = Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>("a,b,y\n1,2,3\n4,x5,6\n", ["y"]));
        Assert.Contains("line 3", bad.Message);
        Assert.Contains("column 'b'", bad.Message);
        Assert.Contains("\"x5\" is not a number", bad.Message);

        var missing = Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>("a,b,y\n1,2,3\n", ["target"]));
        Assert.Contains("no column 'target'", missing.Message);
        Assert.Contains("'a', 'b', 'y'", missing.Message);

        Assert.NotEqual(bad.Message, missing.Message);
    }
}
