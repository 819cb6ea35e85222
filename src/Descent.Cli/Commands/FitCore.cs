using System.Diagnostics;
using System.Numerics;
using Descent.Cli.Infrastructure;
using Descent.Learning;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Metrics;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Descent.Optimization.Stopping;

namespace Descent.Cli.Commands;

/// <summary>Everything <c>fit</c> (and <c>sweep fit</c>) is told.</summary>
internal sealed record FitSettings
{
    public string? Data { get; init; }
    public string[]? Features { get; init; }
    public string? Target { get; init; }
    public string? Model { get; init; }
    public int[]? Hidden { get; init; }
    /// <summary>The <c>--layers</c> text: a CNN's layer stack (<see cref="LayerSpec"/>).</summary>
    public string? Layers { get; init; }
    /// <summary>The <c>--augment</c> text: random shifts and flips of the training images (<see cref="ImageAugmentation.Parse"/>).</summary>
    public string? Augment { get; init; }
    public string? Loss { get; init; }
    public string Optimizer { get; init; } = "gd";
    public double? LearningRate { get; init; }
    public int? Epochs { get; init; }
    public string? BatchSize { get; init; }
    public double ValSplit { get; init; }
    public string? Schedule { get; init; }
    public string[]? Stops { get; init; }
    public int Seed { get; init; }
    /// <summary>The <c>--dtype</c> text: auto (or null), float32, float64.</summary>
    public string? DataType { get; init; }
    public string? Checkpoint { get; init; }
    public string? Resume { get; init; }
    /// <summary>The <c>--init</c> text: default (or null) or zeros.</summary>
    public string? Init { get; init; }
    /// <summary>The <c>--checkpoint-every</c> text: N (epochs) or a time such as 2s (default 1s).</summary>
    public string? CheckpointEvery { get; init; }
    /// <summary>The <c>--scale</c> text: none, standard, minmax; null: standard for CSV data, none otherwise.</summary>
    public string? Scale { get; init; }
    /// <summary>The <c>--task</c> text: regression or classification; null: inferred from a CSV target.</summary>
    public string? Task { get; init; }
    /// <summary>The <c>--save</c> path: where the trained model file goes.</summary>
    public string? Save { get; init; }
    /// <summary><c>--clip-value</c>, <c>--clip-norm</c>, <c>--accumulate</c>, <c>--skip-nonfinite</c>: what wraps the optimizer.</summary>
    public Factories.GradientOptions Gradients { get; init; } = new();
    /// <summary>The <c>--init-from</c> model file: training starts from its parameters and keeps its feature scaling.</summary>
    public string? InitFrom { get; init; }
    /// <summary>True when <see cref="InitFrom"/> came from <c>--resume</c> naming a model file that is no checkpoint (<see cref="FitCore.ResumeModelFile"/>).</summary>
    public bool InitFromResume { get; init; }
    /// <summary>The feature scaling of the <c>--resume</c> checkpoint's model (its statistics, as the run learned them), or null.</summary>
    public FeatureScaling? ResumeScaling { get; init; }
    /// <summary>The <c>--resume</c> checkpoint, once read (<see cref="FitResume.Apply"/>), or null.</summary>
    public Checkpoint? ResumeCheckpoint { get; init; }
    /// <summary><c>--workers N</c>: data-parallel training on N local worker processes (docs/distributed.md).</summary>
    public int? Workers { get; init; }
    /// <summary><c>--cluster HOST:PORT</c>: data-parallel training on a running cluster.</summary>
    public string? Cluster { get; init; }
}

/// <summary>One parameter of the trained model, copied out as float64 for printing.</summary>
internal sealed record ParameterValues(string Name, int[] Shape, double[] Values);

/// <summary>What a training run produced.</summary>
internal sealed record FitOutcome(string Model, string LossName, double LearningRate, DType DType, IReadOnlyList<ParameterValues> Parameters, History History,
    Dictionary<string, double> Metrics, double Seconds, bool IsClassification)
{
    /// <summary>The feature scaling used (none, standard, minmax).</summary>
    public string Scaling { get; init; } = "none";
    /// <summary>A classifier's class labels as the data wrote them.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
    /// <summary>A classifier's confusion matrix and per-class scores, on <see cref="ReportSplit"/>.</summary>
    public Descent.Learning.Metrics.ClassificationReport? Report { get; init; }
    /// <summary>A data-parallel run's workers, steps and communication time (<c>--workers</c>, <c>--cluster</c>), or null.</summary>
    public System.Text.Json.Nodes.JsonObject? Distributed { get; init; }
    /// <summary>The split the report is about: test, val or train.</summary>
    public string? ReportSplit { get; init; }
    /// <summary>Where the model file was written (<c>--save</c>), or null.</summary>
    public string? SavedTo { get; init; }
    /// <summary>A linear model on scaled features, in the data's own units: y = x·Weight + Bias for raw x; null otherwise.</summary>
    public (double[][] Weight, double[] Bias)? RawLinear { get; init; }
    /// <summary>The feature and target names, for showing <see cref="RawLinear"/>.</summary>
    public (IReadOnlyList<string> Features, IReadOnlyList<string> Targets)? Names { get; init; }
    /// <summary>A CNN's layer-by-layer summary, or null.</summary>
    public ModelSummary? Summary { get; init; }
}

