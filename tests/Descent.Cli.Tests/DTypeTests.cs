using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;
using CsCheck;
using Descent.Cli.Commands;
using Descent.Cli.Infrastructure;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;

namespace Descent.Cli.Tests;

/// <summary><c>--dtype</c>, memory reporting and chunked evaluation in <c>fit</c> and <c>sweep fit</c>.</summary>
public class DTypeTests
{
    [Theory]
    [InlineData("fit", "--dtype", "float16")]
    [InlineData("fit", "--dtype", "int")]
    [InlineData("fit", "--dtype", "")]
    [InlineData("sweep", "fit", "--dtype", "half")]
    public void UnknownDTypeIsAUsageErrorNamingTheChoices(params string[] args)
    {
        var (code, _, error) = Cli.Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--dtype", error, StringComparison.Ordinal);
        Assert.Contains("auto, float32 or float64", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, DType.Float64)]
    [InlineData("auto", null, DType.Float64)]
    [InlineData(null, "synthetic:blobs", DType.Float64)]
    [InlineData(null, "builtin:seed-linear", DType.Float64)]
    [InlineData(null, "builtin:fashion-mnist", DType.Float32)]
    [InlineData(null, "BUILTIN:Fashion-MNIST", DType.Float32)]
    [InlineData("AUTO", "builtin:fashion-mnist", DType.Float32)]
    [InlineData("float64", "builtin:fashion-mnist", DType.Float64)]
    [InlineData("Float32", null, DType.Float32)]
    [InlineData("f32", "data.csv", DType.Float32)]
    [InlineData("double", "builtin:fashion-mnist", DType.Float64)]
    public void DTypeResolvesByValueThenBySource(string? text, string? source, DType expected)
        => Assert.Equal(expected, DataSources.ResolveDType(text, source));

