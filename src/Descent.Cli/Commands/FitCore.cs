using System.Diagnostics;
using Descent.Cli.Infrastructure;
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
    public string? Loss { get; init; }
    public string Optimizer { get; init; } = "gd";
    public double? LearningRate { get; init; }
    public int? Epochs { get; init; }
    public string? BatchSize { get; init; }
    public double ValSplit { get; init; }
    public string? Schedule { get; init; }
    public string[]? Stops { get; init; }
    public int Seed { get; init; }
    public string? Checkpoint { get; init; }
    public string? Resume { get; init; }
}

/// <summary>What a training run produced.</summary>
internal sealed record FitOutcome(string Model, string LossName, double LearningRate, Module<double> Module, History History,
    Dictionary<string, double> Metrics, double Seconds, bool IsClassification);

/// <summary>The training run behind <c>fit</c>: data, model, loss, optimizer and trainer from the library.</summary>
internal static class FitCore
{
    /// <summary>The reference settings used when no <c>--data</c> is given.</summary>
    public const double ReferenceLearningRate = 8e-3;

    /// <summary>The reference epoch count.</summary>
    public const int ReferenceEpochs = 5000;

    public static LoadedData LoadData(FitSettings s) => DataSources.Load(s.Data ?? "builtin:seed-linear", s.Features, s.Target, s.Seed);

    /// <summary>Trains; <paramref name="configure"/> sees the trainer before it starts (tracking, the live page).</summary>
    public static FitOutcome Train(FitSettings s, LoadedData data, CancellationToken cancellation, Action<EpochRecord>? onEpoch = null, Dataset<double>? validationOverride = null, Dataset<double>? trainOverride = null, Action<Trainer<double>>? configure = null)
    {
        var clock = Stopwatch.StartNew();
        bool reference = s.Data is null;
        double lr = s.LearningRate ?? (reference ? ReferenceLearningRate : 0.01);
        if (!(lr > 0)) throw new UsageException($"--lr must be positive, not {lr}.");
        int epochs = s.Epochs ?? (reference ? ReferenceEpochs : 100);
        if (epochs < 1) throw new UsageException("--epochs must be at least 1.");
        if (s.ValSplit is < 0 or >= 1) throw new UsageException($"--val-split must be in [0, 1), e.g. 0.2; not {s.ValSplit}.");

        var train = trainOverride ?? data.Train;
        Dataset<double>? validation = validationOverride;
        if (validation is null && s.ValSplit > 0)
        {
            if (train.Count < 2) throw new UsageException("--val-split needs at least two examples.");
            (train, validation) = Split.TrainTest(train, s.ValSplit, s.Seed);
        }

        bool classification = train.IsClassification;
        string model = (s.Model ?? (classification ? (train.ClassCount == 2 ? "logistic" : "softmax") : "linear")).ToLowerInvariant();
        int features = train.FeatureCount;
        int targets = train.Y.Rank == 2 ? train.Y.Shape[1] : 1;
        int classes = train.ClassCount ?? 0;
        Module<double> module = model switch
        {
            "linear" when classification => throw new UsageException("--model linear needs numeric targets, but the data has class labels; use --model logistic, softmax or mlp."),
            "linear" => new LinearRegression<double>(features, targets, s.Seed),
            "logistic" when classification && classes != 2 => throw new UsageException($"--model logistic is for two classes, but the data has {classes}; use --model softmax or mlp."),
            "logistic" => new LogisticRegression<double>(features, s.Seed),
            "softmax" when !classification => throw new UsageException("--model softmax needs class labels; use --model linear or mlp for numeric targets."),
            "softmax" => new SoftmaxRegression<double>(features, classes, s.Seed),
            "mlp" => new Mlp<double>(features, s.Hidden ?? [32], classification ? classes : targets, seed: s.Seed),
            _ => throw new UsageException($"--model '{model}': unknown model; use linear, logistic, softmax or mlp."),
        };
        string lossName = s.Loss ?? (reference ? "half-mse" : model switch
        {
            "logistic" => "bce",
            "softmax" => "cross-entropy",
            "mlp" when classification => "cross-entropy",
            _ => "mse",
        });
        LossFunction<double> loss;
        try { loss = Loss.FromName<double>(lossName); }
        catch (ArgumentException e) { throw new UsageException("--loss: " + e.Message); }

        var optimizerSetting = Setting.Parse("--optimizer", s.Optimizer);
        var optimizer = Factories.Optimizer<double>(optimizerSetting, Factories.Schedule(s.Schedule, lr), allowMethods: false);

        int? batch = s.BatchSize?.ToLowerInvariant() switch
        {
            null => train.Count <= 1024 ? null : 64,
            "full" => null,
            var b when int.TryParse(b, out int n) && n >= 1 => n,
            var b => throw new UsageException($"--batch-size '{b}': use a whole number ≥ 1 or 'full'."),
        };
        IBatchSource<double> loader = batch is int size ? DataLoader<double>.MiniBatches(train, size, s.Seed) : DataLoader<double>.FullBatch(train);

        var metricFunctions = new Dictionary<string, Func<Tensor<double>, Tensor<double>, double>>(StringComparer.Ordinal);
        if (classification) metricFunctions["accuracy"] = Metric.Accuracy;
        else { metricFunctions["r2"] = Metric.RSquared; metricFunctions["rmse"] = Metric.RootMeanSquaredError; }

        var trainer = new Trainer<double>(module, loss, optimizer, new TrainerOptions
        {
            Epochs = epochs,
            Stopping = Factories.Stops(s.Stops),
            CheckpointPath = s.Checkpoint,
            Cancellation = cancellation,
            Metrics = metricFunctions,
        });
        if (s.Resume is not null)
        {
            if (!File.Exists(s.Resume)) throw new InputException($"--resume '{s.Resume}': no such checkpoint file.");
            trainer.LoadCheckpoint(s.Resume);
        }
        if (onEpoch is not null) trainer.EpochEnded += onEpoch;
        configure?.Invoke(trainer);
        var history = trainer.Fit(loader, validation);
        if (history.StopReason?.Kind == StopKind.Cancelled && s.Checkpoint is not null) trainer.SaveCheckpoint(s.Checkpoint);

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(string prefix, Dataset<double> d)
        {
            var (l, m) = trainer.Evaluate(d, prefix);
            metrics[prefix + "loss"] = l;
            foreach (var (k, v) in m) metrics[k] = v;
        }
        Add("train_", train);
        if (validation is not null) Add("val_", validation);
        if (data.Test is not null && trainOverride is null) Add("test_", data.Test);
        return new FitOutcome(model, lossName, lr, module, history, metrics, clock.Elapsed.TotalSeconds, classification);
    }
}
