using Descent.Cli.Infrastructure;

namespace Descent.Cli.Tests;

/// <summary><c>descent fit --model cnn</c> and <c>--layers</c> on a tiny MNIST-format folder; the bad inputs they answer.</summary>
public class CnnCliTests
{
    [Fact]
    public void FitTrainsTheDefaultCnnOnImagesPrintsItsSummaryAndSavesAModelThatPredicts()
    {
        string folder = DTypeTests.MnistFolder(train: 24, test: 8, rows: 8, cols: 8, gzipImages: false);
        try
        {
            string model = Path.Combine(folder, "cnn.safetensors");
            var (code, output, error) = Cli.Run("fit", "--data", folder, "--model", "cnn", "--optimizer", "adam", "--lr", "0.001", "--epochs", "1", "--batch-size", "8", "--save", model);
            Assert.True(code == 0, error);
            Assert.Contains("Conv2d", output, StringComparison.Ordinal);
            Assert.Contains("[1, 64, 2, 2]", output, StringComparison.Ordinal); // 8×8 → pool → 4×4 → pool → 2×2
            Assert.Contains("Total parameters: 53,002", output, StringComparison.Ordinal); // 32·10 + 64·289 + 128·257 + 10·129
            Assert.Contains("Trained cnn", output, StringComparison.Ordinal);
            var (predictCode, predictOut, predictErr) = Cli.Run("predict", model, "--data", folder);
            Assert.True(predictCode == 0, predictErr + predictOut);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void LayersImplyACnnAndTrainACustomStack()
    {
        string folder = DTypeTests.MnistFolder(train: 16, test: 4, rows: 6, cols: 6, gzipImages: false);
        try
        {
            var (code, json) = Cli.Json("fit", "--data", folder, "--layers", "conv(4,3,padding=same) batchnorm relu maxpool(2) flatten linear", "--epochs", "1", "--batch-size", "8");
            Assert.Equal(0, code);
            Assert.Equal("cnn", (string)json["model"]!);
            Assert.Equal("BatchNorm2d", (string)json["summary"]!["layers"]![1]!["type"]!);
            Assert.Equal(4 * 10 + 2 * 4 + 36 * 10 + 10, (long)json["summary"]!["parameters"]!); // conv 4·(9+1), batch norm γ and β, linear 4·3·3 → 10 classes
            Assert.NotNull(json["metrics"]!["test_accuracy"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void InitFromACnnModelKeepsItsLayersAndBatchNormStatistics()
    {
        string folder = DTypeTests.MnistFolder(train: 16, test: 4, rows: 6, cols: 6, gzipImages: false);
        try
        {
            string first = Path.Combine(folder, "first.safetensors"), second = Path.Combine(folder, "second.safetensors");
            var (code, _, error) = Cli.Run("fit", "--data", folder, "--layers", "conv(4,3,padding=same) batchnorm relu maxpool(2) flatten linear", "--epochs", "1", "--batch-size", "8", "--save", first);
            Assert.True(code == 0, error);
            var saved = Descent.Learning.Model.Load(first);
            Assert.Contains(saved.Parameters.Keys, k => k.EndsWith("running_mean", StringComparison.Ordinal));
            // A step too small to move a float32 weight: the parameters written again are the ones read; the running
            // statistics (buffers, read too) move by the momentum's share of each batch's statistics.
            (code, _, error) = Cli.Run("fit", "--data", folder, "--init-from", first, "--optimizer", "sgd", "--lr", "1e-30", "--epochs", "1", "--batch-size", "8", "--save", second);
            Assert.True(code == 0, error);
            var again = Descent.Learning.Model.Load(second);
            Assert.Equal(saved.Architecture.Layers, again.Architecture.Layers);
            Assert.Equal(saved.Parameters.Keys.Order(), again.Parameters.Keys.Order());
            foreach (var (name, values) in saved.Parameters)
                if (!name.Contains("running", StringComparison.Ordinal)) Assert.Equal(values.Values, again.Parameters[name].Values);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void DataParallelTrainingRefusesBatchNormBeforeStartingWorkers()
    {
        string folder = DTypeTests.MnistFolder(train: 8, test: 2, rows: 4, cols: 4, gzipImages: false);
        try
        {
            var (code, output, error) = Cli.Run("fit", "--data", folder, "--layers", "conv(2,3,padding=1) batchnorm relu flatten linear", "--workers", "2");
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains("--workers/--cluster: this model has batch-norm layers", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("--model cnn needs image data", "fit", "--data", "synthetic:moons", "--model", "cnn")]
    [InlineData("--layers sets the layer stack of --model cnn", "fit", "--data", "synthetic:moons", "--model", "mlp", "--layers", "conv(4,3)")]
    public void BadCnnSettingsAreUsageErrors(string expected, params string[] args)
    {
        var (code, output, error) = Cli.Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public void ALayerStackThatDoesNotFitTheImagesIsAUsageErrorNamingTheLayer()
    {
        string folder = DTypeTests.MnistFolder(train: 8, test: 2, rows: 4, cols: 4, gzipImages: false);
        try
        {
            var (code, _, error) = Cli.Run("fit", "--data", folder, "--layers", "conv(4,3) maxpool(5)");
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains("--layers \"conv(4,3) maxpool(5)\": layer 2 (maxpool)", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