/// <summary>The training run behind <c>fit</c>: data, model, loss, optimizer and trainer from the library.</summary>
internal static class FitCore
{
    /// <summary>The reference settings used when no <c>--data</c> is given.</summary>
    public const double ReferenceLearningRate = 8e-3;

    /// <summary>The reference epoch count.</summary>
    public const int ReferenceEpochs = 5000;

    /// <summary>The default learning rate for data whose features are scaled (standardised CSV data): converges for linear and logistic models.</summary>
    public const double ScaledLearningRate = 0.1;

    /// <summary>
    /// The default optimizer for data whose features are scaled: Nesterov momentum (β = 0.9). With lr 0.1 it is stable
    /// for any well-scaled linear problem up to curvature ≈ 38 and converges at the square root of plain gradient
    /// descent's rate, so correlated features (a house's size and its rooms) still reach least squares in 100 epochs.
    /// </summary>
    public const string ScaledOptimizer = "nesterov";

    /// <summary>The optimizer a fit uses when <c>--optimizer</c> is not given: <see cref="ScaledOptimizer"/> for scaled data, else plain gradient descent.</summary>
    public static string DefaultOptimizerOf(FitSettings s) => ScalingOf(s) != ScalingKind.None ? ScaledOptimizer : "gd";

    /// <summary>The learning rate a fit uses: <c>--lr</c>, else the reference's, else <see cref="ScaledLearningRate"/> (<see cref="ScaledMlpLearningRate"/> for an MLP) for scaled data, else 0.01.</summary>
    public static double LearningRateOf(FitSettings s)
        => s.LearningRate ?? (s.Data is null ? ReferenceLearningRate
            : ScalingOf(s) == ScalingKind.None ? 0.01
            : string.Equals(s.Model, "mlp", StringComparison.OrdinalIgnoreCase) ? ScaledMlpLearningRate : ScaledLearningRate);

    /// <summary>The default learning rate of an MLP on scaled data: a ReLU network's curvature is higher than a linear model's (0.1 diverges on house prices).</summary>
    public const double ScaledMlpLearningRate = 0.03;

    /// <summary>
    /// The feature scaling of a fit: <c>--scale</c>, else standard for a CSV file and none for built-in, synthetic and
    /// image data (the reference fit is never scaled, so its numbers stay exact).
    /// </summary>
    public static ScalingKind ScalingOf(FitSettings s)
    {
        if (s.Scale is null) return s.Data is not null && DataSources.IsCsv(s.Data) ? ScalingKind.Standard : ScalingKind.None;
        return FeatureScaling.Parse(s.Scale) ?? throw new UsageException($"--scale '{s.Scale}': use none, standard or minmax.");
    }

    /// <summary>The element type a fit runs in (<c>--dtype</c>, else by the data source).</summary>
    public static DType DTypeOf(FitSettings s) => DataSources.ResolveDType(s.DataType, s.Data);

    public static LoadedData<T> LoadData<T>(FitSettings s) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => DataSources.Load<T>(s.Data ?? "builtin:seed-linear", s.Features, s.Target, s.Seed, s.Task);

