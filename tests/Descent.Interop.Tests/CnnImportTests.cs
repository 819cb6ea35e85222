using System.Text.Json.Nodes;
using Descent.Interop.Torch;
using Descent.Learning;
using Descent.Learning.Data;

namespace Descent.Interop.Tests;

/// <summary>
/// PyTorch CNNs → Descent: the fixtures of Fixtures/make_cnn_fixtures.py (a small CNN with BatchNorm2d, BatchNorm1d and
/// a leaky ReLU of slope 0.1, trained briefly with python3-torch behind Normalize(0.5, 0.25), saved with torch.save
/// and as safetensors) give PyTorch's own probabilities (to 1e-5) on the same pixels, and the same accuracy.
/// </summary>
public sealed class CnnImportTests
{
    private static JsonObject Expected() => JsonNode.Parse(File.ReadAllText(Support.Fixture("expected_cnn.json")))!.AsObject();

    private static string Layers => Expected()["layers"]!.GetValue<string>();

    private static string[] Classes => ["horizontal", "vertical", "diagonal"];

    /// <summary>Normalize(0.5, 0.25) over the 144 pixels, as the CLI's --normalize 0.5,0.25 makes it.</summary>
    private static FeatureScaling Normalisation => new(ScalingKind.Standard, Enumerable.Repeat(0.5, 144).ToArray(), Enumerable.Repeat(0.25, 144).ToArray());

    private static void AssertMatchesPyTorch(Model model)
    {
        var expected = Expected();
        var test = Mnist.Load<float>(Support.Fixture("cnn-images")).Test;
        var prediction = model.Predict(test.X);
        var probabilities = expected["probabilities"]!.AsArray();
        Assert.Equal(probabilities.Count, prediction.Count);
        double worst = 0;
        for (int i = 0; i < prediction.Count; i++)
            for (int c = 0; c < 3; c++) worst = Math.Max(worst, Math.Abs(prediction.Probabilities![i][c] - probabilities[i]![c]!.GetValue<double>()));
        Assert.True(worst < 1e-5, $"largest probability difference from PyTorch: {worst:g3}");
        var classes = prediction.Classes!.Select(c => Classes[c]).ToArray();
        Assert.Equal(expected["predicted"]!.AsArray().Select(p => p!.GetValue<string>()), classes);
        var labels = test.GetLabels();
        Assert.Equal(expected["accuracy"]!.GetValue<double>(), labels.Zip(prediction.Classes!).Count(p => p.First == p.Second) / (double)labels.Length, 12);
    }

    [Fact]
    public void A_torch_save_CNN_with_batch_norm_predicts_as_PyTorch_does()
    {
        var model = TorchImport.Load(Support.Fixture("cnn.pt"), new TorchImportOptions { Kind = "auto", LayerSpec = Layers, ImageShape = [12, 12], ClassNames = Classes, Scaling = Normalisation });
        Assert.Equal("cnn", model.Architecture.Kind);
        Assert.Equal([1, 12, 12], model.Architecture.InputShape);
        Assert.Equal([12, 12], model.ImageShape);
        Assert.Equal("float32", model.DType);
        Assert.Contains("layers.1.running_var", model.Parameters.Keys);
        AssertMatchesPyTorch(model);
    }

    [Fact]
    public void A_safetensors_CNN_predicts_as_PyTorch_does()
    {
        var state = StateDict.Load(Support.Fixture("cnn.safetensors"));
        Assert.Contains(state.Tensors, t => t.Name == "1.num_batches_tracked" && t.DType == "int64");
        AssertMatchesPyTorch(TorchImport.ToModel(state, new TorchImportOptions { Kind = "cnn", LayerSpec = Layers, ImageShape = [1, 12, 12], ClassNames = Classes, Scaling = Normalisation }));
    }

    [Fact]
    public void Cli_import_then_predict_on_the_image_folder_gives_PyTorch_accuracy_and_exports()
    {
        string dir = Support.TempFolder();
        string model = Path.Combine(dir, "cnn.safetensors");
        // No --model: the convolution weights say cnn, and --layers reads as a layer stack.
        var imported = Support.Json("import", Support.Fixture("cnn.pt"), "--layers", Layers, "--image-shape", "12x12", "--normalize", "0.5,0.25", "--out", model);
        Assert.Equal("cnn", imported["kind"]!.GetValue<string>());
        Assert.Equal(3, imported["outputs"]!.GetValue<int>());
        var predicted = Support.Json("predict", model, "--data", Support.Fixture("cnn-images"));
        var expected = Expected();
        Assert.Equal(expected["accuracy"]!.GetValue<double>(), predicted["metrics"]!["accuracy"]!.GetValue<double>(), 12);
        var p = predicted["probabilities"]!.AsArray();
        for (int i = 0; i < p.Count; i++)
            for (int c = 0; c < 3; c++) Assert.Equal(expected["probabilities"]![i]![c]!.GetValue<double>(), p[i]![c]!.GetValue<double>(), 1e-5);

        // The imported CNN exports to ONNX like a trained one.
        string onnx = Path.Combine(dir, "cnn.onnx");
        Assert.Equal(0, Support.Run("export", model, "--format", "onnx", "--out", onnx).Code);
        Support.OnnxChecker(onnx);
    }

