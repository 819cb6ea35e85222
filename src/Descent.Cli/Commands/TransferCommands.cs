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
        var kind = Options.Text("--model", "The architecture the tensors hold: mlp (default) | linear | logistic | softmax.");
        var hidden = Options.Text("--hidden", "The MLP's hidden layer sizes, e.g. 128 or 128,64 (default: read from the tensors); a tensor that does not fit is named.");
        var layers = Options.Text("--layers", "The PyTorch names of the Linear layers in order, e.g. fc1,fc2,out (default: every '….weight' of rank 2 in the file's order).");
        var activation = Options.Text("--activation", "The MLP's activation between layers (a state_dict does not record it): relu (default) | tanh | sigmoid | leaky_relu | leaky_relu(0.2) (another negative slope) | softplus.");
        var task = Options.Text("--task", "classification | regression (default: regression for --model linear, classification otherwise).");
        var classes = Options.Text("--classes", "The class labels by class index, comma-separated, as the data writes them (default 0, 1, …).");
        var features = Options.Text("--features", "The feature (CSV column) names in input order, comma-separated (default x0, x1, …).");
        var targetName = Options.Text("--target", "The target column's name in your data, so that 'descent predict' finds it and reports metrics (default: label; y0, y1, … for regression).");
        var image = Options.Text("--image-shape", "The shape of one input image, e.g. 28x28, when the model reads images.");
        var output = Options.Text("--out", "Where to write the Descent model file, e.g. model.safetensors.");
        var command = new Command("import", "Import a PyTorch state_dict (.pt) or safetensors file as a Descent model file (weights transposed to Descent's layout, sizes read from the tensors).")
        {
            file, kind, hidden, layers, activation, task, classes, features, targetName, image, output,
        };
        command.SetAction(p =>
        {
            string path = p.GetValue(file)!;
            string target = p.GetValue(output) ?? throw new UsageException("import needs --out: where to write the Descent model file, e.g. --out model.safetensors.");
            if (string.IsNullOrWhiteSpace(target)) throw new UsageException("--out needs a file name, e.g. --out model.safetensors.");
            string model = (p.GetValue(kind) ?? "mlp").ToLowerInvariant();
            if (!ModelArchitecture.Kinds.Contains(model)) throw new UsageException($"--model '{p.GetValue(kind)}': use mlp, linear, logistic or softmax.");
            var hiddenSizes = Options.Ints("--hidden", p.GetValue(hidden));
            if (hiddenSizes is not null && model != "mlp") throw new UsageException($"--hidden sets the hidden layers of --model mlp, not {model}; drop --hidden or give --model mlp.");
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
            if (!File.Exists(path)) throw new InputException(Directory.Exists(path) ? $"import: '{path}' is a folder; give the .pt or .safetensors file." : $"import: no file '{path}'.");
            OutputFiles.Check([new("--out", target)], [new("FILE", path)]);
            var options = new TorchImportOptions
            {
                Kind = model,
                Hidden = hiddenSizes,
                Activation = act,
                Layers = Options.List(p.GetValue(layers)),
                Task = modelTask,
                ClassNames = Options.List(p.GetValue(classes)),
                FeatureNames = Options.List(p.GetValue(features)),
                TargetNames = Options.List(p.GetValue(targetName)),
                ImageShape = imageShape,
            };
            Model imported;
            try
            {
                imported = TorchImport.Load(path, options);
            }
            catch (ArgumentException e)
            {
                throw new UsageException("import: " + Errors.LibraryMessage(e));
            }
            imported.Save(target);
            var a = imported.Architecture;
            string shape = a.Kind == "mlp" ? $"{a.Inputs} → {string.Join(" → ", a.Hidden)}{(a.Hidden.Count > 0 ? " → " : "")}{a.Outputs}" : $"{a.Inputs} → {a.Outputs}";
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
                    ["activation"] = a.Activation,
                    ["task"] = imported.Task == ModelTask.Classification ? "classification" : "regression",
                    ["classes"] = imported.ClassNames is { } c ? new JsonArray(c.Select(n => (JsonNode)n).ToArray()) : null,
                    ["dtype"] = imported.DType,
                    ["parameters"] = imported.Parameters.Sum(q => q.Value.Values.Length),
                });
            }
            else
            {
                context.Output.WriteLine($"Imported {path} as a {a.Kind} ({shape}{(a.Kind == "mlp" ? ", " + a.Activation : "")}, {(imported.Task == ModelTask.Classification ? $"{imported.ClassCount} classes" : "regression")}, {imported.DType}); wrote {target}.");
                context.Output.WriteLine($"Predict with: descent predict {target} --data FILE.csv (columns {string.Join(", ", imported.FeatureNames.Take(4))}{(imported.FeatureNames.Count > 4 ? ", …" : "")}).");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static int[] ImageShape(string text)
    {
        var parts = text.Split('x', 'X', ',');
        var dims = parts.Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d >= 1 ? d : 0).ToArray();
        if (dims.Length == 0 || dims.Any(d => d == 0)) throw new UsageException($"--image-shape '{text}': give whole numbers ≥ 1 separated by x, e.g. --image-shape 28x28.");
        return dims;
    }
}
