using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Learning;
using Descent.Learning.Data;
using Descent.Learning.Metrics;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent predict MODEL --data SOURCE</c>: the predictions of a saved model (<c>fit --save</c>, or a checkpoint)
/// for every row of a CSV file (feature columns matched by name, raw values: the model's own scaling is applied) or
/// the test split of image data; when the data holds the target, metrics too.
/// </summary>
public static class PredictCommand
{
    /// <summary>Rows printed in the text output (JSON has them all).</summary>
    public const int ShownRows = 20;

    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var modelPath = new Argument<string>("MODEL") { Description = "A model file written by 'descent fit --save', or a checkpoint of 'descent fit --checkpoint'." };
        var data = Options.Text("--data", "A CSV file with the model's feature columns (by name; a target column adds metrics), a folder of images (PNG, JPEG, BMP…; in class subfolders, metrics too), builtin:fashion-mnist or a folder of MNIST IDX files (their test split).");
        var command = new Command("predict", "Predict with a saved model: every row of a CSV file, every image of a folder, or the test split of image data; metrics when the targets are known.") { modelPath, data };
        command.SetAction(p =>
        {
            string path = p.GetValue(modelPath)!;
            string source = p.GetValue(data) ?? throw new UsageException("predict needs --data: a CSV file with the model's feature columns, a folder of images, builtin:fashion-mnist or an MNIST folder.");
            if (!File.Exists(path))
                throw new InputException(Directory.Exists(path)
                    ? $"predict: '{path}' is a folder; give the model file written by 'descent fit --save PATH'."
                    : $"predict: no model file '{path}'; train one with 'descent fit --data FILE.csv --save {path}'.");
            var model = Model.Load(path);
            return model.DType == "float32" ? Run<float>(context, model, path, source, p.GetValue(Root.Json)) : Run<double>(context, model, path, source, p.GetValue(Root.Json));
        });
        return command;
    }

    /// <summary>Features, and the targets when the data holds them (labels mapped to the model's class indices, −1 for an unknown class).</summary>
    private sealed record Input<T>(Tensor<T> X, double[][]? Targets, int[]? Labels) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        /// <summary>Each row's image file (relative to the folder) when the data is a folder of images; null otherwise.</summary>
        public IReadOnlyList<string>? Files { get; init; }
    }

    private static int Run<T>(CliContext context, Model model, string path, string source, bool json) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var input = DataSources.IsCsv(source) ? FromCsv<T>(model, source)
            : Directory.Exists(source) && !DataSources.IsMnistFolder(source) ? FromImages<T>(model, source)
            : FromSource<T>(model, source);
        var prediction = model.Predict(input.X);
        bool classifier = model.Task == ModelTask.Classification;

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        ClassificationReport? report = null;
        if (classifier && input.Labels is { } labels)
        {
            report = ClassificationReport.FromClasses(prediction.Classes!, labels, model.ClassCount, ClassNames(model));
            metrics["accuracy"] = report.Accuracy;
            metrics["macro_f1"] = report.MacroF1;
        }
        else if (!classifier && input.Targets is { } targets)
        {
            double se = 0, ae = 0, sum = 0, count = 0;
            foreach (var row in targets) foreach (double v in row) { sum += v; count++; }
            double mean = count == 0 ? double.NaN : sum / count, tot = 0;
            for (int i = 0; i < targets.Length; i++)
                for (int j = 0; j < targets[i].Length; j++)
                {
                    double d = prediction.Values[i][j] - targets[i][j];
                    se += d * d;
                    ae += Math.Abs(d);
                    tot += (targets[i][j] - mean) * (targets[i][j] - mean);
                }
            metrics["mse"] = se / count;
            metrics["rmse"] = Math.Sqrt(se / count);
            metrics["mae"] = ae / count;
            metrics["r2"] = tot == 0 ? (se == 0 ? 1 : double.NegativeInfinity) : 1 - se / tot;
        }

        if (json) Json.Write(context.Output, ToJson(model, path, prediction, metrics, report, input.Files));
        else PrintHuman(context.Output, model, path, prediction, metrics, report, input.Files);
        return ExitCodes.Ok;
    }

    private static string[] ClassNames(Model model)
        => model.ClassNames?.ToArray() ?? Enumerable.Range(0, model.ClassCount).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static Input<T> FromCsv<T>(Model model, string source) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (columns, _) = CsvDataset.ReadHeader(source);
        var missing = model.FeatureNames.Where(f => !columns.Contains(f, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
            throw new InputException($"--data '{source}': the model reads the columns {string.Join(", ", model.FeatureNames.Select(f => $"'{f}'"))} but the file lacks {string.Join(", ", missing.Select(f => $"'{f}'"))}; its columns are {string.Join(", ", columns.Select(c => $"'{c}'"))}. Rename the columns to the training data's names.");
        bool hasTargets = model.TargetNames.Count > 0 && model.TargetNames.All(t => columns.Contains(t, StringComparer.Ordinal));
        bool classifier = model.Task == ModelTask.Classification;
        var options = new CsvOptions { CategoricalTarget = hasTargets && classifier };
        var data = CsvDataset.LoadWithReport<T>(source, hasTargets ? model.TargetNames.ToArray() : [], model.FeatureNames.ToArray(), options).Dataset;
        if (!hasTargets) return new Input<T>(data.X, null, null);
        if (classifier)
        {
            var index = ClassNames(model).Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i, StringComparer.Ordinal);
            var names = data.ClassNames!;
            var labels = data.GetLabels().Select(l => index.GetValueOrDefault(names[l], -1)).ToArray();
            return new Input<T>(data.X, null, labels);
        }
        return new Input<T>(data.X, Rows(data.Y), null);
    }

    private static Input<T> FromSource<T>(Model model, string source) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var loaded = DataSources.Load<T>(source, null, null, 0);
        var data = loaded.Test ?? loaded.Train;
        if (data.FeatureCount != model.Architecture.Inputs)
            throw new InputException($"--data '{source}': its examples have {data.FeatureCount} features but the model reads {model.Architecture.Inputs} ({Describe(model)}).");
        if (model.Task == ModelTask.Classification && data.IsClassification)
        {
            var names = data.ClassNames ?? Enumerable.Range(0, data.ClassCount ?? 0).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
            var index = ClassNames(model).Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i, StringComparer.Ordinal);
            var labels = data.GetLabels().Select(l => l < names.Count ? index.GetValueOrDefault(names[l], -1) : -1).ToArray();
            return new Input<T>(data.X, null, labels);
        }
        if (model.Task == ModelTask.Regression && !data.IsClassification && data.Y.Shape[1] == model.Architecture.Outputs)
            return new Input<T>(data.X, Rows(data.Y), null);
        return new Input<T>(data.X, null, null);
    }

    /// <summary>
    /// A folder of image files read with the model's own image preprocessing: its size (no resizing: another size is an
    /// error naming the file), its channels (colour converted to grey for a one-channel model), pixel / 255 as in
    /// training; the model's feature scaling is applied by <see cref="Model.Predict{T}"/>. Class subfolders give labels
    /// by name.
    /// </summary>
    private static Input<T> FromImages<T>(Model model, string source) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (model.ImageShape is not { Count: 2 or 3 } shape)
            throw new InputException($"--data '{source}' is a folder of images, but {Describe(model)} reads the features {string.Join(", ", model.FeatureNames.Take(4))}{(model.FeatureNames.Count > 4 ? ", …" : "")}, not images; give a CSV file with those columns.");
        if (Descent.Interop.Images.ImageFolder.Splits(source) is { } splits)
        {
            // A train/ + test/ folder: its test split, as for MNIST folders and builtin:fashion-mnist.
            source = splits.Test ?? throw new InputException($"--data '{source}' holds a {Path.GetFileName(splits.Train)}/ split but no test/ one; give the folder to predict, e.g. --data {splits.Train}.");
        }
        int height = shape[^2], width = shape[^1];
        int channels = model.Architecture.Inputs / (height * width);
        if (channels is not (1 or 3) || channels * height * width != model.Architecture.Inputs)
            throw new InputException($"--data '{source}': the model reads {model.Architecture.Inputs} values per image of {width}×{height} pixels, which is not 1 (grey) or 3 (RGB) channels; it cannot read image files.");
        var images = Descent.Interop.Images.ImageFolder.Load<T>(source, new Descent.Interop.Images.ImageFolderOptions { Channels = channels, Size = [height, width] });
        var data = images.Data;
        if (!images.Labeled || model.Task != ModelTask.Classification) return new Input<T>(data.X, null, null) { Files = images.Files };
        var index = ClassNames(model).Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i, StringComparer.Ordinal);
        if (data.ClassNames!.FirstOrDefault(n => !index.ContainsKey(n)) is { } unknown)
            throw new InputException($"--data '{source}': the class folder '{unknown}' is not one of the model's classes ({string.Join(", ", ClassNames(model))}); name the class folders as the model's classes, or put the images directly in the folder for predictions only.");
        var folders = data.ClassNames!;
        var labels = data.GetLabels().Select(l => index[folders[l]]).ToArray();
        return new Input<T>(data.X, null, labels) { Files = images.Files };
    }

    private static double[][] Rows<T>(Tensor<T> y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var values = y.ToDoubleArray();
        int n = y.Shape[0], k = n == 0 ? 0 : values.Length / n;
        return Enumerable.Range(0, n).Select(i => values.AsSpan(i * k, k).ToArray()).ToArray();
    }

    private static string Describe(Model model)
        => $"{model.Architecture.Kind}, {(model.Task == ModelTask.Classification ? $"{model.ClassCount} classes" : "regression")}, {model.Architecture.Inputs} features";

    /// <summary>The JSON document of a prediction.</summary>
    internal static JsonObject ToJson(Model model, string path, ModelPrediction prediction, Dictionary<string, double> metrics, ClassificationReport? report, IReadOnlyList<string>? files = null)
    {
        bool classifier = model.Task == ModelTask.Classification;
        JsonNode Output(int i) => classifier ? JsonValue.Create(prediction.Labels![i])
            : prediction.Values[i].Length == 1 ? Json.Number(prediction.Values[i][0]) : Json.Array(prediction.Values[i]);
        var result = new JsonObject
        {
            ["model"] = path,
            ["kind"] = model.Architecture.Kind,
            ["task"] = classifier ? "classification" : "regression",
            ["rows"] = prediction.Count,
            ["predictions"] = new JsonArray(Enumerable.Range(0, prediction.Count).Select(i => (JsonNode?)Output(i)).ToArray()),
        };
        if (files is not null) result["files"] = new JsonArray(files.Select(f => (JsonNode)f).ToArray());
        if (classifier)
        {
            result["classes"] = new JsonArray(ClassNames(model).Select(c => (JsonNode)c).ToArray());
            result["probabilities"] = new JsonArray(prediction.Probabilities!.Select(p => (JsonNode)Json.Array(p)).ToArray());
        }
        if (metrics.Count > 0) result["metrics"] = Json.Object(metrics);
        if (report is not null) result["classification_report"] = FitCommand.ReportJson(report, "data");
        return result;
    }

    private static void PrintHuman(TextWriter output, Model model, string path, ModelPrediction prediction, Dictionary<string, double> metrics, ClassificationReport? report, IReadOnlyList<string>? files)
    {
        bool classifier = model.Task == ModelTask.Classification;
        output.WriteLine($"Predicted {prediction.Count} rows with {path} ({Describe(model)}{(model.Scaling is { } s ? $", {FeatureScaling.Name(s.Kind)} scaling" : "")}).");
        int shown = Math.Min(ShownRows, prediction.Count);
        string Row(int i) => files is not null ? files[i] : (i + 1).ToString(CultureInfo.InvariantCulture);
        var rows = Enumerable.Range(0, shown).Select(i => classifier
            ? new[] { Row(i), prediction.Labels![i], Points.Show(prediction.Probabilities![i][prediction.Classes![i]]) }
            : new[] { Row(i), string.Join(", ", prediction.Values[i].Select(Points.Show)) });
        string first = files is not null ? "file" : "row";
        Human.Table(output, classifier ? [first, "prediction", "probability"] : [first, $"prediction ({string.Join(", ", model.TargetNames)})"], rows);
        if (prediction.Count > shown) output.WriteLine($"… and {prediction.Count - shown} more rows (--json prints them all).");
        if (metrics.Count > 0) Human.Table(output, ["metric", "value"], metrics.Select(kv => new[] { kv.Key, Points.Show(kv.Value) }));
        if (report is not null) FitCommand.PrintReport(output, report, "given");
    }
}