    [Fact]
    public void Named_modules_out_of_order_in_safetensors_are_put_in_order_by_modules()
    {
        // The fixture's tensors renamed as a module with named children would name them: safetensors sorts the names
        // (bn1, bn2, conv1, …), which is not the network's order; --modules gives it.
        string dir = Support.TempFolder();
        var bytes = File.ReadAllBytes(Support.Fixture("cnn.safetensors"));
        int length = (int)BitConverter.ToUInt64(bytes, 0);
        var header = JsonNode.Parse(bytes.AsSpan(8, length))!.AsObject();
        var names = new Dictionary<string, string> { ["0"] = "conv1", ["1"] = "bn1", ["4"] = "conv2", ["8"] = "fc1", ["9"] = "bn2", ["11"] = "fc2" };
        var renamed = new JsonObject();
        foreach (var (name, value) in header.ToList())
        {
            header.Remove(name);
            int dot = name.IndexOf('.', StringComparison.Ordinal);
            renamed[names[name[..dot]] + name[dot..]] = value;
        }
        var text = System.Text.Encoding.UTF8.GetBytes(renamed.ToJsonString());
        string file = Path.Combine(dir, "named.safetensors");
        File.WriteAllBytes(file, [.. BitConverter.GetBytes((ulong)text.Length), .. text, .. bytes.AsSpan(8 + length)]);
        string model = Path.Combine(dir, "named-model.safetensors");
        var unordered = Support.Run("import", file, "--layers", Layers, "--image-shape", "12x12", "--out", model);
        Assert.True(unordered.Code == 3, unordered.Err);
        Assert.Contains("'bn1.weight'", unordered.Err);
        Assert.Contains("--modules", Support.Run("import", file, "--layers", Layers, "--image-shape", "12x12", "--modules", "conv1,bn1", "--out", model).Err);
        Support.Json("import", file, "--layers", Layers, "--image-shape", "12x12", "--normalize", "0.5,0.25", "--modules", "conv1,bn1,conv2,fc1,bn2,fc2", "--out", model);
        AssertMatchesPyTorch(Model.Load(model));
    }

    [Fact]
    public void Tensors_that_do_not_fit_the_stated_layers_are_named_with_exit_code_3()
    {
        string dir = Support.TempFolder();
        string output = Path.Combine(dir, "m.safetensors");
        var wide = Support.Run("import", Support.Fixture("cnn.pt"), "--layers", Layers.Replace("conv(4,", "conv(6,", StringComparison.Ordinal), "--image-shape", "12x12", "--out", output);
        Assert.True(wide.Code == 3, wide.Err);
        Assert.Contains("'0.weight'", wide.Err);
        Assert.Contains("[4, 1, 3, 3]", wide.Err);
        Assert.Contains("[6, 1, 3, 3]", wide.Err);
        // Without the first batch norm, the second module (BatchNorm2d) is where the second convolution is expected.
        var noNorm = Support.Run("import", Support.Fixture("cnn.pt"), "--layers", Layers.Replace("batchnorm relu maxpool", "relu maxpool", StringComparison.Ordinal), "--image-shape", "12x12", "--out", output);
        Assert.True(noNorm.Code == 3, noNorm.Err);
        Assert.Contains("'1.weight'", noNorm.Err);
        // A different image size changes the flattened width: the first Linear weight is named.
        var size = Support.Run("import", Support.Fixture("cnn.safetensors"), "--layers", Layers, "--image-shape", "16x16", "--out", output);
        Assert.True(size.Code == 3, size.Err);
        Assert.Contains("'8.weight'", size.Err);
        Assert.Contains("[16, 128]", size.Err);
        foreach (var err in new[] { wide.Err, noNorm.Err, size.Err }) Assert.DoesNotContain("   at ", err);
        // Usage errors: no image size, a bad normalisation, a layer stack that does not parse.
        Assert.Equal(2, Support.Run("import", Support.Fixture("cnn.pt"), "--model", "cnn", "--out", output).Code);
        Assert.Equal(2, Support.Run("import", Support.Fixture("cnn.pt"), "--layers", Layers, "--image-shape", "12x12", "--normalize", "0.5", "--out", output).Code);
        Assert.Equal(2, Support.Run("import", Support.Fixture("cnn.pt"), "--layers", "conv(4,3 relu", "--image-shape", "12x12", "--out", output).Code);
        Assert.False(File.Exists(output));
    }
}