    /// <summary>
    /// Trains; <paramref name="configure"/> sees the trainer before it starts (tracking, the live page), and
    /// <paramref name="onBatch"/> (when given) sees every batch with the number of batches per epoch — keep it cheap.
    /// </summary>
    public static FitOutcome Train<T>(FitSettings s, LoadedData<T> data, CancellationToken cancellation, Action<EpochRecord>? onEpoch = null, Dataset<T>? validationOverride = null,
        Dataset<T>? trainOverride = null, Action<Trainer<T>>? configure = null, Action<BatchRecord, int>? onBatch = null, bool scaleInPlace = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var clock = Stopwatch.StartNew();
        bool reference = s.Data is null;
        double lr = LearningRateOf(s);
        var scalingKind = ScalingOf(s);
        if (!(lr > 0)) throw new UsageException($"--lr must be positive, not {lr}.");
        int epochs = s.Epochs ?? (reference ? ReferenceEpochs : 100);
        if (epochs < 1) throw new UsageException("--epochs must be at least 1.");
        if (s.ValSplit is < 0 or >= 1) throw new UsageException($"--val-split must be in [0, 1), e.g. 0.2; not {s.ValSplit}.");

        var train = trainOverride ?? data.Train;
        // An image folder's val/ split is the validation data (a sweep's folds replace it).
        Dataset<T>? validation = validationOverride ?? (trainOverride is null ? data.Validation : null);
        if (validationOverride is null && data.Validation is not null && s.ValSplit > 0)
            throw new UsageException($"--val-split {Points.Show(s.ValSplit)}: '{s.Data}' has a validation split of its own (its val/ folder); drop --val-split, or move val/ aside to split the training images instead.");
        // With a validation split, training reads its rows of the loaded data in place (only the validation rows are copied).
        int[]? trainRows = null;
        if (validation is null && s.ValSplit > 0)
        {
            if (train.Count < 2) throw new UsageException("--val-split needs at least two examples.");
            (trainRows, var validationRows) = Split.TrainTestRows(train.Count, s.ValSplit, s.Seed);
            if (trainRows.Length == 0 || validationRows.Length == 0)
                throw new UsageException($"--val-split {Points.Show(s.ValSplit)} leaves {trainRows.Length} of {train.Count} examples for training and {validationRows.Length} for validation; "
                    + $"both need at least one — use a fraction between {Points.Show(1.0 / train.Count)} and {Points.Show(1 - 1.0 / train.Count)}, or more data.");
            validation = train.Slice(validationRows);
        }
        int trainCount = trainRows?.Length ?? train.Count;

        // Feature scaling: learned on the training rows only, applied to every split (and saved with the model).
        FeatureScaling? scaling = null;
        Dataset<T>? test = trainOverride is null ? data.Test : null;
        var initFrom = InitialModel(s, train);
        // A resume keeps the checkpoint's scaling statistics (those the run learned), as --init-from keeps the model's.
        var resumeScaling = s.Resume is not null && s.ResumeScaling?.Kind == scalingKind ? s.ResumeScaling : null;
        if (initFrom is not null ? initFrom.Scaling is not null : scalingKind != ScalingKind.None && trainCount > 0)
        {
            // --init-from keeps the model's own scaling (none when it has none): its weights were learned behind it.
            scaling = initFrom is not null ? initFrom.Scaling! : resumeScaling ?? FeatureScaling.Fit(train.X, scalingKind, trainRows);
            bool validationIsOurs = validationOverride is null && (data.Validation is null || scaleInPlace); // a split made above is a copy
            train = train.WithFeatures(scaling.Apply(train.X, inPlace: scaleInPlace));
            if (validation is not null) validation = validation.WithFeatures(scaling.Apply(validation.X, inPlace: validationIsOurs));
            if (test is not null) test = test.WithFeatures(scaling.Apply(test.X, inPlace: scaleInPlace));
        }

        bool classification = train.IsClassification;
        string model = (s.Model ?? initFrom?.Architecture.Kind ?? (s.Layers is not null ? "cnn" : classification ? (train.ClassCount == 2 ? "logistic" : "softmax") : "linear")).ToLowerInvariant();
        int features = train.FeatureCount;
        int targets = train.Y.Rank == 2 ? train.Y.Shape[1] : 1;
        int classes = train.ClassCount ?? 0;
        if (s.Hidden is not null && model != "mlp")
            throw new UsageException($"--hidden sets the hidden layers of --model mlp; the model here is {model}, which has none — add --model mlp or drop --hidden.");
        if (s.Layers is not null && model != "cnn")
            throw new UsageException($"--layers sets the layer stack of --model cnn; the model here is {model} — add --model cnn or drop --layers.");
        if (model == "mlp") CheckMlpSize(s.Hidden ?? [32], features, classification ? classes : targets);
        Module<T> module = model switch
        {
            "linear" when classification => throw new UsageException("--model linear needs numeric targets, but the data has class labels; use --model logistic, softmax or mlp."),
            "linear" => new LinearRegression<T>(features, targets, s.Seed),
            "logistic" when classification && classes != 2 => throw new UsageException($"--model logistic is for two classes, but the data has {classes}; use --model softmax or mlp."),
            "logistic" => new LogisticRegression<T>(features, s.Seed),
            "softmax" when !classification => throw new UsageException("--model softmax needs class labels; use --model linear or mlp for numeric targets."),
            "softmax" => new SoftmaxRegression<T>(features, classes, s.Seed),
            "mlp" when scaling is not null && !classification => StandardisedOutputs(new Mlp<T>(features, s.Hidden ?? [32], targets, seed: s.Seed), train, trainRows, targets),
            "mlp" => new Mlp<T>(features, s.Hidden ?? [32], classification ? classes : targets, seed: s.Seed),
            "cnn" => BuildCnn<T>(s, data, features, classification ? classes : targets),
            _ => throw new UsageException($"--model '{model}': unknown model; use linear, logistic, softmax, mlp or cnn."),
        };
        if (initFrom is not null) module = FromInitialModel(initFrom, module, s);
        switch (s.Init?.ToLowerInvariant())
        {
            case null or "default": break;
            case "zeros":
                foreach (var p in module.Parameters()) p.Data.Clear();
                break;
            default: throw new UsageException($"--init '{s.Init}': use default (small random weights from --seed) or zeros (every parameter 0, as the lesson's reference fit starts).");
        }
        bool standardisedTarget = module is Mlp<T> { OutputScale: not null };
        if (scaling is not null && !classification && s.Resume is null && initFrom is null && !standardisedTarget) StartAtTargetMean(module, train, trainRows, targets);
        string lossName = s.Loss ?? (reference ? "half-mse" : model switch
        {
            "logistic" => "bce",
            "softmax" => "cross-entropy",
            "mlp" or "cnn" when classification => "cross-entropy",
            _ => "mse",
        });
        LossFunction<T> loss;
        try { loss = Loss.FromName<T>(lossName); }
        catch (ArgumentException e) { throw new UsageException("--loss: " + Errors.LibraryMessage(e)); }
        if (!classification) CheckRegressionLoss(lossName, train);
        string baseLossName = lossName;
        if (module is Mlp<T> { OutputScale: { } outScale, OutputOffset: { } outOffset })
        {
            // The layers learn the standardised target: the loss compares (output − mean)/std with (y − mean)/std, so its
            // gradients have the scale of a standardised problem whatever the target's units (prices around 10⁵).
            var mu = Tensor.FromArray(outOffset.Select(T.CreateTruncating).ToArray());
            var sigma = Tensor.FromArray(outScale.Select(T.CreateTruncating).ToArray());
            var rawLoss = loss;
            loss = (p, y) => rawLoss((p - mu) / sigma, (y - mu) / sigma);
            lossName += " (standardised target)";
        }

        var optimizerSetting = Setting.Parse("--optimizer", s.Optimizer);
        var schedule = Factories.Schedule(s.Schedule, lr, allowPlateau: true, out var plateau);
        var optimizer = Factories.Wrap(Factories.WithPlateau(Factories.Optimizer<T>(optimizerSetting, schedule, allowMethods: false), plateau), s.Gradients);

        int? batch = s.BatchSize?.ToLowerInvariant() switch
        {
            null => trainCount <= 1024 ? null : 64,
            "full" => null,
            var b when int.TryParse(b, out int n) && n >= 1 => n,
            var b => throw new UsageException($"--batch-size '{b}': use a whole number ≥ 1 or 'full'."),
        };
        if (trainRows is not null && batch is null)
        {
            // The full batch is the training rows themselves: copy them once (full-batch training is for small data).
            train = train.Slice(trainRows);
            trainRows = null;
        }
        var loader = batch is int size ? DataLoader<T>.MiniBatches(train, size, s.Seed, rows: trainRows) : DataLoader<T>.FullBatch(train);
        int batchesPerEpoch = loader.BatchCount;
        // --augment: the training batches only; validation, test and the reported train metrics use the images as they are.
        var augmentation = AugmentationOf(s, data.ImageShape, features, scaling);
        IBatchSource<T> source = augmentation is null ? loader : augmentation.Wrap(loader);

        var metricFunctions = new Dictionary<string, Func<Tensor<double>, Tensor<double>, double>>(StringComparer.Ordinal);
        if (classification) metricFunctions["accuracy"] = Metric.Accuracy;
        else { metricFunctions["r2"] = Metric.RSquared; metricFunctions["rmse"] = Metric.RootMeanSquaredError; }

        if (s.CheckpointEvery is not null && s.Checkpoint is null) throw new UsageException("--checkpoint-every goes with --checkpoint PATH, e.g. --checkpoint run.ckpt --checkpoint-every 10.");
        var (checkpointEvery, checkpointInterval) = CheckpointSchedule(s.CheckpointEvery);
        var trainer = new Trainer<T>(module, loss, optimizer, new TrainerOptions
        {
            Epochs = epochs,
            Stopping = Factories.Stops(s.Stops),
            CheckpointPath = s.Checkpoint,
            CheckpointEvery = checkpointEvery,
            CheckpointInterval = checkpointInterval,
            Cancellation = cancellation,
            Metrics = metricFunctions,
            ModelDescription = Describe(module, data, train, classification, scaling, []).Describe().ToJsonString(),
        });
        trainer.CheckpointMetadata = new System.Text.Json.Nodes.JsonObject
        {
            ["optimizer"] = s.Optimizer, ["model"] = model, ["loss"] = lossName, ["augment"] = augmentation?.ToString() ?? "none",
            [FitResume.SettingsKey] = FitResume.Settings(s, model, baseLossName, lr, epochs, batch, FeatureScaling.Name(scaling?.Kind ?? ScalingKind.None),
                s.Data is not null && DataSources.IsCsv(s.Data) ? (classification ? "classification" : "regression") : null,
                augmentation?.ToString() ?? "none", typeof(T) == typeof(float) ? "float32" : "float64"),
        };
        if (s.Resume is not null) Resume(trainer, s, optimizerSetting.Name, epochs, augmentation?.ToString() ?? "none");
        if (onEpoch is not null) trainer.EpochEnded += onEpoch;
        if (onBatch is not null)
        {
            trainer.BatchEnded += b => onBatch(b, batchesPerEpoch);
        }
        configure?.Invoke(trainer);
        // --workers / --cluster: the batch gradients come from an Orleans cluster (portable build only; docs/distributed.md).
        using var distributed = s.Workers is not null || s.Cluster is not null ? DistributedTraining.Start(s, trainer, module, lossName, cancellation) : null;
        var history = trainer.Fit(source, validation); // a stop (Ctrl-C, SIGTERM, the Stop button) writes the checkpoint with its batch

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(string prefix, Dataset<T> d, int[]? rows = null)
        {
            var (l, m) = trainer.Evaluate(d, prefix, rows);
            metrics[prefix + "loss"] = l;
            foreach (var (k, v) in m) metrics[k] = v;
        }
        Add("train_", train, trainRows);
        if (validation is not null) Add("val_", validation);
        if (test is not null) Add("test_", test);
        var parameters = module.NamedParameters().Select(p => new ParameterValues(p.Name, p.Parameter.ShapeArray, p.Parameter.ToDoubleArray())).ToList();

        ClassificationReport? report = null;
        string? reportSplit = null;
        if (classification)
        {
            (var on, reportSplit, var rows) = test is not null ? (test, "test", null) : validation is not null ? (validation, "val", null) : (train, "train", trainRows);
            report = Report(module, on, rows, train.ClassNames ?? Enumerable.Range(0, Math.Max(classes, 2)).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        }
        string? saved = null;
        if (s.Save is not null && history.StopReason?.Kind != StopKind.Diverged)
        {
            Describe(module, data, train, classification, scaling, module.NamedState()).Save(s.Save);
            saved = s.Save;
        }
        return new FitOutcome(model, lossName, lr, typeof(T) == typeof(float) ? DType.Float32 : DType.Float64, parameters, history, metrics, clock.Elapsed.TotalSeconds, classification)
        {
            Scaling = FeatureScaling.Name(scaling?.Kind ?? ScalingKind.None),
            ClassNames = classification ? train.ClassNames : null,
            Report = report,
            ReportSplit = reportSplit,
            SavedTo = saved,
            Distributed = distributed?.Report(),
            RawLinear = model == "linear" && scaling is not null ? Unscaled(parameters, scaling) : null,
            Names = (train.FeatureNames, train.TargetNames),
            Summary = module is Cnn<T> cnn ? cnn.Summary() : null,
        };
    }

    /// <summary>
    /// The <c>--augment</c> of a fit, or null without one (or with <c>none</c>): random shifts and flips of the training
    /// images, seeded from <c>--seed</c>. Image data only, and on the pixels as loaded (in [0, 1], zero-filled), not after
    /// a per-pixel <c>--scale</c>, whose statistics belong to fixed positions. This checks the text alone, before any data is read.
    /// </summary>
    internal static void CheckAugmentSyntax(string? text)
    {
        if (text is null) return;
        try { ImageAugmentation.Validate(text); }
        catch (FormatException e) { throw new UsageException($"--augment '{text}': {e.Message}"); }
    }

    /// <summary>The <c>--augment</c> of a fit (see <see cref="CheckAugmentSyntax"/> for the text alone), checked against the images.</summary>
    internal static ImageAugmentation? AugmentationOf(FitSettings s, IReadOnlyList<int>? imageShape, int features, FeatureScaling? scaling)
    {
        if (s.Augment is null) return null;
        if (imageShape is not { Count: 2 or 3 } image || image[^2] * image[^1] == 0 || features % (image[^2] * image[^1]) != 0)
            throw new UsageException($"--augment {s.Augment}: shifts and flips are for image data (builtin:fashion-mnist, a folder of images in class subfolders or of MNIST IDX files); '{s.Data ?? "builtin:seed-linear"}' has {features} features and no image shape — drop --augment.");
        if (scaling is not null)
            throw new UsageException($"--augment {s.Augment}: shifted pixels would meet another position's --scale statistics; image pixels are already in [0, 1], so drop --scale (or --augment).");
        ImageAugmentation augmentation;
        try { augmentation = ImageAugmentation.Parse(s.Augment, features / (image[^2] * image[^1]), image[^2], image[^1], s.Seed); }
        catch (FormatException e) { throw new UsageException($"--augment '{s.Augment}': {e.Message}"); }
        return augmentation.IsIdentity ? null : augmentation;
    }

    /// <summary>
    /// A convolutional network for image data: images of the data's shape ([H, W] with C = features/(H·W) channels),
    /// the layers of <c>--layers</c> or <see cref="Cnn{T}.DefaultLayers"/>.
    /// </summary>
    private static Cnn<T> BuildCnn<T>(FitSettings s, LoadedData<T> data, int features, int outputs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (data.ImageShape is not { Count: 2 or 3 } image || image[^2] * image[^1] == 0 || features % (image[^2] * image[^1]) != 0)
            throw new UsageException($"--model cnn needs image data (builtin:fashion-mnist, a folder of images in class subfolders or of MNIST IDX files); '{s.Data}' has {features} features and no image shape — use --model mlp for a table of features.");
        int[] shape = [features / (image[^2] * image[^1]), image[^2], image[^1]];
        try
        {
            return new Cnn<T>(shape, outputs, s.Layers ?? Cnn<T>.DefaultLayers, s.Seed);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--layers \"{s.Layers}\": {e.Message} (input {shape[0]}×{shape[1]}×{shape[2]}).");
        }
    }

