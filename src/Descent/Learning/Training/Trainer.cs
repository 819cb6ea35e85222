using System.Diagnostics;
using System.Numerics;
using System.Text.Json.Nodes;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Optimization;
using Descent.Optimization.Stopping;

namespace Descent.Learning.Training;

/// <summary>A source of training batches: for each epoch, a sequence of (features, targets) pairs.</summary>
public interface IBatchSource<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The number of examples in one epoch.</summary>
    int ExampleCount { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/> (from 0); the same epoch always gives the same batches.</summary>
    IEnumerable<(Tensor<T> Features, Tensor<T> Targets)> Batches(int epoch);
}

/// <summary>Settings of a training run.</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs to run at most.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Extra stopping rules, observed once per epoch (step = epoch, loss = train loss, validation metric = validation loss).</summary>
    public IStoppingRule? Stopping { get; init; }

    /// <summary>When a patience rule stops the run, restore the parameters of the best validation epoch.</summary>
    public bool RestoreBest { get; init; } = true;

    /// <summary>Write a checkpoint here after every <see cref="CheckpointEvery"/> epochs and at the end.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Epochs between checkpoints.</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>Stops the run cleanly at the next batch boundary.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>
    /// The model's description (<see cref="Model.Describe"/>, as JSON text) to store in every checkpoint, so that a
    /// checkpoint is also a model file (<see cref="Model.Load"/>); null: none.
    /// </summary>
    public string? ModelDescription { get; init; }

    /// <summary>Validation metrics computed after each epoch from (prediction, targets), by name.</summary>
    public IReadOnlyDictionary<string, Func<Tensor<double>, Tensor<double>, double>>? Metrics { get; init; }
}

