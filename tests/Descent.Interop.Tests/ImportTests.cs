using Descent.Interop.Torch;
using Descent.Learning;
using Descent.Learning.Data;

namespace Descent.Interop.Tests;

/// <summary>
/// PyTorch → Descent: the fixtures of Fixtures/make_fixtures.py (an MLP trained briefly with python3-torch, saved with
/// torch.save and as safetensors) give PyTorch's own probabilities (to 1e-5) and the same test accuracy.
/// </summary>
public sealed class ImportTests
{
    private static readonly string[] Features = ["f1", "f2", "f3", "f4"];

    private static (Tensor<float> X, string[] Labels) TestRows()
    {
        var data = CsvDataset.LoadWithReport<float>(Support.Fixture("test.csv"), ["species"], Features, new CsvOptions { CategoricalTarget = true }).Dataset;
        var labels = data.GetLabels().Select(l => data.ClassNames![l]).ToArray();
        return (data.X, labels);
    }

    private static void AssertMatchesPyTorch(Model model)
    {
        var expected = Support.Expected();
        var (x, labels) = TestRows();
        var prediction = model.Predict(x);
        var probabilities = expected["probabilities"]!.AsArray();
        Assert.Equal(probabilities.Count, prediction.Count);
        double worst = 0;
        for (int i = 0; i < prediction.Count; i++)
            for (int c = 0; c < 3; c++) worst = Math.Max(worst, Math.Abs(prediction.Probabilities![i][c] - probabilities[i]![c]!.GetValue<double>()));
        Assert.True(worst < 1e-5, $"largest probability difference from PyTorch: {worst:g3}");
        var predicted = expected["predicted"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray();
        Assert.Equal(predicted, prediction.Labels);
        double accuracy = labels.Zip(prediction.Labels!).Count(p => p.First == p.Second) / (double)labels.Length;
        Assert.Equal(expected["accuracy"]!.GetValue<double>(), accuracy, 12);
    }

    [Fact]
    public void TorchSave_state_dict_predicts_as_PyTorch_does()
    {
        var model = TorchImport.Load(Support.Fixture("mlp.pt"), new TorchImportOptions { Hidden = [16], ClassNames = ["alpha", "beta", "gamma"], FeatureNames = Features });
        Assert.Equal(new ModelArchitecture("mlp", 4, 3, [16]).Hidden, model.Architecture.Hidden);
        Assert.Equal("float32", model.DType);
        AssertMatchesPyTorch(model);
    }

    [Fact]
    public void Safetensors_with_named_layers_predicts_as_PyTorch_does()
    {
        var state = StateDict.Load(Support.Fixture("mlp.safetensors"));
        Assert.Equal(["hidden.bias", "hidden.weight", "out.bias", "out.weight"], state.Tensors.Select(t => t.Name));
        var model = TorchImport.ToModel(state, new TorchImportOptions { Layers = ["hidden", "out"], ClassNames = ["alpha", "beta", "gamma"], FeatureNames = Features });
        Assert.Equal([16], model.Architecture.Hidden);
        AssertMatchesPyTorch(model);
    }

    [Fact]
    public void Float64_tanh_regression_matches_PyTorch()
    {
        var model = TorchImport.Load(Support.Fixture("tanh_regression.pt"), new TorchImportOptions { Activation = "tanh", Task = ModelTask.Regression });
        Assert.Equal("float64", model.DType);
        Assert.Equal([8, 8], model.Architecture.Hidden);
        var (x, _) = TestRows();
        var rows = x.ToDoubleArray();
        var first3 = new double[x.Shape[0], 3];
        for (int i = 0; i < x.Shape[0]; i++) for (int j = 0; j < 3; j++) first3[i, j] = rows[i * 4 + j];
        var prediction = model.Predict(Tensor.FromArray(first3));
        var expected = Support.Expected()["regression"]!.AsArray();
        for (int i = 0; i < prediction.Count; i++)
            for (int j = 0; j < 2; j++) Assert.Equal(expected[i]![j]!.GetValue<double>(), prediction.Values[i][j], 1e-12);
    }

    [Fact]
    public void Cli_import_then_predict_gives_PyTorch_accuracy_and_probabilities()
    {
        string dir = Support.TempFolder();
        string model = Path.Combine(dir, "imported.safetensors");
        var imported = Support.Json("import", Support.Fixture("mlp.pt"), "--model", "mlp", "--hidden", "16", "--classes", "alpha,beta,gamma", "--features", "f1,f2,f3,f4", "--target", "species", "--out", model);
        Assert.Equal(4, imported["inputs"]!.GetValue<int>());
        Assert.Equal(3, imported["outputs"]!.GetValue<int>());
        var predicted = Support.Json("predict", model, "--data", Support.Fixture("test.csv"));
        var expected = Support.Expected();
        Assert.Equal(expected["accuracy"]!.GetValue<double>(), predicted["metrics"]!["accuracy"]!.GetValue<double>(), 12);
        Assert.Equal(expected["predicted"]!.AsArray().Select(p => p!.GetValue<string>()), predicted["predictions"]!.AsArray().Select(p => p!.GetValue<string>()));
        var p0 = predicted["probabilities"]!.AsArray()[0]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var e0 = expected["probabilities"]!.AsArray()[0]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        for (int c = 0; c < 3; c++) Assert.Equal(e0[c], p0[c], 1e-5);
    }

    [Fact]
    public void Fit_init_from_an_imported_model_starts_from_its_weights_and_fine_tunes()
    {
        string dir = Support.TempFolder();
        string model = Path.Combine(dir, "imported.safetensors");
        Assert.Equal(0, Support.Run("import", Support.Fixture("mlp.pt"), "--hidden", "16", "--classes", "alpha,beta,gamma", "--features", "f1,f2,f3,f4", "--target", "species", "--out", model).Code);
        // A step too small to change anything: the starting point is the imported model, so the accuracy is PyTorch's.
        string still = Path.Combine(dir, "still.safetensors");
        var (code, _, err) = Support.Run("fit", "--data", Support.Fixture("train.csv"), "--target", "species", "--init-from", model, "--epochs", "1", "--lr", "1e-12", "--save", still);
        Assert.True(code == 0, err);
        var predicted = Support.Json("predict", still, "--data", Support.Fixture("test.csv"));
        Assert.Equal(Support.Expected()["accuracy"]!.GetValue<double>(), predicted["metrics"]!["accuracy"]!.GetValue<double>(), 12);
        // Fine-tuning: training on from the imported weights lowers the training loss below the imported model's.
        var first = Support.Json("fit", "--data", Support.Fixture("train.csv"), "--target", "species", "--init-from", model, "--epochs", "1", "--lr", "1e-12");
        var tuned = Support.Json("fit", "--data", Support.Fixture("train.csv"), "--target", "species", "--init-from", model, "--epochs", "30", "--optimizer", "adam", "--lr", "0.01");
        Assert.True(tuned["metrics"]!["train_loss"]!.GetValue<double>() < first["metrics"]!["train_loss"]!.GetValue<double>(),
            $"fine-tuned {tuned["metrics"]!["train_loss"]} vs imported {first["metrics"]!["train_loss"]}");
        // --init-from and --resume together are a usage error.
        Assert.Equal(2, Support.Run("fit", "--data", Support.Fixture("train.csv"), "--init-from", model, "--resume", model).Code);
    }

    [Fact]
    public void Fit_resume_of_an_imported_model_starts_a_fresh_run_from_its_weights_and_says_so()
    {
        // An imported model file holds weights but no optimizer state or epoch count: --resume starts from its weights
        // with a fresh optimizer at epoch 1 (one note line), and trains exactly as --init-from does.
        string dir = Support.TempFolder();
        string model = Path.Combine(dir, "imported.safetensors");
        Assert.Equal(0, Support.Run("import", Support.Fixture("mlp.pt"), "--hidden", "16", "--classes", "alpha,beta,gamma", "--features", "f1,f2,f3,f4", "--target", "species", "--out", model).Code);
        string[] common = ["fit", "--data", Support.Fixture("train.csv"), "--target", "species", "--epochs", "5", "--optimizer", "adam", "--lr", "0.01"];
        string resumed = Path.Combine(dir, "resumed.safetensors"), initialised = Path.Combine(dir, "init.safetensors");
        var (code, _, err) = Support.Run([.. common, "--resume", model, "--save", resumed]);
        Assert.True(code == 0, err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("note: --resume", StringComparison.Ordinal));
        Assert.Contains("fresh adam optimizer at epoch 1", err);
        Assert.Equal(0, Support.Run([.. common, "--init-from", model, "--save", initialised]).Code);
        var a = Model.Load(resumed);
        var b = Model.Load(initialised);
        Assert.Equal(b.Parameters.Keys.Order(), a.Parameters.Keys.Order());
        foreach (var (name, (_, values)) in b.Parameters) Assert.Equal(values, a.Parameters[name].Values);
        Assert.NotEqual(Model.Load(model).Parameters["layers.0.weight"].Values, a.Parameters["layers.0.weight"].Values);
        // The resumed run's --checkpoint is a real checkpoint, which a further --resume continues exactly.
        string checkpoint = Path.Combine(dir, "run.ckpt");
        Assert.Equal(0, Support.Run([.. common, "--resume", model, "--checkpoint", checkpoint]).Code);
        var next = Support.Run([.. common[..^6], "--model", "mlp", "--hidden", "16", "--epochs", "8", "--optimizer", "adam", "--lr", "0.01", "--resume", checkpoint]);
        Assert.True(next.Code == 0, next.Err);
        Assert.DoesNotContain("note: --resume", next.Err);
    }

    [Fact]
    public void A_pickle_naming_anything_but_tensors_is_refused_and_never_run()
    {
        string dir = Support.TempFolder();
        string cwd = Environment.CurrentDirectory;
        var (code, _, err) = Support.Run("import", Support.Fixture("evil.pt"), "--out", Path.Combine(dir, "m.safetensors"));
        Assert.Equal(3, code);
        Assert.Contains("posix.system", err);
        Assert.Contains("nothing was executed", err);
        Assert.DoesNotContain("   at ", err);
        Assert.False(File.Exists(Path.Combine(cwd, "interop-evil-pickle-ran")));
        Assert.False(File.Exists(Path.Combine(dir, "m.safetensors")));
    }

    [Fact]
    public void Truncated_foreign_and_misfitting_files_are_clear_errors_with_exit_code_3()
    {
        string dir = Support.TempFolder();
        string output = Path.Combine(dir, "m.safetensors");
        var bytes = File.ReadAllBytes(Support.Fixture("mlp.pt"));
        string truncated = Path.Combine(dir, "truncated.pt");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        string foreign = Path.Combine(dir, "notes.pt");
        File.WriteAllText(foreign, "these are not weights\n");
        string cut = Path.Combine(dir, "cut.safetensors");
        File.WriteAllBytes(cut, File.ReadAllBytes(Support.Fixture("mlp.safetensors"))[..300]);

        foreach (var (file, words) in new[] { (truncated, "zip"), (foreign, "neither a PyTorch file"), (cut, "safetensors") })
        {
            var (code, _, err) = Support.Run("import", file, "--out", output);
            Assert.True(code == 3, $"{file}: exit {code}: {err}");
            Assert.Contains(words, err);
            Assert.DoesNotContain("   at ", err);
        }
        var misfit = Support.Run("import", Support.Fixture("mlp.pt"), "--hidden", "32", "--out", output);
        Assert.Equal(3, misfit.Code);
        Assert.Contains("'0.weight'", misfit.Err);
        Assert.Contains("[16, 4]", misfit.Err);
        var tooMany = Support.Run("import", Support.Fixture("tanh_regression.pt"), "--hidden", "8", "--out", output);
        Assert.Equal(3, tooMany.Code);
        Assert.Contains("'4.weight'", tooMany.Err);
        var wrongKind = Support.Run("import", Support.Fixture("mlp.pt"), "--model", "softmax", "--out", output);
        Assert.Equal(3, wrongKind.Code);
        Assert.Contains("--model mlp", wrongKind.Err);
        Assert.False(File.Exists(output));
        Assert.Equal(2, Support.Run("import", Support.Fixture("mlp.pt"), "--classes", "a,b", "--out", output).Code);
    }

    [Fact]
    public void A_training_checkpoint_dictionary_with_a_strided_weight_is_read_through_its_strides()
    {
        var state = StateDict.Load(Support.Fixture("checkpoint.pt"));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], state.Tensors.Select(t => t.Name));
        Assert.Equal([16, 4], state.Tensors[0].Shape);
        var model = TorchImport.ToModel(state, new TorchImportOptions { FeatureNames = Features });
        Assert.Equal([16], model.Architecture.Hidden);
        var prediction = model.Predict(TestRows().X);
        var expected = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Support.Fixture("expected_checkpoint.json")))!["probabilities"]!.AsArray();
        for (int i = 0; i < prediction.Count; i++)
            for (int c = 0; c < 2; c++) Assert.Equal(expected[i]![c]!.GetValue<double>(), prediction.Probabilities![i][c], 1e-5);
    }

    [Theory]
    [InlineData("layers.2.weight", "layers.10.weight", -1)]
    [InlineData("fc1", "fc1", 0)]
    [InlineData("b", "a10", 1)]
    public void Safetensors_names_sort_naturally(string a, string b, int sign)
        => Assert.Equal(sign, Math.Sign(StateDict.NaturalCompare(a, b)));
}