    /// <summary>
    /// A linear model's parameters in the data's units: with x′ = (x − o)/s, x′·W + b = x·(W/s) + (b − Σⱼ oⱼWⱼ/sⱼ).
    /// </summary>
    private static (double[][] Weight, double[] Bias)? Unscaled(IReadOnlyList<ParameterValues> parameters, FeatureScaling scaling)
    {
        var w = parameters.FirstOrDefault(p => p.Name == "weight");
        var b = parameters.FirstOrDefault(p => p.Name == "bias");
        if (w is null || b is null || w.Shape.Length != 2 || w.Shape[0] != scaling.Columns) return null;
        int f = w.Shape[0], k = w.Shape[1];
        var weight = new double[f][];
        var bias = (double[])b.Values.Clone();
        for (int i = 0; i < f; i++)
        {
            weight[i] = new double[k];
            for (int j = 0; j < k; j++)
            {
                weight[i][j] = w.Values[i * k + j] / scaling.Scale[i];
                bias[j] -= scaling.Offset[i] * weight[i][j];
            }
        }
        return (weight, bias);
    }

    /// <summary>The model file's description of <paramref name="module"/> trained on <paramref name="train"/> (with these parameters, possibly none).</summary>
    private static Model Describe<T>(Module<T> module, LoadedData<T> data, Dataset<T> train, bool classification, FeatureScaling? scaling,
        IEnumerable<(string Name, Tensor<T> Tensor)> parameters) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => new()
        {
            Architecture = ModelArchitecture.Of(module),
            Parameters = parameters.ToDictionary(p => p.Name, p => (p.Tensor.ShapeArray, p.Tensor.ToDoubleArray()), StringComparer.Ordinal),
            DType = typeof(T) == typeof(float) ? "float32" : "float64",
            Task = classification ? ModelTask.Classification : ModelTask.Regression,
            FeatureNames = train.FeatureNames,
            TargetNames = train.TargetNames,
            ClassNames = classification ? train.ClassNames ?? Enumerable.Range(0, Math.Max(train.ClassCount ?? 2, 2)).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray() : null,
            ImageShape = data.ImageShape,
            Scaling = scaling,
        };

