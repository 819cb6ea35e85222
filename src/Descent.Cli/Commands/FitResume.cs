using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Learning;
using Descent.Learning.Data;
using Descent.Learning.Training;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>fit --resume CHECKPOINT</c> without repeating the run's options: every checkpoint of <c>fit</c> keeps the settings
/// that decide what the run computes (under <c>metadata.settings</c>: data, model, hidden sizes, layers, loss, optimizer,
/// learning rate, schedule, batch size, validation split, seed, element type, scaling, augmentation, gradient options,
/// epochs) besides the model description (architecture, image shape, the scaling's statistics). A resume takes what the
/// command line leaves out from there; an option given again must agree, and one that contradicts the checkpoint is a
/// usage error naming the option and the checkpoint's value. Checkpoints from before the settings were kept still give
/// the architecture, the element type, the scaling, the loss, the optimizer and the augmentation.
/// </summary>
internal static class FitResume
{
    /// <summary>The key under the checkpoint's metadata (<see cref="Trainer{T}.CheckpointMetadata"/>) holding the settings.</summary>
    public const string SettingsKey = "settings";

    /// <summary>What a run's checkpoints keep of its settings: the resolved values, so a resume computes exactly the same.</summary>
    internal static JsonObject Settings(FitSettings s, string model, string loss, double lr, int epochs, int? batch, string scaling, string? task, string augment, string dtype)
    {
        var o = new JsonObject
        {
            // A file's full path, so a resume from another folder finds it.
            ["data"] = DataSources.FilePath(s.Data) is { } file ? Path.GetFullPath(file) : s.Data,
            ["features"] = s.Features is { } f ? new JsonArray(f.Select(x => (JsonNode?)x).ToArray()) : null,
            ["target"] = s.Target,
            ["task"] = task,
            ["model"] = model,
            ["hidden"] = model == "mlp" ? string.Join(",", s.Hidden ?? [32]) : null,
            ["layers"] = model == "cnn" ? s.Layers ?? Descent.Learning.Modules.Cnn<float>.DefaultLayers : null,
            ["loss"] = loss,
            ["optimizer"] = s.Optimizer,
            ["lr"] = lr.ToString("R", CultureInfo.InvariantCulture),
            ["epochs"] = epochs,
            ["batch_size"] = batch is int b ? b.ToString(CultureInfo.InvariantCulture) : "full",
            ["val_split"] = s.ValSplit.ToString("R", CultureInfo.InvariantCulture),
            ["schedule"] = s.Schedule ?? "constant",
            ["seed"] = s.Seed,
            ["dtype"] = dtype,
            ["scale"] = scaling,
            ["augment"] = augment,
            ["clip_value"] = s.Gradients.ClipValue?.ToString("R", CultureInfo.InvariantCulture),
            ["clip_norm"] = s.Gradients.ClipNorm?.ToString("R", CultureInfo.InvariantCulture),
            ["accumulate"] = s.Gradients.Accumulate,
            ["skip_nonfinite"] = s.Gradients.SkipNonFinite,
        };
        return o;
    }