    [Fact]
    public void AFolderOfImagesIsFloat32ByDefault()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        Assert.Equal(DType.Float32, DataSources.ResolveDType(null, folder));
        Assert.Equal(DType.Float64, DataSources.ResolveDType(null, Path.Combine(folder, "missing")));
    }

    /// <summary>The reference fit against a hand-written float64 gradient-descent loop with hand-derived gradients.</summary>
    [Fact]
    public void ReferenceFitStaysExactFloat64ByDefault()
    {
        var data = SyntheticData.SeedLinear();
        var start = new LinearRegression<double>(1, 1, 0);
        double w = start.NamedParameters().Single(p => p.Name == "weight").Parameter.Data[0];
        double b = start.NamedParameters().Single(p => p.Name == "bias").Parameter.Data[0];
        var x = data.X.ToDoubleArray();
        var y = data.Y.ToDoubleArray();
        int n = x.Length;
        for (int epoch = 0; epoch < FitCore.ReferenceEpochs; epoch++)
        {
            // half-MSE: L = Σ (w·x + b − y)² / (2n), so dL/dw = Σ r·x / n and dL/db = Σ r / n.
            double gw = 0, gb = 0;
            for (int i = 0; i < n; i++)
            {
                double r = w * x[i] + b - y[i];
                gw += r * x[i];
                gb += r;
            }
            w -= FitCore.ReferenceLearningRate * gw / n;
            b -= FitCore.ReferenceLearningRate * gb / n;
        }

        var (code, json) = Cli.Json("fit", "--log-every", "1000");
        Assert.Equal(0, code);
        Assert.Equal("float64", (string)json["dtype"]!);
        double fittedW = (double)json["parameters"]!["weight"]![0]![0]!, fittedB = (double)json["parameters"]!["bias"]![0]!;
        Assert.Equal(w, fittedW, 1e-12);
        Assert.Equal(b, fittedB, 1e-12);

        var (code64, json64) = Cli.Json("fit", "--log-every", "1000", "--dtype", "float64");
        Assert.Equal(0, code64);
        Assert.Equal(fittedW, (double)json64["parameters"]!["weight"]![0]![0]!);
        Assert.Equal(fittedB, (double)json64["parameters"]!["bias"]![0]!);
        Assert.Equal((double)json["metrics"]!["train_loss"]!, (double)json64["metrics"]!["train_loss"]!);

        // float32 lands on the same line, to float32 accuracy, and says so.
        var (code32, json32) = Cli.Json("fit", "--log-every", "1000", "--dtype", "float32");
        Assert.Equal(0, code32);
        Assert.Equal("float32", (string)json32["dtype"]!);
        Assert.Equal(w, (double)json32["parameters"]!["weight"]![0]![0]!, 1e-3);
        Assert.Equal(b, (double)json32["parameters"]!["bias"]![0]!, 1e-2);
    }

    [Fact]
    public void SmallFloat32FitLearnsAndReportsItsDTypeAndMemory()
    {
        var (code, json) = Cli.Json("fit", "--data", "synthetic:blobs?n=200", "--dtype", "float32", "--epochs", "50", "--lr", "0.1", "--val-split", "0.25", "--seed", "1");
        Assert.Equal(0, code);
        Assert.Equal("float32", (string)json["dtype"]!);
        Assert.True((double)json["metrics"]!["val_accuracy"]! > 0.8);
        foreach (var (key, kind) in new[]
        {
            ("model", System.Text.Json.JsonValueKind.String), ("dtype", System.Text.Json.JsonValueKind.String), ("loss", System.Text.Json.JsonValueKind.String),
            ("parameters", System.Text.Json.JsonValueKind.Object), ("history", System.Text.Json.JsonValueKind.Array), ("metrics", System.Text.Json.JsonValueKind.Object),
            ("stop_reason", System.Text.Json.JsonValueKind.String), ("epochs_run", System.Text.Json.JsonValueKind.Number), ("seconds", System.Text.Json.JsonValueKind.Number),
            ("train_seconds", System.Text.Json.JsonValueKind.Number), ("peak_memory_bytes", System.Text.Json.JsonValueKind.Number),
        })
            Assert.Equal(kind, json[key]!.GetValueKind());
        Assert.True((long)json["peak_memory_bytes"]! > 1 << 20);
        Assert.True((double)json["train_seconds"]! <= (double)json["seconds"]!);
    }

    [Fact]
    public void HumanOutputNamesTheDTypeAndPeakMemory()
    {
        var (code, output, _) = Cli.Run("fit", "--data", "synthetic:moons?n=50", "--dtype", "float32", "--epochs", "5");
        Assert.Equal(0, code);
        Assert.Contains("(float32, bce loss", output, StringComparison.Ordinal);
        Assert.Contains("peak memory", output, StringComparison.Ordinal);
    }

    [Fact]
    public void SweepFitRunsInFloat32()
    {
        var (code, json) = Cli.Json("sweep", "fit", "--data", "synthetic:linear?n=60", "--dtype", "float32", "--lr", "1e-3..1e-1", "--epochs", "20");
        Assert.Equal(0, code);
        Assert.Equal(3, json["trials"]!.AsArray().Count);
        Assert.NotNull(json["best"]);
    }

    [Fact]
    public void ImageFolderLoadsAsFloat32LikeTheFloat64Loader()
    {
        string folder = MnistFolder(train: 37, test: 11, rows: 3, cols: 4, gzipImages: true);
        var (train, test) = Mnist.Load<float>(folder);
        var (libraryTrain, libraryTest) = Mnist.Load<double>(folder);
        Assert.Equal(libraryTrain.X.ShapeArray, train.X.ShapeArray);
        Assert.Equal(libraryTrain.X.Cast<float>().ToArray(), train.X.ToArray());
        Assert.Equal(libraryTrain.Y.Cast<float>().ToArray(), train.Y.ToArray());
        Assert.Equal(libraryTest.X.Cast<float>().ToArray(), test.X.ToArray());
        Assert.Equal(libraryTest.Y.Cast<float>().ToArray(), test.Y.ToArray());
        Assert.Equal(10, train.ClassCount);

        var (code, json) = Cli.Json("fit", "--data", folder, "--model", "mlp", "--hidden", "5", "--epochs", "2", "--batch-size", "8");
        Assert.Equal(0, code);
        Assert.Equal("float32", (string)json["dtype"]!);
        Assert.NotNull(json["metrics"]!["test_accuracy"]);
        var (code64, json64) = Cli.Json("fit", "--data", folder, "--dtype", "float64", "--epochs", "2");
        Assert.Equal(0, code64);
        Assert.Equal("float64", (string)json64["dtype"]!);
    }

    [Fact]
    public void TruncatedImageFileIsAnInputError()
    {
        string folder = MnistFolder(train: 5, test: 2, rows: 2, cols: 2, gzipImages: false);
        string images = Path.Combine(folder, "train-images-idx3-ubyte");
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..^3]);
        var (code, _, error) = Cli.Run("fit", "--data", folder);
        Assert.Equal(ExitCodes.Input, code);
        Assert.Contains("truncated", error, StringComparison.Ordinal);
        File.WriteAllBytes(images, [.. bytes, 7]);
        Assert.Equal(ExitCodes.Input, Cli.Run("fit", "--data", folder).Code);
    }

    /// <summary>A mini-batch fit with a validation split trains exactly as the library does on copied splits.</summary>
    [Fact]
    public void ValidationSplitInPlaceTrainsLikeCopiedSplits()
    {
        var data = SyntheticData.Spirals(1500, 3, 0.1, 3).Cast<float>();
        var settings = new FitSettings { Data = "synthetic:spirals", Model = "softmax", LearningRate = 0.5, Epochs = 3, ValSplit = 0.2, Seed = 7, BatchSize = "32" };
        var outcome = FitCore.Train(settings, new LoadedData<float>("spirals", data, null), CancellationToken.None);

        var (train, validation) = Split.TrainTest(data, 0.2, 7);
        var model = new SoftmaxRegression<float>(2, 3, 7);
        var loss = Loss.FromName<float>("cross-entropy");
        var trainer = new Trainer<float>(model, loss, Optimizers.GradientDescent<float>(Schedules.Constant(0.5)), new TrainerOptions { Epochs = 3 });
        var history = trainer.Fit(DataLoader<float>.MiniBatches(train, 32, 7), validation);
        Assert.Equal(history.Epochs.Select(e => e.TrainLoss), outcome.History.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(history.Epochs.Select(e => e.ValidationLoss), outcome.History.Epochs.Select(e => e.ValidationLoss));
        var expected = model.NamedParameters().SelectMany(p => p.Parameter.ToDoubleArray()).ToArray();
        Assert.Equal(expected, outcome.Parameters.SelectMany(p => p.Values).ToArray());
        Assert.Equal(trainer.Evaluate(train).Loss, outcome.Metrics["train_loss"], 1e-6);
        Assert.Equal(trainer.Evaluate(validation).Loss, outcome.Metrics["val_loss"], 1e-6);
    }

    internal static string MnistFolder(int train, int test, int rows, int cols, bool gzipImages)
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        var random = new Random(5);
        void Write(string name, byte[] content, bool gzip)
        {
            if (!gzip) { File.WriteAllBytes(Path.Combine(folder, name), content); return; }
            using var file = File.Create(Path.Combine(folder, name + ".gz"));
            using var zip = new GZipStream(file, CompressionLevel.Fastest);
            zip.Write(content);
        }
        byte[] Idx(int[] shape, int count, int max)
        {
            var bytes = new byte[4 + 4 * shape.Length + count];
            bytes[2] = 0x08;
            bytes[3] = (byte)shape.Length;
            for (int i = 0; i < shape.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), shape[i]);
            for (int i = 4 + 4 * shape.Length; i < bytes.Length; i++) bytes[i] = (byte)random.Next(max);
            return bytes;
        }
        foreach (var (prefix, n) in new[] { ("train", train), ("t10k", test) })
        {
            Write($"{prefix}-images-idx3-ubyte", Idx([n, rows, cols], n * rows * cols, 256), gzipImages);
            Write($"{prefix}-labels-idx1-ubyte", Idx([n], n, 10), gzip: false);
        }
        return folder;
    }
}