    /// <summary>An MLP regression on scaled features learns the standardised target: its outputs are scaled back by the training targets' mean and std.</summary>
    private static Mlp<T> StandardisedOutputs<T>(Mlp<T> mlp, Dataset<T> train, int[]? rows, int targets) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (mean, std) = TargetStatistics(train, rows, targets);
        return mlp.WithOutputScaling(mean, std);
    }

    /// <summary>The mean and population standard deviation (1 when 0) of each target column over the training rows.</summary>
    private static (double[] Mean, double[] Std) TargetStatistics<T>(Dataset<T> train, int[]? rows, int targets) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = rows?.Length ?? train.Count;
        var mean = new double[targets];
        var m2 = new double[targets];
        var y = train.Y.Data;
        for (int r = 0; r < n; r++)
        {
            int i = rows?[r] ?? r;
            for (int j = 0; j < targets; j++)
            {
                double v = double.CreateTruncating(y[i * targets + j]);
                double delta = v - mean[j];
                mean[j] += delta / (r + 1);
                m2[j] += delta * (v - mean[j]);
            }
        }
        var std = m2.Select(v => n > 0 && v > 0 ? Math.Sqrt(v / n) : 1).ToArray();
        return (mean, std);
    }

    /// <summary>
    /// A regression model's output bias starts at the training targets' mean, so gradient descent on scaled features
    /// only has to learn the slopes (the loss starts at the targets' variance, not their mean square).
    /// </summary>
    private static void StartAtTargetMean<T>(Module<T> module, Dataset<T> train, int[]? rows, int targets) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var bias = module.NamedParameters().LastOrDefault(p => p.Name.EndsWith("bias", StringComparison.Ordinal)).Parameter;
        if (bias is null || bias.Rank != 1 || bias.Shape[0] != targets || train.Y.Rank != 2 || train.Y.Shape[1] != targets) return;
        int n = rows?.Length ?? train.Count;
        if (n == 0) return;
        var sums = new double[targets];
        var y = train.Y.Data;
        for (int r = 0; r < n; r++)
        {
            int i = rows?[r] ?? r;
            for (int j = 0; j < targets; j++) sums[j] += double.CreateTruncating(y[i * targets + j]);
        }
        var data = bias.Data;
        for (int j = 0; j < targets; j++) data[j] = T.CreateTruncating(sums[j] / n);
    }

    /// <summary>The confusion matrix and per-class scores of <paramref name="module"/> on <paramref name="data"/> (or its rows <paramref name="rows"/>).</summary>
    internal static ClassificationReport Report<T>(Module<T> module, Dataset<T> data, int[]? rows, IReadOnlyList<string> classNames) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var prediction = module.Predict(data.X, rows);
        var targets = rows is null ? data.Y : Dataset<T>.GatherRows(data.Y, rows);
        var (p, y) = Metric.Classes(prediction, targets);
        return ClassificationReport.FromClasses(p, y, classNames.Count, classNames);
    }

    /// <summary>The default <c>--checkpoint-every</c>: after an epoch, at most once a second (and always at a stop and at the end).</summary>
    public const string DefaultCheckpointEvery = "1s";

    /// <summary>Parses <c>--checkpoint-every</c>: N epochs, or a least time between checkpoints such as 1s, 30s, 5m.</summary>
    internal static (int Epochs, TimeSpan Interval) CheckpointSchedule(string? text)
    {
        text = (text ?? DefaultCheckpointEvery).Trim().ToLowerInvariant();
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= 1) return (n, TimeSpan.Zero);
        double factor = text.EndsWith("ms", StringComparison.Ordinal) ? 1e-3 : text.EndsWith('s') ? 1 : text.EndsWith('m') ? 60 : text.EndsWith('h') ? 3600 : double.NaN;
        string number = text.EndsWith("ms", StringComparison.Ordinal) ? text[..^2] : text.Length > 0 ? text[..^1] : "";
        if (double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) && value >= 0 && value * factor <= 1e7)
            return (1, TimeSpan.FromSeconds(value * factor));
        throw new UsageException($"--checkpoint-every '{text}': give a number of epochs (e.g. 1 for every epoch, 10) or a least time between checkpoints (e.g. 1s, 30s, 5m; default {DefaultCheckpointEvery}).");
    }

    /// <summary>
    /// <c>--resume FILE</c> where FILE is a model file but no training checkpoint (written by <c>descent import</c> or
    /// <c>fit --save</c>): it holds weights but no optimizer state, epoch count or data order, so there is nothing to
    /// continue exactly. The run starts from its weights as <c>--init-from</c> does — a fresh optimizer, epoch 1, the
    /// model's own feature scaling — and <paramref name="note"/> says so. Checkpoints (and every other file) are left
    /// to <see cref="Resume{T}"/>.
    /// </summary>
    public static FitSettings ResumeModelFile(FitSettings s, out string? note)
    {
        note = null;
        if (s.Resume is null || !File.Exists(s.Resume) || ModelFileFormat(s.Resume) != Model.FormatName) return s;
        if (s.InitFrom is not null) throw new UsageException("--init-from and --resume both give the starting point; --resume continues a checkpoint exactly, --init-from starts a new run from a model's weights. Give one.");
        note = $"--resume '{s.Resume}' is a model file, not a training checkpoint: it holds no optimizer state or epoch count, so training starts from its weights with a fresh {s.Optimizer} optimizer at epoch 1 and runs --epochs {s.Epochs ?? 100} epochs (as --init-from does).";
        return s with { InitFrom = s.Resume, Resume = null, InitFromResume = true };
    }

    /// <summary>The <c>format</c> in a safetensors file's metadata, or null (not safetensors, no metadata, unreadable).</summary>
    internal static string? ModelFileFormat(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            Span<byte> prefix = stackalloc byte[8];
            if (stream.Length < 8) return null;
            stream.ReadExactly(prefix);
            ulong length = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (length > (ulong)(stream.Length - 8) || length > 64 * 1024 * 1024) return null;
            var header = new byte[(int)length];
            stream.ReadExactly(header);
            return System.Text.Json.Nodes.JsonNode.Parse(header)?["__metadata__"]?["format"]?.GetValue<string>();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The <c>--init-from</c> model, checked against the data and the other options before anything is built; null without it.</summary>
    private static Model? InitialModel<T>(FitSettings s, Dataset<T> train) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (s.InitFrom is null) return null;
        string option = s.InitFromResume ? "--resume" : "--init-from";
        if (s.Resume is not null) throw new UsageException("--init-from and --resume both give the starting point; --resume continues a checkpoint exactly, --init-from starts a new run from a model's weights. Give one.");
        if (s.Init is not null) throw new UsageException($"--init {s.Init} and {option} both set the starting parameters; give one.");
        if (s.Scale is not null) throw new UsageException($"{option} keeps the model's own feature scaling (its weights were learned behind it); drop --scale.");
        if (!File.Exists(s.InitFrom)) throw new InputException($"--init-from '{s.InitFrom}': no such model file; write one with 'descent fit --save' or 'descent import'.");
        var model = Model.Load(s.InitFrom);
        string what = $"{option} '{s.InitFrom}' ({model.Architecture.Kind}, {model.Architecture.Inputs} inputs, {model.Architecture.Outputs} outputs)";
        if (model.Architecture.Inputs != train.FeatureCount)
            throw new InputException($"{what} reads {model.Architecture.Inputs} features, but the data has {train.FeatureCount}; train on data with the model's features ({string.Join(", ", model.FeatureNames.Take(8))}{(model.FeatureNames.Count > 8 ? ", …" : "")}).");
        if (train.IsClassification != (model.Task == ModelTask.Classification))
            throw new InputException($"{what} is a {(model.Task == ModelTask.Classification ? "classifier" : "regression")}, but the data's target is {(train.IsClassification ? "a class label" : "numeric")}; use --task to read the target as the model does.");
        if (train.IsClassification && model.ClassNames is { } classes && train.ClassNames is { } dataClasses && !classes.SequenceEqual(dataClasses, StringComparer.Ordinal))
            throw new InputException($"{what} has the classes {string.Join(", ", classes)} but the data has {string.Join(", ", dataClasses)}; the class indices must mean the same (import the model with --classes in the data's order).");
        return model;
    }

    /// <summary>The module of <paramref name="model"/> (its parameters copied into a fresh module of <typeparamref name="T"/>), checked against --model and --hidden.</summary>
    private static Module<T> FromInitialModel<T>(Model model, Module<T> built, FitSettings s) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var a = model.Architecture;
        var b = ModelArchitecture.Of(built);
        string option = s.InitFromResume ? "--resume" : "--init-from";
        if (s.Model is not null && !string.Equals(s.Model, a.Kind, StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--model {s.Model}: {option} '{s.InitFrom}' is a {a.Kind} model; drop --model or give --model {a.Kind}.");
        if (s.Hidden is not null && !s.Hidden.SequenceEqual(a.Hidden))
            throw new UsageException($"--hidden {string.Join(",", s.Hidden)}: {option} '{s.InitFrom}' has hidden layers {string.Join(",", a.Hidden)}; drop --hidden.");
        if (b.Outputs != a.Outputs)
            throw new InputException($"{option} '{s.InitFrom}' has {a.Outputs} outputs, but the data needs {b.Outputs}.");
        var module = a.Build<T>(s.Seed);
        var state = model.Parameters.ToDictionary(p => p.Key, p => Tensor.FromArray(p.Value.Values.Select(T.CreateTruncating).ToArray(), p.Value.Shape), StringComparer.Ordinal);
        module.LoadStateDict(state);
        return module;
    }

    /// <summary>Loads <c>--resume</c> into the trainer after checking that it fits the command line (optimizer, epochs left).</summary>
    private static void Resume<T>(Trainer<T> trainer, FitSettings s, string optimizerName, int epochs, string augment) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!File.Exists(s.Resume)) throw new InputException($"--resume '{s.Resume}': no such checkpoint file.");
        var checkpoint = s.ResumeCheckpoint ?? Checkpoint.Load(s.Resume!);
        // A checkpoint of a run without --augment (or from before the option) trained on the images as they are.
        string savedAugment = checkpoint.Metadata["metadata"]?["augment"] is System.Text.Json.Nodes.JsonValue a && a.GetValueKind() == System.Text.Json.JsonValueKind.String ? a.GetValue<string>() : "none";
        if (!string.Equals(savedAugment, augment, StringComparison.Ordinal))
            throw new UsageException(augment == "none"
                ? $"--resume '{s.Resume}': the checkpoint was written with --augment {savedAugment}; resume with --augment {savedAugment} so the rest of the run sees the same images (or start a new run without --resume)."
                : $"--augment {s.Augment}: the checkpoint '{s.Resume}' was written with {(savedAugment == "none" ? "no --augment" : "--augment " + savedAugment)}; resume with {(savedAugment == "none" ? "no --augment" : "--augment " + savedAugment)} (or start a new run without --resume).");
        if (checkpoint.Metadata["metadata"]?["optimizer"] is System.Text.Json.Nodes.JsonValue saved && saved.GetValueKind() == System.Text.Json.JsonValueKind.String)
        {
            string savedText = saved.GetValue<string>();
            string savedName;
            try { savedName = Setting.Parse("--optimizer", savedText).Name; }
            catch (UsageException) { savedName = savedText; }
            if (!string.Equals(savedName, optimizerName, StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--optimizer {s.Optimizer}: the checkpoint '{s.Resume}' was written with --optimizer {savedText}, whose state it holds; resume with --optimizer {savedText} (or start a new run without --resume).");
        }
        trainer.LoadCheckpoint(checkpoint);
        int done = trainer.History.Epochs.Count;
        if (epochs <= done)
        {
            string at = trainer.History.Partial is { } p ? $", plus {p.Batches} batches of epoch {p.Epoch}" : "";
            throw new UsageException($"--epochs {epochs}: the checkpoint '{s.Resume}' has already trained {done} epochs{at}, so there is nothing left to train. --epochs is the total count, including the epochs before the resume: give --epochs {done + 1} or more (e.g. --epochs {Math.Max(2 * done, done + 1)}).");
        }
    }

    /// <summary>The most parameters <c>--hidden</c> may give an MLP (800 MB as float64, before gradients and optimizer state).</summary>
    public const long MaxMlpParameters = 100_000_000;

    private static void CheckMlpSize(int[] hidden, int inputs, int outputs)
    {
        long parameters = 0;
        int previous = inputs;
        foreach (int width in hidden.Append(outputs))
        {
            parameters += (long)previous * width + width;
            previous = width;
        }
        if (parameters > MaxMlpParameters)
            throw new UsageException($"--hidden {string.Join(",", hidden)}: the MLP would have {parameters} parameters for {inputs} inputs and {outputs} outputs; at most {MaxMlpParameters} are accepted — use narrower layers.");
    }

    /// <summary>
    /// Classification losses on numeric (regression) targets would train on meaningless values: binary cross-entropy
    /// needs targets in [0, 1], hinge needs −1/1 (or 0/1) labels, cross-entropy and NLL need class labels.
    /// </summary>
    private static void CheckRegressionLoss<T>(string lossName, Dataset<T> train) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        string name = lossName.ToLowerInvariant();
        bool bce = name is "bce" or "binary-cross-entropy" or "bce-logits" or "binary-cross-entropy-with-logits";
        bool hinge = name == "hinge";
        bool labels = name is "cross-entropy" or "softmax-cross-entropy" or "ce" or "nll" or "negative-log-likelihood";
        if (!bce && !hinge && !labels) return;
        var y = train.Y.Data;
        bool fits = !labels && y.Length > 0;
        for (int i = 0; fits && i < y.Length; i++)
        {
            double v = double.CreateTruncating(y[i]);
            fits = bce ? v is >= 0 and <= 1 : v is -1 or 0 or 1;
        }
        if (fits) return;
        string needs = bce ? "targets between 0 and 1" : hinge ? "labels −1/1 (or 0/1)" : "class labels";
        throw new UsageException($"--loss {lossName} needs {needs}, but the target here is numeric (regression); use --loss mse, half-mse, mae or huber, or a target column of class labels.");
    }
}
