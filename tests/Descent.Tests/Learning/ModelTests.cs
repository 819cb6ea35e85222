using Descent.Learning;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization;

namespace Descent.Tests.Learning;

public sealed class ModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Tensor<double> Raw = Tensor.FromArray(new double[,] { { 120, 3, 10 }, { 80, 2, 40 }, { 200, 5, 1 }, { 150, 4, 25 } });

    public static TheoryData<string> Kinds => new() { "linear", "logistic", "softmax", "mlp" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SavedModelsPredictWhatTheModuleComputesOnScaledInputs(string kind)
    {
        var architecture = new ModelArchitecture(kind, 3, kind switch { "logistic" => 1, "softmax" => 4, "mlp" => 3, _ => 2 }, kind == "mlp" ? [5, 4] : [], "tanh");
        var module = architecture.Build<double>(seed: 7);
        var scaling = FeatureScaling.Fit(Raw, ScalingKind.Standard);
        bool classifier = kind is "logistic" or "softmax" or "mlp";
        string[]? classes = kind switch { "logistic" => ["no", "yes"], "softmax" => ["a", "b", "c", "d"], "mlp" => ["x", "y", "z"], _ => null };
        var model = Model.Create(module, classifier ? ModelTask.Classification : ModelTask.Regression, ["size", "rooms", "age"],
            classifier ? ["label"] : ["price", "rent"], classes, scaling);
        string path = Path.Combine(_dir, kind + ".safetensors");
        model.Save(path);
        var loaded = Model.Load(path);

        Assert.Equal((architecture.Kind, architecture.Inputs, architecture.Outputs), (loaded.Architecture.Kind, loaded.Architecture.Inputs, loaded.Architecture.Outputs));
        Assert.Equal(architecture.Hidden, loaded.Architecture.Hidden);
        if (kind == "mlp") Assert.Equal("tanh", loaded.Architecture.Activation);
        Assert.Equal(["size", "rooms", "age"], loaded.FeatureNames);
        Assert.Equal(scaling.Offset, loaded.Scaling!.Offset);
        Assert.Equal(scaling.Scale, loaded.Scaling.Scale);
        Assert.Equal(classes, loaded.ClassNames);

        var expected = module.Forward(scaling.Apply(Raw)).ToArray();
        var prediction = loaded.Predict(Raw);
        Assert.Equal(expected, prediction.Values.SelectMany(v => v).ToArray()); // bit for bit: same weights, same kernels
        if (!classifier) return;
        for (int i = 0; i < Raw.Shape[0]; i++)
        {
            Assert.Equal(1.0, prediction.Probabilities![i].Sum(), 12);
            Assert.Equal(classes![prediction.Classes![i]], prediction.Labels![i]);
            Assert.Equal(prediction.Probabilities[i].Max(), prediction.Probabilities[i][prediction.Classes[i]]);
        }
        if (kind == "logistic") Assert.Equal(expected[0], prediction.Probabilities![0][1], 15);
    }

    [Fact]
    public void AnMlpWithOutputScalingPredictsInTheTargetsUnits()
    {
        var module = new Mlp<double>(3, [4], 2, seed: 3).WithOutputScaling([1000, -5], [250, 0.5]);
        var net = new Mlp<double>(3, [4], 2, seed: 3);
        var scaled = module.Forward(Raw).ToArray();
        var plain = net.Forward(Raw).ToArray();
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i] * (i % 2 == 0 ? 250 : 0.5) + (i % 2 == 0 ? 1000 : -5), scaled[i], 9);
        string path = Path.Combine(_dir, "scaled-mlp.safetensors");
        Model.Create(module, ModelTask.Regression, ["size", "rooms", "age"], ["a", "b"]).Save(path);
        var loaded = Model.Load(path);
        Assert.Equal([1000.0, -5], loaded.Architecture.OutputOffset!);
        Assert.Equal([250.0, 0.5], loaded.Architecture.OutputScale!);
        Assert.Equal(scaled, loaded.Predict(Raw).Values.SelectMany(v => v).ToArray());
        Assert.Throws<ArgumentException>(() => new Mlp<double>(3, [4], 2).WithOutputScaling([1], [1]));
    }

    [Fact]
    public void Float32ModelsKeepTheirElementType()
    {
        var module = new SoftmaxRegression<float>(3, 2, seed: 1);
        var model = Model.Create(module, ModelTask.Classification, ["a", "b", "c"], ["y"], ["0", "1"]);
        string path = Path.Combine(_dir, "f32.safetensors");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal("float32", loaded.DType);
        var x = Raw.Cast<float>();
        Assert.Equal(module.Forward(x).ToArray().Select(v => (double)v), loaded.Predict(x).Values.SelectMany(v => v));
    }

    [Fact]
    public void ACheckpointWithADescriptionIsAModelFile()
    {
        var data = SyntheticData.SeedLinear();
        var module = new LinearRegression<double>(seed: 1);
        var description = Model.Create(module, ModelTask.Regression, data.FeatureNames, data.TargetNames).Describe().ToJsonString();
        string path = Path.Combine(_dir, "run.ckpt");
        var trainer = new Trainer<double>(module, (p, y) => Loss.HalfMeanSquaredError(p, y), Optimizers.GradientDescent<double>(8e-3),
            new TrainerOptions { Epochs = 20, CheckpointPath = path, ModelDescription = description });
        trainer.Fit(DataLoader<double>.FullBatch(data));
        var model = Model.Load(path);
        Assert.Equal(module.Forward(data.X).ToArray(), model.Predict(data.X).Values.SelectMany(v => v));

        // Without a description a checkpoint says what is missing.
        string bare = Path.Combine(_dir, "bare.ckpt");
        new Trainer<double>(new LinearRegression<double>(), (p, y) => Loss.HalfMeanSquaredError(p, y), Optimizers.GradientDescent<double>(8e-3),
            new TrainerOptions { Epochs = 1, CheckpointPath = bare }).Fit(DataLoader<double>.FullBatch(data));
        Assert.Contains("no model description", Assert.Throws<ModelFileException>(() => Model.Load(bare)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DamagedOrForeignFilesAreRefused()
    {
        var module = new LinearRegression<double>(3, 1, seed: 2);
        string path = Path.Combine(_dir, "m.safetensors");
        Model.Create(module, ModelTask.Regression, ["alpha", "b", "c"], ["y"]).Save(path);
        var bytes = File.ReadAllBytes(path);

        var flipped = (byte[])bytes.Clone();
        flipped[^3] ^= 0x10;   // a weight
        File.WriteAllBytes(path + ".w", flipped);
        Assert.Contains("checksum", Assert.Throws<ModelFileException>(() => Model.Load(path + ".w")).Message, StringComparison.Ordinal);

        string text = System.Text.Encoding.UTF8.GetString(bytes);
        int at = text.IndexOf("alpha", StringComparison.Ordinal);   // the feature name inside the description
        Assert.True(at > 8);
        var renamed = (byte[])bytes.Clone();
        renamed[at] = (byte)'A';
        File.WriteAllBytes(path + ".d", renamed);
        var renamedError = Assert.Throws<ModelFileException>(() => Model.Load(path + ".d"));
        Assert.True(renamedError.Message.Contains("checksum", StringComparison.Ordinal), renamedError.Message);

        File.WriteAllBytes(path + ".t", bytes[..(bytes.Length / 2)]);
        Assert.Throws<ModelFileException>(() => Model.Load(path + ".t"));

        File.WriteAllText(path + ".csv", "a,b,c,y\n1,2,3,4\n");
        Assert.Contains("not a model file", Assert.Throws<ModelFileException>(() => Model.Load(path + ".csv")).Message, StringComparison.Ordinal);

        File.WriteAllBytes(path + ".short", [1, 2, 3]);
        Assert.Contains("too short", Assert.Throws<ModelFileException>(() => Model.Load(path + ".short")).Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => Model.Load(path + ".missing"));
    }

    [Fact]
    public void TheWrongFeatureCountIsAShapeError()
    {
        var model = Model.Create(new LinearRegression<double>(3, 1), ModelTask.Regression, ["a", "b", "c"], ["y"]);
        Assert.Throws<ShapeException>(() => model.Predict(Tensor.Zeros<double>(2, 4)));
    }
}