/// <summary>
/// Trains a model: epochs of mini-batches, each batch forward → loss → backward → optimizer step, with per-epoch
/// validation, stopping rules (divergence is always watched), callbacks, cancellation and checkpoints that resume
/// bit-identically.
/// </summary>
public sealed class Trainer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Module<T> _model;
    private readonly LossFunction<T> _loss;
    private readonly Optimizer<T> _optimizer;
    private readonly TrainerOptions _options;
    private readonly IReadOnlyList<Tensor<T>> _parameters;

    /// <summary>Creates a trainer for <paramref name="model"/>.</summary>
    public Trainer(Module<T> model, LossFunction<T> loss, IGradientTransform<T> optimizer, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        _model = model;
        _loss = loss;
        _options = options ?? new TrainerOptions();
        if (_options.Epochs < 0) throw new ArgumentOutOfRangeException(nameof(options), _options.Epochs, "Epochs must be 0 or more.");
        if (_options.CheckpointEvery < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.CheckpointEvery, "CheckpointEvery must be at least 1.");
        _parameters = model.Parameters();
        _optimizer = new Optimizer<T>(_parameters, optimizer);
    }

    /// <summary>The history so far (kept across <see cref="Fit"/> calls and restored by <see cref="LoadCheckpoint"/>).</summary>
    public History History { get; private set; } = new();

    /// <summary>The optimizer driving the parameters.</summary>
    public Optimizer<T> Optimizer => _optimizer;

    /// <summary>Called after every batch.</summary>
    public event Action<BatchRecord>? BatchEnded;

    /// <summary>Called after every epoch (after validation).</summary>
    public event Action<EpochRecord>? EpochEnded;

    /// <summary>
    /// Trains until <see cref="TrainerOptions.Epochs"/> epochs have run in total (counting epochs before a resume),
    /// a stopping rule fires, the loss diverges, or cancellation is requested.
    /// </summary>
    public History Fit(IBatchSource<T> train, Dataset<T>? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var divergence = new Divergence();
        _options.Stopping?.Reset();
        var clock = Stopwatch.StartNew();
        Dictionary<string, Tensor<T>>? best = null;
        double bestValidation = double.PositiveInfinity;
        StopReason? reason = null;
        double[][]? lastFinite = null;

        for (int epoch = History.Epochs.Count; epoch < _options.Epochs && reason is null; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            _model.Train();
            double lossSum = 0, gradSum = 0;
            int examples = 0, batches = 0;
            lastFinite = _parameters.Select(p => p.ToDoubleArray()).ToArray();
            foreach (var (x, y) in train.Batches(epoch))
            {
                if (_options.Cancellation.IsCancellationRequested)
                {
                    reason = new StopReason(StopKind.Cancelled, epoch, $"stopped by the user during epoch {epoch + 1}");
                    break;
                }
                var loss = _loss(_model.Forward(x), y);
                loss.Backward();
                double batchLoss = double.CreateTruncating(loss.Item());
                double gradNorm = 0;
                foreach (var p in _parameters)
                    if (p.Grad is { } g) gradNorm += double.CreateTruncating(System.Numerics.Tensors.TensorPrimitives.SumOfSquares<T>(g.Data));
                gradNorm = Math.Sqrt(gradNorm);
                _optimizer.Step();
                _model.ZeroGrad();
                int size = x.Shape[0];
                lossSum += batchLoss * size;
                examples += size;
                gradSum += gradNorm;
                batches++;
                BatchEnded?.Invoke(new BatchRecord(epoch + 1, batches, size, batchLoss, _optimizer.StepCount));
                if (!double.IsFinite(batchLoss))
                {
                    reason = new StopReason(StopKind.Diverged, epoch + 1, $"diverged: the loss became {batchLoss} in epoch {epoch + 1}, batch {batches}");
                    break;
                }
            }
            if (reason?.Kind == StopKind.Cancelled && batches == 0) break;
            double trainLoss = examples == 0 ? double.NaN : lossSum / examples;
            double seconds = epochClock.Elapsed.TotalSeconds;

            double? validationLoss = null;
            var metrics = new Dictionary<string, double>();
            if (validation is not null && reason?.Kind != StopKind.Diverged)
            {
                (validationLoss, metrics) = Evaluate(validation, "val_");
                if (validationLoss < bestValidation && _options.RestoreBest)
                {
                    bestValidation = validationLoss.Value;
                    best = _model.StateDict();
                }
            }
            var record = new EpochRecord(epoch + 1, trainLoss, validationLoss, _optimizer.LearningRate, batches == 0 ? 0 : gradSum / batches, seconds, metrics);
            History.Epochs.Add(record);
            EpochEnded?.Invoke(record);

            var step = new StepRecord(epoch + 1, trainLoss) { ValidationMetric = validationLoss, Elapsed = clock.Elapsed, GradientNorm = record.GradientNorm };
            reason ??= divergence.Observe(step) ?? _options.Stopping?.Observe(step);
            if (_options.CheckpointPath is { } path && reason?.Kind != StopKind.Diverged && ((epoch + 1) % _options.CheckpointEvery == 0 || reason is not null || epoch + 1 == _options.Epochs))
                SaveCheckpoint(path);
        }

        if (reason?.Kind == StopKind.Diverged && lastFinite is not null)
            for (int i = 0; i < _parameters.Count; i++)
                for (int j = 0; j < lastFinite[i].Length; j++) _parameters[i].Data[j] = T.CreateTruncating(lastFinite[i][j]);
        if (reason?.Kind == StopKind.Patience && best is not null) _model.LoadStateDict(best);
        History.StopReason = reason ?? new StopReason(StopKind.MaxSteps, History.Epochs.Count, $"max epochs: ran {History.Epochs.Count} of {_options.Epochs}");
        History.TrainSeconds += clock.Elapsed.TotalSeconds;
        return History;
    }

    /// <summary>The loss and the configured metrics on a dataset, in evaluation mode and without recording.</summary>
    public (double Loss, Dictionary<string, double> Metrics) Evaluate(Dataset<T> data, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(data);
        using var _ = Autograd.NoGrad();
        _model.Eval();
        var prediction = _model.Forward(data.X);
        double loss = double.CreateTruncating(_loss(prediction, data.Y).Item());
        var metrics = new Dictionary<string, double>();
        if (_options.Metrics is { } m)
        {
            var p = prediction.Cast<double>();
            var y = data.Y.Cast<double>();
            foreach (var (name, metric) in m) metrics[prefix + name] = metric(p, y);
        }
        _model.Train();
        return (loss, metrics);
    }

    /// <summary>Writes parameters, optimizer state (with schedule position), epoch and history to a checkpoint file, atomically.</summary>
    public void SaveCheckpoint(string path)
    {
        var checkpoint = new Checkpoint();
        foreach (var (name, p) in _model.NamedParameters()) checkpoint.Add("model." + name, p);
        var state = _optimizer.GetState();
        var scalars = new JsonObject();
        foreach (var (name, values) in state.Arrays) checkpoint.Add("optimizer." + name, values);
        foreach (var (name, value) in state.Scalars) scalars[name] = value;
        checkpoint.Metadata = new JsonObject
        {
            ["epoch"] = History.Epochs.Count,
            ["optimizer_scalars"] = scalars,
            ["history"] = new JsonArray(History.Epochs.Select(e => (JsonNode)new JsonObject
            {
                ["epoch"] = e.Epoch,
                ["train_loss"] = e.TrainLoss,
                ["val_loss"] = e.ValidationLoss,
                ["learning_rate"] = e.LearningRate,
                ["gradient_norm"] = e.GradientNorm,
                ["seconds"] = e.Seconds,
                ["metrics"] = new JsonObject(e.Metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            }).ToArray()),
        };
        checkpoint.ModelDescription = _options.ModelDescription;
        checkpoint.Save(path);
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/>: parameters, optimizer state and history. The file
    /// is verified and checked against the model before anything changes.
    /// </summary>
    /// <exception cref="CheckpointException">The file is corrupted, truncated, or does not fit this model and optimizer.</exception>
    public void LoadCheckpoint(string path)
    {
        var checkpoint = Checkpoint.Load(path);
        var state = new Dictionary<string, Tensor<T>>();
        foreach (var (name, p) in _model.NamedParameters())
        {
            if (!checkpoint.Tensors.ContainsKey("model." + name))
                throw new CheckpointException(path, $"it has no parameter '{name}': it was written for another model.");
            var t = checkpoint.Get<T>("model." + name);
            if (!Shapes.Equal(t.Shape, p.Shape))
                throw new CheckpointException(path, $"parameter '{name}' has shape {Shapes.Format(t.Shape)} there but {Shapes.Format(p.Shape)} in this model.");
            state[name] = t;
        }
        var arrays = checkpoint.Tensors.Where(t => t.Key.StartsWith("optimizer.", StringComparison.Ordinal))
            .ToDictionary(t => t.Key["optimizer.".Length..], t => t.Value.Values);
        var scalars = checkpoint.Metadata["optimizer_scalars"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>());
        var history = new History();
        foreach (var e in checkpoint.Metadata["history"]!.AsArray())
        {
            var o = e!.AsObject();
            history.Epochs.Add(new EpochRecord(o["epoch"]!.GetValue<int>(), o["train_loss"]!.GetValue<double>(), o["val_loss"]?.GetValue<double>(),
                o["learning_rate"]?.GetValue<double>(), o["gradient_norm"]!.GetValue<double>(), o["seconds"]!.GetValue<double>(),
                o["metrics"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>())));
        }
        try
        {
            _optimizer.LoadState(new TransformState(arrays, scalars));
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException(path, "its optimizer state does not fit this optimizer: " + e.Message);
        }
        _model.LoadStateDict(state);
        History = history;
    }
}
