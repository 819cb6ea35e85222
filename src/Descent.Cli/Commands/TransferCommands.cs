using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Interop.Onnx;
using Descent.Interop.Torch;
using Descent.Learning;
using Descent.Learning.Data;

namespace Descent.Cli.Commands;

/// <summary>
/// Models that travel (docs/models-that-travel.md): <c>descent export MODEL --format onnx --out FILE.onnx</c> and
/// <c>descent import FILE --model mlp --hidden 128 --out MODEL</c> (a PyTorch state_dict or a safetensors file).
/// </summary>
public static class TransferCommands
{
    /// <summary>Builds <c>descent export</c>.</summary>
    public static Command Export(CliContext context)
    {
        var modelPath = new Argument<string>("MODEL") { Description = "A model file written by 'descent fit --save' or 'descent import', or a checkpoint of 'descent fit --checkpoint'." };
        var format = Options.Text("--format", "The format: onnx (the only one; opset 13, float32, a dynamic batch dimension).");
        var output = Options.Text("--out", "Where to write the exported model, e.g. model.onnx.");
        var command = new Command("export", "Export a trained model to ONNX: its preprocessing and layers as graph nodes, input 'input', outputs 'probabilities' and 'class' (classifiers) or 'prediction'.") { modelPath, format, output };
        command.SetAction(p =>
        {
            string path = p.GetValue(modelPath)!;
            string fmt = (p.GetValue(format) ?? "onnx").ToLowerInvariant();
            if (fmt != "onnx") throw new UsageException($"--format '{p.GetValue(format)}': the only export format is onnx, e.g. --format onnx --out model.onnx.");
            string target = p.GetValue(output) ?? throw new UsageException($"export needs --out: where to write the ONNX file, e.g. --out {Path.ChangeExtension(Path.GetFileName(path), ".onnx")}.");
            if (string.IsNullOrWhiteSpace(target)) throw new UsageException("--out needs a file name, e.g. --out model.onnx.");
            if (!File.Exists(path)) throw new InputException(Directory.Exists(path)
                ? $"export: '{path}' is a folder; give the model file written by 'descent fit --save PATH'."
                : $"export: no model file '{path}'; train one with 'descent fit --data FILE.csv --save {path}'.");
            OutputFiles.Check([new("--out", target)], [new("MODEL", path)]);
            var model = Model.Load(path);
            try
            {
                OnnxExporter.Save(model, target);
            }
            catch (OnnxExportException e)
            {
                throw new InputException($"export: {path}: {e.Message}");
            }
            bool classifier = model.Task == ModelTask.Classification;
            string[] outputs = classifier ? ["probabilities", "class"] : ["prediction"];
            var inputShape = model.ImageShape is { Count: > 0 } image && image.Aggregate(1, (a, d) => a * d) == model.Architecture.Inputs ? image.ToArray() : [model.Architecture.Inputs];
            if (p.GetValue(Root.Json))
            {
                Json.Write(context.Output, new JsonObject
                {
                    ["model"] = path,
                    ["out"] = target,
                    ["format"] = "onnx",
                    ["opset"] = OnnxExporter.Opset,
                    ["input"] = new JsonObject { ["name"] = "input", ["shape"] = new JsonArray([(JsonNode)"batch", .. inputShape.Select(d => (JsonNode)d)]) },
                    ["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o).ToArray()),
                    ["bytes"] = new FileInfo(target).Length,
                });
            }
            else
            {
                context.Output.WriteLine($"Wrote {target}: ONNX opset {OnnxExporter.Opset}, input 'input' [batch, {string.Join(", ", inputShape)}] (raw features{(model.Scaling is null ? "" : "; the model's scaling is in the graph")}), "
                    + $"output{(outputs.Length > 1 ? "s" : "")} {string.Join(", ", outputs.Select(o => $"'{o}'"))}.");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Builds <c>descent import</c>.</summary>
    public static Command Import(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "A PyTorch state_dict saved with torch.save(model.state_dict(), FILE), or a safetensors file." };
        var kind = Options.Text("--model", "The architecture the tensors hold: mlp | cnn | linear | logistic | softmax (default: cnn when the file holds a convolution weight, else mlp).");
        var hidden = Options.Text("--hidden", "The MLP's hidden layer sizes, e.g. 128 or 128,64 (default: read from the tensors); a tensor that does not fit is named.");
        var layers = Options.Text("--layers", "A CNN's layer stack, e.g. \"conv(32,3,padding=1) batchnorm relu maxpool(2) flatten linear(10)\" (default: fit's --model cnn layers); for an MLP, the PyTorch names of its Linear layers in order, e.g. fc1,fc2,out.");
        var modules = Options.Text("--modules", "A CNN's PyTorch module names with tensors in the network's order, e.g. conv1,bn1,conv2,fc1,fc2 (default: the file's order; safetensors names sort naturally).");
        var normalize = Options.Text("--normalize", "The image normalisation the network was trained behind, as torchvision's Normalize(mean, std): MEAN,STD or one MEAN,STD pair per channel, e.g. 0.2860,0.3530 (pixels in [0, 1]); applied to raw pixels by predict and the ONNX graph.");
        var activation = Options.Text("--activation", "The MLP's activation between layers (a state_dict does not record it): relu (default) | tanh | sigmoid | leaky_relu | leaky_relu(0.2) (another negative slope) | softplus.");
        var task = Options.Text("--task", "classification | regression (default: regression for --model linear, classification otherwise).");
        var classes = Options.Text("--classes", "The class labels by class index, comma-separated, as the data writes them (default 0, 1, …).");
        var features = Options.Text("--features", "The feature (CSV column) names in input order, comma-separated (default x0, x1, …).");
        var targetName = Options.Text("--target", "The target column's name in your data, so that 'descent predict' finds it and reports metrics (default: label; y0, y1, … for regression).");
        var image = Options.Text("--image-shape", "The shape of one input image, e.g. 28x28 (or 3x32x32 with channels) when the model reads images; a CNN needs it.");
        var output = Options.Text("--out", "Where to write the Descent model file, e.g. model.safetensors.");
        var command = new Command("import", "Import a PyTorch state_dict (.pt) or safetensors file as a Descent model file (weights transposed to Descent's layout, sizes read from the tensors).")
        {
            file, kind, hidden, layers, modules, activation, task, classes, features, targetName, image, normalize, output,
        };
        command.SetAction(p =>
        {
            string path = p.GetValue(file)!;
            string target = p.GetValue(output) ?? throw new UsageException("import needs --out: where to write the Descent model file, e.g. --out model.safetensors.");
            if (string.IsNullOrWhiteSpace(target)) throw new UsageException("--out needs a file name, e.g. --out model.safetensors.");
            string model = (p.GetValue(kind) ?? "auto").ToLowerInvariant();
            if (model != "auto" && !ModelArchitecture.Kinds.Contains(model)) throw new UsageException($"--model '{p.GetValue(kind)}': use mlp, cnn, linear, logistic or softmax.");
            string? layerText = p.GetValue(layers);
            // --layers is a CNN's layer stack when --model cnn says so or when it reads as one (parentheses or spaces).
            bool layerStack = layerText is not null && (model == "cnn" || (model == "auto" && (layerText.Contains('(', StringComparison.Ordinal) || layerText.Trim().Contains(' ', StringComparison.Ordinal))));
            if (layerStack && model == "auto") model = "cnn";
            var hiddenSizes = Options.Ints("--hidden", p.GetValue(hidden));
            if (hiddenSizes is not null && model is not ("mlp" or "auto")) throw new UsageException($"--hidden sets the hidden layers of --model mlp, not {model}; drop --hidden or give --model mlp.");
            if (hiddenSizes is not null && model == "auto") model = "mlp";
            if (p.GetValue(modules) is not null && model is not ("cnn" or "auto")) throw new UsageException($"--modules names a CNN's modules; for --model {model} give the Linear layers' names with --layers.");
            string act = p.GetValue(activation) ?? "relu";
            try { Descent.Learning.Modules.Activation<double>.FromName(act); }
            catch (ArgumentException) { throw new UsageException($"--activation '{act}': use relu, tanh, sigmoid, leaky_relu, softplus or identity."); }
            ModelTask? modelTask = p.GetValue(task)?.ToLowerInvariant() switch
            {
                null => null,
                "classification" => ModelTask.Classification,
                "regression" => ModelTask.Regression,
                var t => throw new UsageException($"--task '{t}': use classification or regression."),
            };
            int[]? imageShape = p.GetValue(image) is { } text ? ImageShape(text) : null;
            if (imageShape is { Length: not (2 or 3) }) throw new UsageException($"--image-shape '{p.GetValue(image)}': give height x width (28x28) or channels x height x width (3x32x32).");
            if (model == "cnn" && imageShape is null) throw new UsageException("import --model cnn needs --image-shape: a state_dict does not record the size of the images, e.g. --image-shape 28x28 (or 3x32x32).");
            double[]? normalisation = p.GetValue(normalize) is { } normText ? Normalisation(normText) : null;
            if (normalisation is not null && imageShape is null) throw new UsageException("--normalize applies to images: give --image-shape too, e.g. --image-shape 28x28 --normalize 0.5,0.5.");
            if (!File.Exists(path)) throw new InputException(Directory.Exists(path) ? $"import: '{path}' is a folder; give the .pt or .safetensors file." : $"import: no file '{path}'.");
            OutputFiles.Check([new("--out", target)], [new("FILE", path)]);
            var options = new TorchImportOptions
            {
                Kind = model,
                Hidden = hiddenSizes,
                Activation = act,
                Layers = layerStack ? Options.List(p.GetValue(modules)) : Options.List(layerText) ?? Options.List(p.GetValue(modules)),
                LayerSpec = layerStack ? layerText : null,
                Task = modelTask,
                ClassNames = Options.List(p.GetValue(classes)),
                FeatureNames = Options.List(p.GetValue(features)),
                TargetNames = Options.List(p.GetValue(targetName)),
                ImageShape = imageShape,
            };
            Model imported;
            try
            {
                if (normalisation is not null)
                {
                    var state = StateDict.Load(path);
                    options = options with { Scaling = ImageScaling(normalisation, imageShape!, state) };
                    imported = TorchImport.ToModel(state, options);
                }
                else imported = TorchImport.Load(path, options);
            }
            catch (ArgumentException e)
            {
                throw new UsageException("import: " + Errors.LibraryMessage(e));
            }
            imported.Save(target);
            var a = imported.Architecture;
            string shape = a.Kind == "mlp" ? $"{a.Inputs} → {string.Join(" → ", a.Hidden)}{(a.Hidden.Count > 0 ? " → " : "")}{a.Outputs}"
                : a.Kind == "cnn" && a.InputShape is { } input ? $"{string.Join("×", input)} → {a.Layers} → {a.Outputs}" : $"{a.Inputs} → {a.Outputs}";
            if (p.GetValue(Root.Json))
            {
                Json.Write(context.Output, new JsonObject
                {
                    ["file"] = path,
                    ["out"] = target,
                    ["kind"] = a.Kind,
                    ["inputs"] = a.Inputs,
                    ["hidden"] = new JsonArray(a.Hidden.Select(h => (JsonNode)h).ToArray()),
                    ["outputs"] = a.Outputs,
                    ["activation"] = a.Kind == "cnn" ? null : a.Activation,
                    ["layers"] = a.Layers,
                    ["input_shape"] = a.InputShape is { } inputShape ? new JsonArray(inputShape.Select(d => (JsonNode)d).ToArray()) : null,
                    ["task"] = imported.Task == ModelTask.Classification ? "classification" : "regression",
                    ["classes"] = imported.ClassNames is { } c ? new JsonArray(c.Select(n => (JsonNode)n).ToArray()) : null,
                    ["dtype"] = imported.DType,
                    ["parameters"] = imported.Parameters.Sum(q => q.Value.Values.Length),
                });
            }
            else
            {
                context.Output.WriteLine($"Imported {path} as a {a.Kind} ({shape}{(a.Kind == "mlp" ? ", " + a.Activation : "")}, {(imported.Task == ModelTask.Classification ? $"{imported.ClassCount} classes" : "regression")}, {imported.DType}); wrote {target}.");
                context.Output.WriteLine(imported.ImageShape is { } img
                    ? $"Predict with: descent predict {target} --data FOLDER (image files of {string.Join("×", img)} pixels, in class subfolders or not)."
                    : $"Predict with: descent predict {target} --data FILE.csv (columns {string.Join(", ", imported.FeatureNames.Take(4))}{(imported.FeatureNames.Count > 4 ? ", …" : "")}).");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>--normalize MEAN,STD[,MEAN,STD…]: torchvision's Normalize, one pair or one per channel.</summary>
    private static double[] Normalisation(string text)
    {
        var values = text.Split(',', StringSplitOptions.TrimEntries).Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : double.NaN).ToArray();
        if (values.Length < 2 || values.Length % 2 != 0 || values.Any(double.IsNaN) || values.Where((_, i) => i % 2 == 1).Any(v => v <= 0))
            throw new UsageException($"--normalize '{text}': give MEAN,STD (a positive STD), or one MEAN,STD pair per channel, e.g. --normalize 0.2860,0.3530.");
        return values;
    }

    /// <summary>(pixel − mean)/std per channel as the model's feature scaling, over the C·H·W pixel values in CHW order.</summary>
    private static FeatureScaling ImageScaling(double[] normalisation, int[] imageShape, StateDict state)
    {
        int channels = imageShape.Length == 3 ? imageShape[0] : state.Tensors.FirstOrDefault(t => t.Shape.Length == 4)?.Shape[1] ?? 1;
        int pairs = normalisation.Length / 2;
        if (pairs != 1 && pairs != channels)
            throw new UsageException($"--normalize: {pairs} MEAN,STD pairs for {channels} channels; give one pair, or one per channel.");
        int pixels = imageShape[^1] * imageShape[^2];
        var offset = new double[channels * pixels];
        var scale = new double[channels * pixels];
        for (int c = 0; c < channels; c++)
        {
            int pair = pairs == 1 ? 0 : c;
            Array.Fill(offset, normalisation[2 * pair], c * pixels, pixels);
            Array.Fill(scale, normalisation[2 * pair + 1], c * pixels, pixels);
        }
        return new FeatureScaling(ScalingKind.Standard, offset, scale);
    }

    private static int[] ImageShape(string text)
    {
        var parts = text.Split('x', 'X', ',');
        var dims = parts.Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d >= 1 ? d : 0).ToArray();
        if (dims.Length == 0 || dims.Any(d => d == 0)) throw new UsageException($"--image-shape '{text}': give whole numbers ≥ 1 separated by x, e.g. --image-shape 28x28.");
        return dims;
    }
}
