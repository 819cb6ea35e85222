using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Descent.Learning.Data;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Optimization;
using Descent.Optimization.Stopping;

namespace Descent.Learning.Training;

/// <summary>Settings of a training run.</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs to run at most.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Extra stopping rules, observed once per epoch (step = epoch, loss = train loss, validation metric = validation loss).</summary>
    public IStoppingRule? Stopping { get; init; }

    /// <summary>When a patience rule stops the run, restore the parameters of the best validation epoch.</summary>
    public bool RestoreBest { get; init; } = true;

    /// <summary>
    /// Write a checkpoint here after every <see cref="CheckpointEvery"/> epochs (at most once per
    /// <see cref="CheckpointInterval"/>), when the run stops (including a cancellation inside an epoch) and at the end.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Epochs between checkpoints.</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>
    /// The least time between two checkpoints written after an epoch (default zero: every <see cref="CheckpointEvery"/>
    /// epochs). The checkpoint at a stop or at the end is always written.
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; }

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

    /// <summary>The history so far (kept across <see cref="Fit"/> calls and restored by <see cref="LoadCheckpoint(string)"/>).</summary>
    public History History { get; private set; } = new();

    /// <summary>The optimizer driving the parameters.</summary>
    public Optimizer<T> Optimizer => _optimizer;

    /// <summary>
    /// Where a batch's gradient comes from, when not from this process (null, the default: forward, loss and backward
    /// here). Given a batch's features and targets, it sets the <see cref="Tensor{T}.Grad"/> of every model parameter to
    /// the gradient of the batch's loss at the current parameters and returns that loss; the trainer then steps the
    /// optimizer as usual. Data-parallel training (Descent.Distributed) computes it on worker processes.
    /// </summary>
    public Func<Tensor<T>, Tensor<T>, double>? BatchGradient { get; set; }

    /// <summary>Called after every batch (after the callbacks).</summary>
    public event Action<BatchRecord>? BatchEnded;

    /// <summary>Called after every epoch, after validation (after the callbacks).</summary>
    public event Action<EpochRecord>? EpochEnded;

    private ITrainingCallback[] _callbacks = [];

    /// <summary>Adds a callback that sees every batch and epoch, in the order added; dispose the result to remove it.</summary>
    /// <param name="callback">The callback.</param>
    /// <returns>A handle whose <see cref="IDisposable.Dispose"/> removes the callback.</returns>
    public IDisposable AddCallback(ITrainingCallback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _callbacks = [.. _callbacks, callback];
        return new Removal(() => _callbacks = [.. _callbacks.Where(c => !ReferenceEquals(c, callback))]);
    }

    private sealed class Removal(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }

    /// <summary>The parameters of the epoch with the best validation loss so far (for <see cref="TrainerOptions.RestoreBest"/>; kept across <see cref="Fit"/> calls and in checkpoints).</summary>
    private Dictionary<string, Tensor<T>>? _best;

    private double _bestValidation = double.PositiveInfinity;

    /// <summary>
    /// Free-form metadata saved with every checkpoint (under <c>"metadata"</c>) and restored by
    /// <see cref="LoadCheckpoint(string)"/>: e.g. the settings a command line ran with, so a resume can check them.
    /// </summary>
    public JsonObject CheckpointMetadata { get; set; } = [];

    /// <summary>
    /// Trains until <see cref="TrainerOptions.Epochs"/> epochs have run in total (counting epochs before a resume),
    /// a stopping rule fires, the loss diverges, or cancellation is requested. A run cancelled inside an epoch keeps
    /// its position in <see cref="History.Partial"/> (and in the checkpoint), and the next <see cref="Fit"/> continues
    /// with the following batch: stopped and resumed at any batch, the run ends bit for bit where an uninterrupted one does.
    /// </summary>
    public History Fit(IBatchSource<T> train, Dataset<T>? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var divergence = new Divergence();
        _options.Stopping?.Reset();
        // The rules see the epochs before a resume again, so their windows and counts are those of an uninterrupted run.
        foreach (var e in History.Epochs)
        {
            var seen = new StepRecord(e.Epoch, e.TrainLoss) { ValidationMetric = e.ValidationLoss, GradientNorm = e.GradientNorm };
            divergence.Observe(seen);
            _options.Stopping?.Observe(seen);
        }
        var clock = Stopwatch.StartNew();
        long lastCheckpoint = Stopwatch.GetTimestamp();
        StopReason? reason = null;
        double[][]? lastFinite = null;
        double? lastRate = double.NaN; // no batch yet: the first one reports its rate as changed

        for (int epoch = History.Epochs.Count; epoch < _options.Epochs && reason is null; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            _model.Train();
            var resumed = History.Partial is { } partial && partial.Epoch == epoch + 1 ? partial : null;
            double lossSum = resumed?.LossSum ?? 0, gradSum = resumed?.GradientNormSum ?? 0, secondsBefore = resumed?.Seconds ?? 0;
            int examples = resumed?.Examples ?? 0, batches = resumed?.Batches ?? 0;
            lastFinite = _parameters.Select(p => p.ToDoubleArray()).ToArray();
            foreach (var (x, y) in train.Batches(epoch, batches))
            {
                if (_options.Cancellation.IsCancellationRequested)
                {
                    reason = new StopReason(StopKind.Cancelled, epoch, batches == 0
                        ? $"stopped by the user before epoch {epoch + 1}"
                        : $"stopped by the user during epoch {epoch + 1}, after batch {batches} (a resume continues with batch {batches + 1})");
                    break;
                }
                double batchLoss;
                double gradNorm = 0;
                // The batch's activations and backward temporaries end with it: the next batch takes the same arrays
                // back from the pool, warm, instead of fresh memory from the collector (the gradients are kept).
                using (new TensorScope())
                {
                    if (BatchGradient is { } external) batchLoss = external(x, y);
                    else
                    {
                        var loss = _loss(_model.Forward(x), y);
                        loss.Backward();
                        batchLoss = double.CreateTruncating(loss.Item());
                    }
                    foreach (var p in _parameters)
                        if (p.Grad is { } g) gradNorm += double.CreateTruncating(System.Numerics.Tensors.TensorPrimitives.SumOfSquares<T>(g.Data));
                    gradNorm = Math.Sqrt(gradNorm);
                    // A non-finite loss ends the run before its step: the parameters (and the optimizer's state) stay
                    // those after the last finite batch.
                    if (double.IsFinite(batchLoss)) _optimizer.Step();
                    _model.ZeroGrad();
                }
                int size = x.Shape[0];
                lossSum += batchLoss * size;
                examples += size;
                gradSum += gradNorm;
                batches++;
                double? rate = _optimizer.LearningRate;
                var batchRecord = new BatchRecord(epoch + 1, batches, size, batchLoss, _optimizer.StepCount, rate, gradNorm, !Nullable.Equals(rate, lastRate));
                lastRate = rate;
                foreach (var callback in _callbacks) callback.OnBatchEnd(batchRecord);
                BatchEnded?.Invoke(batchRecord);
                if (!double.IsFinite(batchLoss))
                {
                    reason = new StopReason(StopKind.Diverged, epoch + 1, $"diverged: the loss became {batchLoss} in epoch {epoch + 1}, batch {batches}");
                    break;
                }
            }
            double seconds = secondsBefore + epochClock.Elapsed.TotalSeconds;
            if (reason?.Kind == StopKind.Cancelled)
            {
                // Stopped inside the epoch (or before it): the epoch is not complete, so it is not recorded; its
                // position and sums are kept for the resume that finishes it.
                History.Partial = batches == 0 ? null : new PartialEpoch(epoch + 1, batches, examples, lossSum, gradSum, seconds);
                break;
            }
            History.Partial = null;
            double trainLoss = examples == 0 ? double.NaN : lossSum / examples;

            double? validationLoss = null;
            var metrics = new Dictionary<string, double>();
            if (validation is not null && reason?.Kind != StopKind.Diverged)
            {
                (validationLoss, metrics) = Evaluate(validation, "val_");
                if (validationLoss < _bestValidation && _options.RestoreBest)
                {
                    _bestValidation = validationLoss.Value;
                    _best = _model.StateDict();
                }
            }
            // A rate that learns from a metric (reduce on plateau) sees the epoch's validation loss, else its train loss.
            if (reason?.Kind != StopKind.Diverged) _optimizer.ObserveMetric(validationLoss ?? trainLoss);
            var record = new EpochRecord(epoch + 1, trainLoss, validationLoss, _optimizer.LearningRate, batches == 0 ? 0 : gradSum / batches, seconds, metrics);
            History.Epochs.Add(record);
            foreach (var callback in _callbacks) callback.OnEpochEnd(record);
            EpochEnded?.Invoke(record);

            var step = new StepRecord(epoch + 1, trainLoss) { ValidationMetric = validationLoss, Elapsed = clock.Elapsed, GradientNorm = record.GradientNorm };
            reason ??= divergence.Observe(step) ?? _options.Stopping?.Observe(step);
            bool due = (epoch + 1) % _options.CheckpointEvery == 0 && Stopwatch.GetElapsedTime(lastCheckpoint) >= _options.CheckpointInterval;
            if (_options.CheckpointPath is { } path && reason?.Kind != StopKind.Diverged && (due || reason is not null || epoch + 1 == _options.Epochs))
            {
                SaveCheckpoint(path);
                lastCheckpoint = Stopwatch.GetTimestamp();
            }
        }
        if (reason?.Kind == StopKind.Cancelled && _options.CheckpointPath is { } stopPath) SaveCheckpoint(stopPath);

        // A non-finite batch took no step, so the parameters are those after the last finite batch; only when the
        // growth rule stopped the run at an epoch's end with a non-finite parameter does it fall back to the epoch's start.
        if (reason?.Kind == StopKind.Diverged && lastFinite is not null && !_parameters.All(p => System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<T>(p.Data)))
            for (int i = 0; i < _parameters.Count; i++)
                for (int j = 0; j < lastFinite[i].Length; j++) _parameters[i].Data[j] = T.CreateTruncating(lastFinite[i][j]);
        if (reason?.Kind == StopKind.Patience && _best is not null) _model.LoadStateDict(_best);
        History.StopReason = reason ?? new StopReason(StopKind.MaxSteps, History.Epochs.Count, $"max epochs: ran {History.Epochs.Count} of {_options.Epochs}");
        History.TrainSeconds += clock.Elapsed.TotalSeconds;
        TensorScope.ReleasePooledMemory(); // the batches' arrays are not needed after the run
        return History;
    }

    /// <summary>
    /// The loss and the configured metrics on a dataset (or on its rows <paramref name="rows"/>), in evaluation mode and
    /// without recording. The forward pass runs in chunks (<see cref="Module{T}.Predict"/>), so only the predictions
    /// are held for the whole set; the loss and metrics are then computed on the whole prediction.
    /// </summary>
    /// <param name="data">The data.</param>
    /// <param name="prefix">Put before every metric's name, e.g. <c>"val_"</c>.</param>
    /// <param name="rows">The rows of <paramref name="data"/> to evaluate on; null for all.</param>
    public (double Loss, Dictionary<string, double> Metrics) Evaluate(Dataset<T> data, string prefix = "", int[]? rows = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var _ = Autograd.NoGrad();
        var prediction = _model.Predict(data.X, rows);
        var targets = rows is null ? data.Y : Dataset<T>.GatherRows(data.Y, rows);
        double loss = double.CreateTruncating(_loss(prediction, targets).Item());
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (_options.Metrics is { } m)
        {
            var p = prediction.Cast<double>();
            var y = targets.Cast<double>();
            foreach (var (name, metric) in m) metrics[prefix + name] = metric(p, y);
        }
        return (loss, metrics);
    }

    /// <summary>
    /// Writes a checkpoint atomically: parameters, optimizer state (with schedule position), the random state of
    /// <see cref="IRandomModule"/> layers, the position (completed epochs, and the batch reached in a stopped epoch with
    /// its partial sums), the last epoch's record and <see cref="CheckpointMetadata"/>. The epoch history goes to the
    /// append-only file <c>PATH.history.jsonl</c> beside it (one JSON line per epoch; only new epochs are appended and
    /// flushed), so a checkpoint's size and cost do not grow with the length of the run.
    /// </summary>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var checkpoint = new Checkpoint();
        foreach (var (name, p) in _model.NamedState()) checkpoint.Add("model." + name, p);
        if (_best is not null)
            foreach (var (name, p) in _best) checkpoint.Add("best." + name, p);
        var state = _optimizer.GetState();
        var scalars = new JsonObject();
        foreach (var (name, values) in state.Arrays) checkpoint.Add("optimizer." + name, values);
        foreach (var (name, value) in state.Scalars) scalars[name] = Checkpoint.Number(value);
        var random = new JsonObject();
        foreach (var (name, module) in _model.NamedModules())
            if (module is IRandomModule r) random[name] = r.RandomState.ToString(CultureInfo.InvariantCulture);
        string historyFile = WriteHistory(path);
        var metadata = new JsonObject
        {
            ["kind"] = "training",
            ["epoch"] = History.Epochs.Count,
            ["batch"] = History.Partial?.Batches ?? 0,
            ["optimizer_scalars"] = scalars,
            ["random"] = random,
            ["history"] = new JsonObject
            {
                ["file"] = historyFile,
                ["epochs"] = History.Epochs.Count,
                ["last"] = History.Epochs.Count == 0 ? null : JsonNode.Parse(History.Epochs[^1].ToJson()),
            },
            ["metadata"] = CheckpointMetadata.DeepClone(),
        };
        if (_best is not null) metadata["best_validation_loss"] = Checkpoint.Number(_bestValidation);
        if (History.Partial is { } stopped) metadata["partial"] = JsonNode.Parse(stopped.ToJson());
        checkpoint.Metadata = metadata;
        checkpoint.ModelDescription = _options.ModelDescription;
        checkpoint.Save(path);
    }

    /// <summary>The history file's full path, how many epochs it holds and its length in bytes after them (what the last save or load left).</summary>
    private (string File, int Epochs, long Bytes)? _historyFile;

    /// <summary>Brings <c>PATH.history.jsonl</c> up to the current history (appending, or rewriting it when it is not the one last written) and flushes it; returns its file name.</summary>
    private string WriteHistory(string checkpointPath)
    {
        string full = System.IO.Path.GetFullPath(checkpointPath + ".history.jsonl");
        int count = History.Epochs.Count;
        if (_historyFile is { } known && known.File == full && known.Epochs <= count && File.Exists(full) && new FileInfo(full).Length >= known.Bytes)
        {
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.Read);
            stream.SetLength(known.Bytes); // drops lines appended for a checkpoint that was never written
            stream.Seek(0, SeekOrigin.End);
            for (int i = known.Epochs; i < count; i++) WriteLine(stream, History.Epochs[i]);
            stream.Flush(flushToDisk: true);
            _historyFile = (full, count, stream.Length);
        }
        else
        {
            long length = 0;
            AtomicFile.Write(full, stream =>
            {
                foreach (var e in History.Epochs) WriteLine(stream, e);
                length = stream.Length;
            });
            _historyFile = (full, count, length);
        }
        return System.IO.Path.GetFileName(full);

        static void WriteLine(Stream stream, EpochRecord e)
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(e.ToJson()));
            stream.WriteByte((byte)'\n');
        }
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/>: parameters, optimizer state, random states,
    /// position (including a stopped epoch's batch) and history. The file is verified and checked against the model
    /// and optimizer before anything changes.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointException">The file is corrupted, truncated, or does not fit this model and optimizer.</exception>
    public void LoadCheckpoint(string path) => LoadCheckpoint(Checkpoint.Load(path));

    /// <summary>Restores a checkpoint already read with <see cref="Checkpoint.Load"/> (e.g. after checking its <c>metadata</c>).</summary>
    /// <exception cref="CheckpointException">The checkpoint does not fit this model and optimizer, or its history file is missing or damaged.</exception>
    public void LoadCheckpoint(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        string path = checkpoint.Path ?? throw new ArgumentException("Load the checkpoint from a file with Checkpoint.Load.", nameof(checkpoint));
        var meta = checkpoint.Metadata;
        if (meta["kind"]?.GetValueKind() == System.Text.Json.JsonValueKind.String && meta["kind"]!.GetValue<string>() == "module")
            throw new CheckpointException(path, "it holds a model's parameters only (written by Module.Save), not a training checkpoint; load it with Module.Load, or train with a checkpoint path to resume.");
        int epochs, batch;
        Dictionary<string, double> scalars;
        PartialEpoch? partial = null;
        Dictionary<string, ulong> random;
        JsonObject user;
        string historyFile;
        JsonNode? last;
        try
        {
            epochs = meta["epoch"]!.GetValue<int>();
            batch = meta["batch"]!.GetValue<int>();
            if (epochs < 0 || batch < 0) throw new FormatException("negative position");
            scalars = meta["optimizer_scalars"]!.AsObject().ToDictionary(kv => kv.Key, kv => Checkpoint.ReadNumber(kv.Value));
            if (batch > 0)
            {
                partial = PartialEpoch.FromJson(meta["partial"]!.AsObject().ToJsonString());
                if (partial.Epoch != epochs + 1 || partial.Batches != batch) throw new FormatException("the stopped epoch does not follow the completed ones");
            }
            random = meta["random"]!.AsObject().ToDictionary(kv => kv.Key, kv => ulong.Parse(kv.Value!.GetValue<string>(), CultureInfo.InvariantCulture));
            user = meta["metadata"] as JsonObject ?? [];
            var h = meta["history"]!.AsObject();
            historyFile = h["file"]!.GetValue<string>();
            if (h["epochs"]!.GetValue<int>() != epochs || historyFile.Length == 0 || historyFile != System.IO.Path.GetFileName(historyFile)) throw new FormatException("bad history entry");
            last = h["last"];
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or NullReferenceException or OverflowException or ArgumentException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            throw CheckpointException.Corrupted(path, "its training metadata is incomplete or malformed (" + e.Message + ")");
        }

        var state = new Dictionary<string, Tensor<T>>();
        foreach (var (name, p) in _model.NamedState())
        {
            if (!checkpoint.Tensors.ContainsKey("model." + name))
                throw new CheckpointException(path, $"it has no parameter '{name}': it was written for another model.");
            var t = checkpoint.Get<T>("model." + name);
            if (!Shapes.Equal(t.Shape, p.Shape))
                throw new CheckpointException(path, $"parameter '{name}' has shape {Shapes.Format(t.Shape)} there but {Shapes.Format(p.Shape)} in this model.");
            state[name] = t;
        }
        Dictionary<string, Tensor<T>>? best = null;
        double bestValidation = double.PositiveInfinity;
        if (checkpoint.Tensors.Keys.Any(k => k.StartsWith("best.", StringComparison.Ordinal)))
        {
            best = [];
            foreach (var (name, p) in _model.NamedState())
            {
                if (!checkpoint.Tensors.ContainsKey("best." + name)) throw CheckpointException.Corrupted(path, $"its best-epoch parameters lack '{name}'");
                var t = checkpoint.Get<T>("best." + name);
                if (!Shapes.Equal(t.Shape, p.Shape)) throw CheckpointException.Corrupted(path, $"its best-epoch parameter '{name}' has shape {Shapes.Format(t.Shape)}");
                best[name] = t;
            }
            try { bestValidation = Checkpoint.ReadNumber(meta["best_validation_loss"]); }
            catch (FormatException e) { throw CheckpointException.Corrupted(path, "its best validation loss is malformed (" + e.Message + ")"); }
        }
        var extra = checkpoint.Tensors.Keys.Where(k => k.StartsWith("model.", StringComparison.Ordinal) && !state.ContainsKey(k["model.".Length..])).ToList();
        if (extra.Count > 0) throw new CheckpointException(path, $"it has parameters this model does not ({string.Join(", ", extra)}): it was written for another model.");
        var randomModules = _model.NamedModules().Where(m => m.Module is IRandomModule).ToList();
        foreach (var (name, _) in randomModules)
            if (!random.ContainsKey(name)) throw new CheckpointException(path, $"it has no random state for the layer '{name}': it was written for another model.");

        var arrays = checkpoint.Tensors.Where(t => t.Key.StartsWith("optimizer.", StringComparison.Ordinal))
            .ToDictionary(t => t.Key["optimizer.".Length..], t => t.Value.Values);
        var current = _optimizer.GetState();
        if (!current.Arrays.Keys.Order(StringComparer.Ordinal).SequenceEqual(arrays.Keys.Order(StringComparer.Ordinal))
            || !current.Scalars.Keys.Order(StringComparer.Ordinal).SequenceEqual(scalars.Keys.Order(StringComparer.Ordinal))
            || current.Arrays.Any(a => a.Value.Length != arrays[a.Key].Length))
            throw new CheckpointException(path, $"it holds the state of a different optimizer ({Describe(arrays.Keys, scalars.Keys)}) than this one ({Describe(current.Arrays.Keys, current.Scalars.Keys)}): resume with the optimizer it was written with.");

        var (epochsRead, historyBytes) = ReadHistory(path, historyFile, epochs, last);
        var history = new History { Partial = partial };
        history.Epochs.AddRange(epochsRead);
        try
        {
            _optimizer.LoadState(new TransformState(arrays, scalars));
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException(path, "its optimizer state does not fit this optimizer: " + e.Message);
        }
        _model.LoadStateDict(state);
        foreach (var (name, module) in randomModules) ((IRandomModule)module).RandomState = random[name];
        History = history;
        CheckpointMetadata = user;
        (_best, _bestValidation) = (best, bestValidation);
        _historyFile = (System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, historyFile)), epochs, historyBytes);
    }

    private static string Describe(IEnumerable<string> arrays, IEnumerable<string> scalars)
    {
        static string Stem(string name)
        {
            if (name.StartsWith("transform.", StringComparison.Ordinal)) name = name["transform.".Length..];
            int slash = name.LastIndexOf('/');
            return slash < 0 ? name : name[..slash];
        }
        var names = arrays.Concat(scalars.Where(s => s != "stepCount")).Select(Stem).Distinct().ToList();
        return names.Count == 0 ? "no state but the step count" : string.Join(", ", names);
    }

    /// <summary>The first <paramref name="count"/> epoch records of the history file and the byte length they take.</summary>
    private static (List<EpochRecord> Epochs, long Bytes) ReadHistory(string checkpointPath, string fileName, int count, JsonNode? last)
    {
        var result = new List<EpochRecord>(Math.Min(count, 1 << 16));
        string file = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(checkpointPath))!, fileName);
        if (count == 0) return (result, 0);
        if (!File.Exists(file))
            throw CheckpointException.Corrupted(checkpointPath, $"its history file {file} (the {count} epochs before it) is missing; keep it beside the checkpoint");
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var line = new MemoryStream();
        long bytes = 0;
        const int MaxLine = 1 << 20;
        while (result.Count < count)
        {
            line.SetLength(0);
            int b;
            while ((b = stream.ReadByte()) >= 0 && b != '\n')
            {
                if (line.Length >= MaxLine) throw CheckpointException.Corrupted(checkpointPath, $"its history file {file} has a line longer than {MaxLine} bytes at epoch {result.Count + 1}");
                line.WriteByte((byte)b);
            }
            if (b < 0)
                throw CheckpointException.Corrupted(checkpointPath, $"its history file {file} holds {result.Count} of the checkpoint's {count} epochs (cut short or replaced)");
            bytes += line.Length + 1;
            EpochRecord record;
            try
            {
                record = EpochRecord.FromJson(line.GetBuffer().AsSpan(0, (int)line.Length));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw CheckpointException.Corrupted(checkpointPath, $"its history file {file} is damaged at epoch {result.Count + 1}");
            }
            if (record.Epoch != result.Count + 1)
                throw CheckpointException.Corrupted(checkpointPath, $"its history file {file} has epoch {record.Epoch} where epoch {result.Count + 1} belongs");
            result.Add(record);
        }
        if (last is null || last.ToJsonString() != result[^1].ToJson())
            throw CheckpointException.Corrupted(checkpointPath, $"its history file {file} ends at an epoch that differs from the checkpoint's (it belongs to another run)");
        return (result, bytes);
    }
}
