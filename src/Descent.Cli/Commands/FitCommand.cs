using System.CommandLine;
using System.Numerics;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Dashboard;
using Descent.Learning.Training;
using Descent.Optimization.Stopping;
using Descent.Plotting;
using Descent.Tracking;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary><c>descent fit</c>: trains a model on data and prints the result.</summary>
public static class FitCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var data = Options.Text("--data", "PATH (CSV file or MNIST folder), builtin:seed-linear|fashion-mnist, or synthetic:linear|blobs|moons|spirals?n=200&noise=0.1. Default: the reference linear regression.");
        var features = Options.Text("--features", "CSV feature columns, comma-separated (default: all but the target).");
        var target = Options.Text("--target", "CSV target column (default: the last).");
        var model = Options.Text("--model", "linear | logistic | softmax | mlp (default from the data).");
        var hidden = Options.Text("--hidden", "MLP hidden layer sizes, e.g. 128,64 (default 32).");
        var loss = Options.Text("--loss", "mse | half-mse | sse | mae | huber | bce | bce-logits | cross-entropy | nll | hinge.");
        var optimizer = Options.Text("--optimizer", "gd | momentum | nesterov | adagrad | rmsprop | adam | adamw | lion, optionally with settings (adam:beta1=0.9).");
        var lr = Options.Number("--lr", "Learning rate (default 0.01; 8e-3 for the reference fit).");
        var epochs = Options.Whole("--epochs", "Epochs (default 100; 5000 for the reference fit).");
        var batch = Options.Text("--batch-size", "Examples per batch, or 'full' (default: full up to 1024 examples, else 64).");
        var valSplit = Options.Number("--val-split", "Fraction held out for validation, e.g. 0.2.");
        var schedule = Options.Text("--schedule", "Learning-rate schedule, e.g. step:factor=0.5,every=1000.");
        var stop = Options.Many("--stop", "Stopping rule (repeatable), e.g. plateau:window=50,slope=1e-6 or patience:10.");
        var seed = Options.Whole("--seed", "Random seed (default 0).");
        var checkpoint = Options.Text("--checkpoint", "Save a checkpoint here every epoch and when interrupted.");
        var resume = Options.Text("--resume", "Resume from this checkpoint.");
        var plot = Options.Text("--plot", "Write the training/validation loss curve here (.png or .svg).");
        var logEvery = Options.Whole("--log-every", "Keep every Nth epoch in the history (first and last always).");
        var track = RunFiles.Option("Record the run in this SQLite runs file (default descent-runs.db); see 'descent runs'.");
        var live = Options.Flag("--live", "Serve a live page with the loss curves and a Stop button on 127.0.0.1 and print its address.");
        var port = Options.Whole("--port", "The live page's port (default: any free port).");
        var dtype = Options.Text("--dtype", "Element type: float32 | float64 | auto (default auto: float32 for image data such as builtin:fashion-mnist and MNIST folders, float64 otherwise so reference results stay exact).");
        var command = new Command("fit", "Train a model. With no --data, fits the reference linear regression (half-MSE, lr 8e-3, 5000 full-batch epochs).")
        {
            data, features, target, model, hidden, loss, optimizer, lr, epochs, batch, valSplit, schedule, stop, seed, checkpoint, resume, plot, logEvery, track, live, port, dtype,
        };
        command.SetAction(p =>
        {
            var settings = new FitSettings
            {
                Data = p.GetValue(data),
                Features = Options.List(p.GetValue(features)),
                Target = p.GetValue(target),
                Model = p.GetValue(model),
                Hidden = Options.Ints("--hidden", p.GetValue(hidden)),
                Loss = p.GetValue(loss),
                Optimizer = p.GetValue(optimizer) ?? "gd",
                LearningRate = p.GetValue(lr),
                Epochs = p.GetValue(epochs),
                BatchSize = p.GetValue(batch),
                ValSplit = p.GetValue(valSplit) ?? 0,
                Schedule = p.GetValue(schedule),
                Stops = p.GetValue(stop),
                Seed = p.GetValue(seed) ?? 0,
                Checkpoint = p.GetValue(checkpoint),
                Resume = p.GetValue(resume),
                DataType = p.GetValue(dtype),
            };
            int every = p.GetValue(logEvery) ?? 1;
            if (every < 1) throw new UsageException("--log-every must be at least 1.");
            int? livePort = p.GetValue(port);
            bool liveOn = p.GetValue(live);
            if (livePort is not null && !liveOn) throw new UsageException("--port goes with --live, e.g. --live --port 8080.");
            if (livePort is < 0 or > 65535) throw new UsageException($"--port {livePort}: use 0 to 65535 (0: any free port).");
            var observe = new FitObservers(RunFiles.PathOf(p, track), liveOn ? livePort ?? 0 : null);
            return Run(context, settings, p.GetValue(Root.Json), every, p.GetValue(plot), observe);
        });
        return command;
    }

    /// <summary>What watches a fit: a runs file to record into (<c>--track</c>), a live page's port (<c>--live</c>).</summary>
    internal sealed record FitObservers(string? TrackPath, int? LivePort);

    /// <summary>The settings of a fit as recorded with its run and shown on the live page.</summary>
    internal static JsonObject SettingsJson(FitSettings s, int epochs) => new JsonObject()
        .With("dtype", DataSources.Name(FitCore.DTypeOf(s)))
        .With("data", s.Data ?? "builtin:seed-linear (reference)").With("features", s.Features).With("target", s.Target)
        .With("model", s.Model).With("hidden", s.Hidden).With("loss", s.Loss).With("optimizer", s.Optimizer)
        .With("lr", s.LearningRate ?? (s.Data is null ? FitCore.ReferenceLearningRate : 0.01)).With("epochs", epochs)
        .With("batch_size", s.BatchSize).With("val_split", s.ValSplit).With("schedule", s.Schedule).With("stop", s.Stops)
        .With("seed", s.Seed).With("checkpoint", s.Checkpoint).With("resume", s.Resume);

    private static int Run(CliContext context, FitSettings settings, bool json, int logEvery, string? plotPath, FitObservers observe)
        => FitCore.DTypeOf(settings) == DType.Float32
            ? Run<float>(context, settings, json, logEvery, plotPath, observe)
            : Run<double>(context, settings, json, logEvery, plotPath, observe);

    private static int Run<T>(CliContext context, FitSettings settings, bool json, int logEvery, string? plotPath, FitObservers observe)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var data = FitCore.LoadData<T>(settings);
        int total = settings.Epochs ?? (settings.Data is null ? FitCore.ReferenceEpochs : 100);
        var settingsJson = SettingsJson(settings, total);
        using var store = observe.TrackPath is null ? null : RunFiles.OpenForWriting(observe.TrackPath);
        // The page's Stop and Ctrl-C cancel the same source: the trainer stops at the next batch either way.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        LiveDashboard? page = null;
        TrackedRun? tracked = null;
        LiveRun? liveRun = null;
        try
        {
            if (observe.LivePort is int port)
            {
                page = LiveDashboard.StartAsync(new LiveDashboardOptions { Port = port, StopSource = stop }, context.Cancellation).GetAwaiter().GetResult();
                (json ? context.Error : context.Output).WriteLine($"Live page: {page.Address}");
                (json ? context.Error : context.Output).Flush();
            }
            void Configure(Trainer<T> trainer)
            {
                if (store is not null)
                    tracked = RunTracker.Attach(trainer, store, new RunStart
                    {
                        Command = RunFiles.CommandLine(context.Arguments),
                        Name = "fit " + (settings.Data ?? "reference"),
                        Settings = (JsonObject)settingsJson.DeepClone(),
                        Seed = settings.Seed,
                        CheckpointPath = settings.Checkpoint is null ? null : Path.GetFullPath(settings.Checkpoint),
                    });
                if (page is not null) liveRun = page.Attach(trainer, "fit " + (settings.Data ?? "reference"), (JsonObject)settingsJson.DeepClone(), total);
            }
            var cancellation = page is null ? context.Cancellation : stop.Token;
            var outcome = Train(context, settings, data, json, total, cancellation, Configure);
            tracked?.Complete(outcome.History);
            liveRun?.Complete(outcome.History);
            return Finish(context, outcome, json, logEvery, plotPath, clock.Elapsed.TotalSeconds);
        }
        catch (Exception e)
        {
            if (tracked is not null) RunFiles.FinishWithError(tracked.Writer, e);
            liveRun?.End(e is OperationCanceledException ? RunStatus.Stopped : RunStatus.Failed, e.Message);
            throw;
        }
        finally
        {
            tracked?.Dispose();
            liveRun?.Dispose();
            page?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static FitOutcome Train<T>(CliContext context, FitSettings settings, LoadedData<T> data, bool json, int total, CancellationToken cancellation, Action<Trainer<T>> configure)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        FitOutcome outcome;
        if (context.Live)
        {
            FitOutcome? result = null;
            Human.Console(context.Error, live: true).Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: total);
                // Within an epoch the bar moves by batch, at most ten times a second: a batch costs one timestamp read.
                long interval = System.Diagnostics.Stopwatch.Frequency / 10, next = 0;
                double lastLoss = double.NaN;
                result = FitCore.Train(settings, data, cancellation, e =>
                {
                    lastLoss = e.TrainLoss;
                    task.Value = e.Epoch;
                    task.Description = $"epoch {e.Epoch}/{total}  loss {Points.Show(e.TrainLoss)}";
                }, configure: configure, onBatch: (b, batches) =>
                {
                    long now = System.Diagnostics.Stopwatch.GetTimestamp();
                    if (now < next || batches <= 1) return;
                    next = now + interval;
                    task.Value = b.Epoch - 1 + (double)b.Batch / batches;
                    task.Description = $"epoch {b.Epoch}/{total}  batch {b.Batch}/{batches}  loss {Points.Show(b.Loss)}"
                        + (double.IsNaN(lastLoss) ? "" : $"  (last epoch {Points.Show(lastLoss)})");
                });
            });
            outcome = result!;
        }
        else
        {
            int report = Math.Max(1, total / 10);
            outcome = FitCore.Train(settings, data, cancellation, e =>
            {
                if (!json && (e.Epoch % report == 0 || e.Epoch == 1))
                    context.Error.WriteLine($"epoch {e.Epoch}/{total}  train loss {Points.Show(e.TrainLoss)}" + (e.ValidationLoss is double v ? $"  val loss {Points.Show(v)}" : ""));
            }, configure: configure);
        }
        return outcome;
    }

    private static int Finish(CliContext context, FitOutcome outcome, bool json, int logEvery, string? plotPath, double seconds)
    {
        var history = outcome.History;
        var reason = history.StopReason!;

        if (plotPath is not null)
        {
            var train = history.Epochs.Select(e => e.TrainLoss).ToArray();
            var val = history.Epochs.All(e => e.ValidationLoss is not null) && history.Epochs.Count > 0 ? history.Epochs.Select(e => e.ValidationLoss!.Value).ToArray() : null;
            if (train.Length > 0) Figures.Save(Figures.TrainValidation(train, val, $"Training {outcome.Model} ({outcome.LossName}, lr {Points.Show(outcome.LearningRate)})", logScale: true), plotPath);
        }

        if (json) Json.Write(context.Output, ToJson(outcome, logEvery, seconds));
        else PrintHuman(context.Output, outcome, seconds, plotPath);
        return reason.Kind switch
        {
            StopKind.Diverged => ExitCodes.Diverged,
            StopKind.Cancelled => ExitCodes.Interrupted,
            _ => ExitCodes.Ok,
        };
    }

    /// <summary>The JSON document of a fit.</summary>
    internal static JsonObject ToJson(FitOutcome outcome, int logEvery, double seconds)
    {
        var history = outcome.History;
        var parameters = new JsonObject();
        foreach (var p in outcome.Parameters) parameters[p.Name] = Nested(p.Values, p.Shape, 0, 0).Node;
        var entries = new JsonArray();
        for (int i = 0; i < history.Epochs.Count; i++)
        {
            if (i % logEvery != 0 && i != history.Epochs.Count - 1) continue;
            var e = history.Epochs[i];
            var entry = new JsonObject { ["epoch"] = e.Epoch, ["train_loss"] = Json.Number(e.TrainLoss) };
            if (e.ValidationLoss is double v) entry["val_loss"] = Json.Number(v);
            entry["learning_rate"] = Json.Number(e.LearningRate ?? outcome.LearningRate);
            entries.Add((JsonNode)entry);
        }
        return new JsonObject
        {
            ["model"] = outcome.Model,
            ["dtype"] = DataSources.Name(outcome.DType),
            ["loss"] = outcome.LossName,
            ["parameters"] = parameters,
            ["history"] = entries,
            ["metrics"] = Json.Object(outcome.Metrics),
            ["stop_reason"] = Human.StopName(history.StopReason!.Kind, epochs: true),
            ["stop_message"] = history.StopReason.Message,
            ["epochs_run"] = history.Epochs.Count,
            ["seconds"] = Json.Number(seconds),
            ["train_seconds"] = Json.Number(history.TrainSeconds),
            ["peak_memory_bytes"] = PeakMemoryBytes(),
        };
    }

    /// <summary>
    /// The process's peak resident memory so far (the high-water mark the kernel keeps, VmHWM on Linux — the same as
    /// <c>/usr/bin/time -f %M</c>), in bytes.
    /// </summary>
    internal static long PeakMemoryBytes()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    private static (JsonNode Node, int Next) Nested(double[] values, int[] shape, int axis, int offset)
    {
        if (axis == shape.Length) return (Json.Number(values[offset]), offset + 1);
        var array = new JsonArray();
        for (int i = 0; i < shape[axis]; i++)
        {
            var (node, next) = Nested(values, shape, axis + 1, offset);
            array.Add(node);
            offset = next;
        }
        return (array, offset);
    }

    private static void PrintHuman(TextWriter output, FitOutcome outcome, double seconds, string? plotPath)
    {
        var history = outcome.History;
        output.WriteLine($"Trained {outcome.Model} ({DataSources.Name(outcome.DType)}, {outcome.LossName} loss, learning rate {Points.Show(outcome.LearningRate)}) for {history.Epochs.Count} epochs in {seconds:F2} s (training {history.TrainSeconds:F2} s, peak memory {PeakMemoryBytes() / (1024.0 * 1024.0):F0} MiB).");
        output.WriteLine($"Stopped: {history.StopReason!.Message}");
        var rows = new List<string[]>();
        foreach (var p in outcome.Parameters)
        {
            var values = p.Values;
            string shown = values.Length <= 8 ? string.Join(", ", values.Select(Points.Show)) : $"{values.Length} values, mean {Points.Show(values.Average())}";
            rows.Add([p.Name, "[" + string.Join(", ", p.Shape) + "]", shown]);
        }
        Human.Table(output, ["parameter", "shape", "values"], rows);
        Human.Table(output, ["metric", "value"], outcome.Metrics.Select(kv => new[] { kv.Key, Points.Show(kv.Value) }));
        if (plotPath is not null) output.WriteLine($"Loss curve written to {plotPath}");
    }
}