    /// <summary>
    /// Fills in what <c>--resume</c>'s checkpoint says of the run and the command line leaves out, and refuses an option
    /// that contradicts it. <paramref name="seed"/> and <paramref name="valSplit"/> are the values as given (null when
    /// not given: <paramref name="s"/> holds their defaults). A model file that is no checkpoint, or a missing file, is
    /// left as it is (<see cref="FitCore.ResumeModelFile"/> and the resume itself deal with them).
    /// </summary>
    /// <param name="s">The settings as the command line gave them.</param>
    /// <param name="seed"><c>--seed</c> as given, or null.</param>
    /// <param name="valSplit"><c>--val-split</c> as given, or null.</param>
    /// <param name="taken">The options taken from the checkpoint, as one would have typed them (for a note), or null.</param>
    public static FitSettings Apply(FitSettings s, int? seed, double? valSplit, out string? taken)
    {
        taken = null;
        if (s.Resume is null || !File.Exists(s.Resume) || FitCore.ModelFileFormat(s.Resume) == Model.FormatName) return s;
        var checkpoint = Checkpoint.Load(s.Resume); // a damaged or foreign file: CheckpointException, exit 3
        var meta = checkpoint.Metadata["metadata"] as JsonObject;
        var kept = meta?[SettingsKey] as JsonObject;
        Model? description = checkpoint.ModelDescription is null ? null : Model.Load(s.Resume);
        string path = s.Resume;
        var filled = new List<string>();

        string? Saved(string key) => kept?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
            : kept?[key] is JsonValue n && n.GetValueKind() == JsonValueKind.Number ? n.ToJsonString() : null;
        string? Meta(string key) => meta?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        UsageException Contradicts(string option, string given, string saved) => new(
            $"{option} {given}: the checkpoint '{path}' was written with {option} {saved}; leave {option} out (a resume takes the checkpoint's) or give {option} {saved}. "
            + $"To train on with other settings, start a new run from its weights: --init-from '{path}'.");
        // The value of one option: the given one when it agrees with the checkpoint's, the checkpoint's when none is given.
        string? Take(string option, string? given, string? saved, Func<string, string, bool> same)
        {
            if (saved is null) return given;
            if (given is null)
            {
                filled.Add(option + " " + saved);
                return saved;
            }
            if (!same(given, saved)) throw Contradicts(option, given, saved);
            return given;
        }
        static bool Text(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);
        static bool Number(string a, string b) => double.Parse(a, CultureInfo.InvariantCulture) == double.Parse(b, CultureInfo.InvariantCulture);

        // The architecture: the model description, which every fit checkpoint holds, else the settings.
        var architecture = description?.Architecture;
        string? savedModel = architecture?.Kind ?? Saved("model") ?? Meta("model");
        if (savedModel is not null)
        {
            if (s.Hidden is not null && savedModel != "mlp")
                throw new UsageException($"--hidden {string.Join(",", s.Hidden)}: the checkpoint '{path}' holds a {savedModel} model, which has no hidden layers; drop --hidden.");
            if (s.Layers is not null && savedModel != "cnn")
                throw new UsageException($"--layers \"{s.Layers}\": the checkpoint '{path}' holds a {savedModel} model, not a cnn; drop --layers.");
        }
        s = s with { Model = Take("--model", s.Model, savedModel, Text) };
        string? savedHidden = architecture is { Kind: "mlp" } ? string.Join(",", architecture.Hidden) : Saved("hidden");
        string? hidden = Take("--hidden", s.Hidden is null ? null : string.Join(",", s.Hidden), savedHidden,
            (a, b) => Options.Ints("--hidden", a)!.SequenceEqual(Options.Ints("--hidden", b)!));
        s = s with { Hidden = Options.Ints("--hidden", hidden) };
        s = s with { Layers = Take("--layers", s.Layers, architecture is { Kind: "cnn" } ? architecture.Layers ?? Descent.Learning.Modules.Cnn<float>.DefaultLayers : Saved("layers"),
            (a, b) => LayerText(a) == LayerText(b)) };
        if (filled.Count > 0 && filled[^1].StartsWith("--layers", StringComparison.Ordinal)) filled[^1] = $"--layers \"{s.Layers}\"";

        string? savedLoss = Saved("loss") ?? Meta("loss")?.Replace(" (standardised target)", "", StringComparison.Ordinal);
        s = s with { Loss = Take("--loss", s.Loss, savedLoss, (a, b) => LossName(a) == LossName(b)) };
        s = s with { Optimizer = Take("--optimizer", s.Optimizer.Length == 0 ? null : s.Optimizer, Saved("optimizer") ?? Meta("optimizer"), (a, b) => Canonical(a) == Canonical(b)) ?? "" };
        // --augment given again is compared by the resume itself (it knows the images' shape); here it is only filled in.
        string? savedAugment = Saved("augment") ?? Meta("augment");
        if (s.Augment is null && savedAugment is not null && savedAugment != "none")
        {
            s = s with { Augment = savedAugment };
            filled.Add("--augment " + savedAugment);
        }

        s = s with { Data = Take("--data", s.Data, Saved("data"), (_, _) => true) };
        string? dtype = description?.DType ?? Saved("dtype");
        if (dtype is not null && s.DataType is not null && !Text(s.DataType, "auto") && DataSources.Name(DataSources.ResolveDType(s.DataType, s.Data)) != dtype)
            throw Contradicts("--dtype", s.DataType, dtype);
        if (dtype is not null && (s.DataType is null || Text(s.DataType, "auto")) && DataSources.Name(DataSources.ResolveDType(null, s.Data)) != dtype)
        {
            s = s with { DataType = dtype };
            filled.Add("--dtype " + dtype);
        }
        string? savedScale = Saved("scale") ?? (description is null ? null : FeatureScaling.Name(description.Scaling?.Kind ?? ScalingKind.None));
        string? scale = Take("--scale", s.Scale, savedScale, Text);
        if (scale is not null && s.Scale is null && FitCore.ScalingOf(s with { Scale = null }) == FeatureScaling.Parse(scale)) filled.RemoveAt(filled.Count - 1); // the default anyway
        s = s with { Scale = scale, ResumeScaling = description?.Scaling };
        // Every kept setting below was written with the run's settings; an older checkpoint has none of them.
        if (kept is not null)
        {
            var features = kept["features"] is JsonArray f ? f.Select(x => x!.GetValue<string>()).ToArray() : null;
            if (features is not null && s.Features is not null && !features.SequenceEqual(s.Features, StringComparer.Ordinal))
                throw Contradicts("--features", string.Join(",", s.Features), string.Join(",", features));
            if (features is not null && s.Features is null) filled.Add("--features " + string.Join(",", features));
            int? epochs = kept["epochs"] is JsonValue e && e.GetValueKind() == JsonValueKind.Number ? e.GetValue<int>() : null;
            if (s.Epochs is null && epochs is int total) filled.Add("--epochs " + total.ToString(CultureInfo.InvariantCulture));
            s = s with
            {
                Features = s.Features ?? features,
                Target = Take("--target", s.Target, Saved("target"), (a, b) => a == b),
                Task = Take("--task", s.Task, Saved("task"), Text),
                Epochs = s.Epochs ?? epochs,
            };
            double? lr = Take("--lr", s.LearningRate?.ToString("R", CultureInfo.InvariantCulture), Saved("lr"), Number) is { } l ? double.Parse(l, CultureInfo.InvariantCulture) : null;
            string? batch = Take("--batch-size", s.BatchSize, Saved("batch_size"), Text);
            string? schedule = Take("--schedule", s.Schedule, Saved("schedule"), (a, b) => Canonical(a) == Canonical(b));
            if (schedule == "constant" && s.Schedule is null) filled.RemoveAt(filled.Count - 1);
            int seedValue = int.Parse(Take("--seed", seed?.ToString(CultureInfo.InvariantCulture), Saved("seed"), (a, b) => a == b) ?? "0", CultureInfo.InvariantCulture);
            double split = double.Parse(Take("--val-split", valSplit?.ToString("R", CultureInfo.InvariantCulture), Saved("val_split"), Number) ?? "0", CultureInfo.InvariantCulture);
            var g = s.Gradients;
            double? clipValue = Take("--clip-value", g.ClipValue?.ToString("R", CultureInfo.InvariantCulture), Saved("clip_value"), Number) is { } cv ? double.Parse(cv, CultureInfo.InvariantCulture) : null;
            double? clipNorm = Take("--clip-norm", g.ClipNorm?.ToString("R", CultureInfo.InvariantCulture), Saved("clip_norm"), Number) is { } cn ? double.Parse(cn, CultureInfo.InvariantCulture) : null;
            int? accumulate = Take("--accumulate", g.Accumulate?.ToString(CultureInfo.InvariantCulture), Saved("accumulate"), (a, b) => a == b) is { } k ? int.Parse(k, CultureInfo.InvariantCulture) : null;
            bool savedSkip = kept["skip_nonfinite"] is JsonValue sk && sk.GetValueKind() == JsonValueKind.True;
            if (g.SkipNonFinite && !savedSkip)
                throw new UsageException($"--skip-nonfinite: the checkpoint '{path}' was written without --skip-nonfinite; leave it out (or start a new run without --resume).");
            if (savedSkip && !g.SkipNonFinite) filled.Add("--skip-nonfinite");
            s = s with
            {
                LearningRate = lr,
                BatchSize = batch,
                Schedule = schedule,
                Seed = seedValue,
                ValSplit = split,
                Gradients = new Factories.GradientOptions(clipValue, clipNorm, accumulate, g.SkipNonFinite || savedSkip),
            };
            filled.RemoveAll(t => t is "--seed 0" or "--val-split 0"); // the defaults anyway
        }
        s = s with { ResumeCheckpoint = checkpoint };
        if (filled.Count > 0) taken = string.Join(" ", filled);
        return s;
    }

