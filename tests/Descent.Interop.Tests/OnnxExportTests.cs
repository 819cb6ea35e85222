using Descent.Interop.Onnx;
using Descent.Learning;
using Descent.Learning.Data;
using Descent.Learning.Modules;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Descent.Interop.Tests;

/// <summary>
/// Descent → ONNX: every exported model runs in ONNX Runtime and agrees with <see cref="Model.Predict{T}"/> to 1e-5
/// (relative for outputs far from 1), on random inputs and on real ones; Debian's onnx checker accepts every file.
/// </summary>
public sealed class OnnxExportTests
{
    /// <summary>Runs the exported bytes in ONNX Runtime: the named output for <paramref name="x"/> ([n, …] raw inputs).</summary>
    private static float[] RunOnnx(byte[] onnx, float[] x, int[] shape, string output)
    {
        using var session = new InferenceSession(onnx);
        Assert.Equal("input", session.InputMetadata.Keys.Single());
        var input = new DenseTensor<float>(x, shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)], [output]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    private static long[] RunClasses(byte[] onnx, float[] x, int[] shape)
    {
        using var session = new InferenceSession(onnx);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(x, shape))], ["class"]);
        return results.Single().AsEnumerable<long>().ToArray();
    }

    /// <summary>Exports <paramref name="model"/> and compares ONNX Runtime with Predict on <paramref name="x"/>; returns the file written.</summary>
    private static string AssertAgrees(Model model, Tensor<float> x, string dir, string name)
    {
        string path = Path.Combine(dir, name + ".onnx");
        OnnxExporter.Save(model, path);
        var bytes = File.ReadAllBytes(path);
        var prediction = model.Predict(x);
        bool classifier = model.Task == ModelTask.Classification;
        var onnx = RunOnnx(bytes, x.Data.ToArray(), x.ShapeArray, classifier ? "probabilities" : "prediction");
        var expected = (classifier ? prediction.Probabilities! : prediction.Values).SelectMany(r => r).ToArray();
        Assert.Equal(expected.Length, onnx.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - onnx[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"{name}: value {i}: Descent {expected[i]}, ONNX Runtime {onnx[i]}");
        if (classifier)
        {
            var classes = RunClasses(bytes, x.Data.ToArray(), x.ShapeArray);
            int agree = classes.Zip(prediction.Classes!).Count(p => p.First == p.Second);
            Assert.True(agree >= classes.Length - 1, $"{name}: ONNX Runtime's class agrees on {agree} of {classes.Length} rows");
        }
        return path;
    }

    private static Tensor<float> Random(int rows, int columns, int seed, double scale = 1, double offset = 0)
    {
        var random = new System.Random(seed);
        var values = new float[rows * columns];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(offset + scale * (2 * random.NextDouble() - 1));
        return Tensor.FromArray(values, [rows, columns]);
    }

    private static string[] Names(int n, string prefix = "x") => Enumerable.Range(0, n).Select(i => prefix + i).ToArray();

    private static Model Create(Module<float> module, ModelTask task, int inputs, int classes = 0, FeatureScaling? scaling = null)
        => Model.Create(module, task, Names(inputs), task == ModelTask.Classification ? ["label"] : Names(module is Mlp<float> m ? m.Outputs : 1, "y"),
            task == ModelTask.Classification ? Names(classes, "c") : null, scaling);

    [Fact]
    public void Every_layer_kind_agrees_with_ONNX_Runtime_and_passes_the_onnx_checker()
    {
        string dir = Support.TempFolder();
        var x = Random(64, 5, 1, scale: 3);
        var scaling = FeatureScaling.Fit(Random(50, 5, 2, scale: 10, offset: 4), ScalingKind.Standard);
        var minmax = FeatureScaling.Fit(Random(50, 5, 3, scale: 10, offset: -4), ScalingKind.MinMax);
        var files = new List<string>
        {
            AssertAgrees(Model.Create(new LinearRegression<float>(5, 3, seed: 3), ModelTask.Regression, Names(5), Names(3, "y")), x, dir, "linear"),
            AssertAgrees(Model.Create(new LinearRegression<float>(5, 1, seed: 4), ModelTask.Regression, Names(5), ["y"], scaling: scaling), x, dir, "linear_scaled"),
            AssertAgrees(Create(new LogisticRegression<float>(5, seed: 5), ModelTask.Classification, 5, 2, minmax), x, dir, "logistic"),
            AssertAgrees(Create(new SoftmaxRegression<float>(5, 4, seed: 6), ModelTask.Classification, 5, 4, scaling), x, dir, "softmax"),
        };
        foreach (var activation in new[] { "relu", "tanh", "sigmoid", "leaky_relu", "softplus", "identity" })
            files.Add(AssertAgrees(Create(new Mlp<float>(5, [7, 6], 3, activation, seed: 7), ModelTask.Classification, 5, 3, scaling), x, dir, "mlp_" + activation));
        var regression = new Mlp<float>(5, [8], 2, "relu", seed: 8).WithOutputScaling([1000, -3], [250, 0.5]);
        files.Add(AssertAgrees(Model.Create(regression, ModelTask.Regression, Names(5), ["y0", "y1"], scaling: scaling), x, dir, "mlp_output_scaling"));
        // A float64 model is exported as float32 and still agrees.
        files.Add(AssertAgrees(Model.Create(new Mlp<double>(5, [6], 3, "tanh", seed: 9), ModelTask.Classification, Names(5), ["label"], Names(3, "c")), x, dir, "mlp_float64"));
        Support.OnnxChecker([.. files]);
    }

    [Fact]
    public void Convolutional_layers_agree_with_ONNX_Runtime_and_pass_the_onnx_checker()
    {
        // Every convolutional layer kind (conv with bias or not, stride, padding "same", dilation, groups; max, average
        // and global average pooling with padding; batch norm after conv and after linear; flatten; both dropouts), in
        // CNNs fed rows of pixels as Model.Predict feeds them. A training pass first moves the running statistics.
        string dir = Support.TempFolder();
        var files = new List<string>();
        var stacks = new[]
        {
            ("cnn_plain", "conv(4,3,padding=1) batchnorm relu maxpool(2) conv(6,3,padding=same,bias=false) relu avgpool(2) flatten linear(12) batchnorm relu dropout linear"),
            ("cnn_strided", "conv(4,3,stride=2,padding=1) relu conv(4,3,padding=2,dilation=2,groups=2) batchnorm maxpool(3,stride=2,padding=1) avgpool(2,stride=1,padding=1) dropout2d globalavgpool flatten linear"),
        };
        var x = Random(16, 2 * 8 * 8, 12, scale: 2);
        foreach (var (name, layers) in stacks)
        {
            var cnn = new Cnn<float>([2, 8, 8], 3, layers, seed: 11);
            for (int i = 0; i < 3; i++) cnn.Forward(Random(8, 2 * 8 * 8, 20 + i, scale: 2, offset: 0.5));
            cnn.Eval();
            files.Add(AssertAgrees(Create(cnn, ModelTask.Classification, 2 * 8 * 8, 3), x, dir, name));
        }
        Assert.Contains(typeof(Conv2d<>), OnnxExporter.LayerTypes);
        Support.OnnxChecker([.. files]);
    }

    [Fact]
    public void A_leaky_relu_slope_travels_through_the_model_file_into_ONNX()
    {
        // A slope far from PyTorch's 0.01 default: a wrong slope in the graph would differ by far more than 1e-5 on
        // these inputs (most pre-activations are negative somewhere).
        string dir = Support.TempFolder();
        var x = Random(64, 5, 4, scale: 3);
        var mlp = Create(new Mlp<float>(5, [7, 6], 3, "leaky_relu(0.3)", seed: 7), ModelTask.Classification, 5, 3);
        string mlpFile = Path.Combine(dir, "mlp.safetensors");
        mlp.Save(mlpFile);
        var loaded = Model.Load(mlpFile);
        Assert.Equal("leaky_relu(0.3)", loaded.Architecture.Activation);
        var cnn = new Cnn<float>([1, 6, 6], 3, "conv(3,3,padding=1) leaky_relu(0.25) maxpool(2) flatten linear(8) leaky_relu(slope=0.5) linear", seed: 3);
        string cnnFile = Path.Combine(dir, "cnn.safetensors");
        Create(cnn, ModelTask.Classification, 36, 3).Save(cnnFile);
        var files = new[]
        {
            AssertAgrees(loaded, x, dir, "mlp_leaky"),
            AssertAgrees(Model.Load(cnnFile), Random(16, 36, 5, scale: 2), dir, "cnn_leaky"),
        };
        float[] Alphas(string file)
        {
            var graph = Descent.Interop.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(file)).Graph;
            return graph.Node.Where(n => n.OpType == "LeakyRelu").Select(n => n.Attribute.Single(a => a.Name == "alpha").F).ToArray();
        }
        Assert.Equal([0.3f, 0.3f], Alphas(files[0]));
        Assert.Equal([0.25f, 0.5f], Alphas(files[1]));
        // The same network with the default slope predicts differently: the slope is really used.
        var plain = Create(new Mlp<float>(5, [7, 6], 3, "leaky_relu", seed: 7), ModelTask.Classification, 5, 3);
        Assert.NotEqual(plain.Predict(x).Probabilities![0][0], loaded.Predict(x).Probabilities![0][0], 6);
        Assert.Equal(0.2, Activation<float>.FromName("Leaky-ReLU( slope = 0.2 )").NegativeSlope);
        Assert.Equal(Activation<float>.DefaultNegativeSlope, Activation<float>.FromName("leaky_relu").NegativeSlope);
        Assert.Null(Activation<float>.FromName("relu").NegativeSlope);
        Assert.Contains("leaky_relu(0.2)", Assert.Throws<ArgumentException>(() => Activation<float>.FromName("leaky_relu(steep)")).Message);
        Assert.Contains("negative slope", Assert.Throws<FormatException>(() => new Cnn<float>([1, 4, 4], 2, "conv(2,3) leaky_relu(steep) linear")).Message);
        Support.OnnxChecker(files);
    }

    [Fact]
    public void An_adaptive_pooling_to_more_than_one_by_one_is_a_clear_export_error()
    {
        var cnn = new Cnn<float>([1, 6, 6], 2, "conv(2,3) adaptiveavgpool(2,2) flatten linear", seed: 1);
        var error = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(Create(cnn, ModelTask.Classification, 36, 2)));
        Assert.Contains("AdaptiveAvgPool2d(2, 2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Layers_join_the_export_through_one_table()
    {
        Assert.Contains(typeof(Linear<>), OnnxExporter.LayerTypes);
        Assert.Contains(typeof(Dropout<>), OnnxExporter.LayerTypes);
        // A layer the table does not know is a clear error…
        var model = Model.Create(new Twice(), ModelTask.Regression, ["a", "b"], ["a", "b"], architecture: new ModelArchitecture("linear", 2, 2, []));
        var unknown = Assert.Throws<OnnxExportException>(() => OnnxExporter.ExportLayer(new OnnxGraphForTests().Graph, new Twice(), "input"));
        Assert.Contains("Twice", unknown.Message);
        // …and registering it is all a new layer needs (what Conv2d and the others will do).
        OnnxExporter.RegisterLayer(typeof(Twice), (g, _, x) => g.Node("Mul", [x, g.Constant("two", [1], [2.0])]));
        var graph = new OnnxGraphForTests();
        Assert.StartsWith("mul", OnnxExporter.ExportLayer(graph.Graph, new Twice(), "input"), StringComparison.Ordinal);
        Assert.NotNull(model);
    }

    private sealed class Twice : Module<float>
    {
        public override Tensor<float> Forward(Tensor<float> input) => input * 2f;
    }

    private sealed class OnnxGraphForTests
    {
        public OnnxGraph Graph { get; } = (OnnxGraph)Activator.CreateInstance(typeof(OnnxGraph), nonPublic: true)!;
    }

    [Fact]
    public void A_scaled_csv_model_trained_by_fit_agrees_on_its_raw_test_rows()
    {
        string dir = Support.TempFolder();
        string model = Path.Combine(dir, "species.safetensors");
        var (code, _, err) = Support.Run("fit", "--data", Support.Fixture("train.csv"), "--target", "species", "--model", "mlp", "--hidden", "12", "--epochs", "40", "--optimizer", "adam", "--lr", "0.01", "--save", model);
        Assert.True(code == 0, err);
        var loaded = Model.Load(model);
        Assert.NotNull(loaded.Scaling);
        var data = CsvDataset.LoadWithReport<double>(Support.Fixture("test.csv"), ["species"], ["f1", "f2", "f3", "f4"], new CsvOptions { CategoricalTarget = true }).Dataset;
        string onnx = AssertAgrees(loaded, data.X.Cast<float>(), dir, "species");
        // The CLI writes the same file, and predict's accuracy is ONNX Runtime's.
        string cli = Path.Combine(dir, "cli.onnx");
        var exported = Support.Json("export", model, "--format", "onnx", "--out", cli);
        Assert.Equal(13, exported["opset"]!.GetValue<int>());
        Assert.Equal(File.ReadAllBytes(onnx), File.ReadAllBytes(cli));
        var predicted = Support.Json("predict", model, "--data", Support.Fixture("test.csv"));
        var classes = RunClasses(File.ReadAllBytes(cli), data.X.Cast<float>().Data.ToArray(), data.X.ShapeArray);
        var truth = data.GetLabels();
        double accuracy = classes.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length;
        Assert.Equal(predicted["metrics"]!["accuracy"]!.GetValue<double>(), accuracy, 12);
        Support.OnnxChecker(cli);
    }

    /// <summary>The first <paramref name="train"/> and <paramref name="test"/> Fashion-MNIST examples as an MNIST folder (IDX files with those counts).</summary>
    private static string FashionSubset(string dir, int train, int test)
    {
        string folder = Path.Combine(dir, "fashion");
        Directory.CreateDirectory(folder);
        foreach (var (split, count) in new[] { ("train", train), ("t10k", test) })
        {
            foreach (var (kind, header, width) in new[] { ("images-idx3-ubyte", 16, 784), ("labels-idx1-ubyte", 8, 1) })
            {
                using var gz = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(Mnist.FashionMnistDefaultFolder, $"{split}-{kind}.gz")), System.IO.Compression.CompressionMode.Decompress);
                var bytes = new byte[header + count * width];
                gz.ReadExactly(bytes);
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
                File.WriteAllBytes(Path.Combine(folder, $"{split}-{kind}"), bytes);
            }
        }
        return folder;
    }

    [SkippableFact]
    public void The_trained_Fashion_MNIST_MLP_agrees_on_real_test_images()
    {
        Requires.AnyFile("Fashion-MNIST (sudo apt-get install dataset-fashion-mnist)", Path.Combine(Mnist.FashionMnistDefaultFolder, "t10k-images-idx3-ubyte.gz"));
        string dir = Support.TempFolder();
        // 12000 training and 2000 test images keep the test quick; the model is the one 'descent fit' trains on image data.
        string folder = FashionSubset(dir, 12000, 2000);
        string model = Path.Combine(dir, "fashion.safetensors");
        var (code, _, err) = Support.Run("fit", "--data", folder, "--model", "mlp", "--hidden", "64", "--optimizer", "adam", "--lr", "0.002", "--epochs", "2", "--save", model);
        Assert.True(code == 0, err);
        var loaded = Model.Load(model);
        Assert.Equal([28, 28], loaded.ImageShape);
        var test = Mnist.Load<float>(folder).Test;
        var images = test.X;   // [2000, 784]: fed to ONNX Runtime and to Predict as [n, 28, 28] images
        var x = Tensor.FromArray(images.Data.ToArray(), [images.Shape[0], 28, 28]);
        string onnx = AssertAgrees(loaded, x, dir, "fashion");
        var predicted = Support.Json("predict", model, "--data", folder);
        var classes = RunClasses(File.ReadAllBytes(onnx), x.Data.ToArray(), x.ShapeArray);
        var truth = test.GetLabels();
        double accuracy = classes.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length;
        Assert.Equal(predicted["metrics"]!["accuracy"]!.GetValue<double>(), accuracy, 3);
        Assert.True(accuracy > 0.7, $"accuracy {accuracy}");
        Support.OnnxChecker(onnx);
    }

    [Fact]
    public void Export_bad_input_is_a_clear_error()
    {
        string dir = Support.TempFolder();
        string notModel = Path.Combine(dir, "notes.txt");
        File.WriteAllText(notModel, "hello");
        var (code, _, err) = Support.Run("export", notModel, "--format", "onnx", "--out", Path.Combine(dir, "m.onnx"));
        Assert.Equal(3, code);
        Assert.DoesNotContain("   at ", err);
        Assert.Equal(2, Support.Run("export", notModel, "--format", "tflite", "--out", Path.Combine(dir, "m.onnx")).Code);
        Assert.Equal(2, Support.Run("export", notModel, "--format", "onnx").Code);
        Assert.Equal(3, Support.Run("export", Path.Combine(dir, "missing.safetensors"), "--out", Path.Combine(dir, "m.onnx")).Code);
        Assert.False(File.Exists(Path.Combine(dir, "m.onnx")));
    }
}