    /// <summary>A loss's short name (<see cref="Descent.Learning.Losses.Loss.FromName{T}"/> takes the long ones too).</summary>
    private static string LossName(string name) => name.Trim().ToLowerInvariant().Replace('_', '-') switch
    {
        "mean-squared-error" => "mse",
        "half-mean-squared-error" => "half-mse",
        "sum-squared-error" => "sse",
        "mean-absolute-error" => "mae",
        "binary-cross-entropy" => "bce",
        "binary-cross-entropy-with-logits" => "bce-logits",
        "softmax-cross-entropy" or "ce" => "cross-entropy",
        "negative-log-likelihood" => "nll",
        var n => n,
    };

    /// <summary>A layer stack's text with layers separated by one space and no spaces inside a layer's parentheses, lower case.</summary>
    internal static string LayerText(string text)
    {
        var result = new System.Text.StringBuilder();
        int depth = 0;
        bool gap = false;
        foreach (char c in text.Trim().ToLowerInvariant())
        {
            if (c == '(') depth++;
            else if (c == ')') depth--;
            if (char.IsWhiteSpace(c) || (c == ',' && depth == 0))
            {
                gap = depth == 0 && result.Length > 0;
                continue;
            }
            if (gap) result.Append(' ');
            gap = false;
            result.Append(c);
        }
        return result.ToString();
    }

    /// <summary>A setting's text (<c>NAME:key=value,…</c>) in one form: lower case, no spaces, the key=value pairs sorted.</summary>
    internal static string Canonical(string text)
    {
        string t = string.Concat(text.Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant();
        int colon = t.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return t;
        return t[..colon] + ":" + string.Join(",", t[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }
}
