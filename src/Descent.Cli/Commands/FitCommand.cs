using System.CommandLine;
using System.Numerics;
using System.Text.Json.Nodes;
using Descent.Cli.Infrastructure;
using Descent.Dashboard;
using Descent.Learning.Data;
using Descent.Learning.Metrics;
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
        var data = Options.Text("--data", "PATH (CSV file, folder of images in class subfolders or in train/ and test/ (and val/) splits of class subfolders, or MNIST folder), builtin:seed-linear|fashion-mnist, or synthetic:linear|blobs|moons|spirals?n=200&noise=0.1. Default: the reference linear regression.");
        var features = Options.Text("--features", "CSV feature columns, comma-separated (default: all but the target).");
        var target = Options.Text("--target", "CSV target column (default: the last).");
        var model = Options.Text("--model", "linear | logistic | softmax | mlp | cnn (default from the data; cnn: image data, conv 32 → pool → conv 64 → pool → linear 128 → classes).");
        var layers = Options.Text("--layers", "A CNN's layer stack (implies --model cnn), e.g. \"conv(32,3,padding=1) relu maxpool(2) conv(64,3,padding=1) relu maxpool(2) flatten linear(128) relu linear\"; see README.");
        var augment = Options.Text("--augment", "Augment the training images (never validation or test): shift=N (random shifts of up to N pixels, zero-filled, as torchvision's RandomCrop(size, padding=N)) and hflip (mirror half the images left–right; not for digits or text), e.g. shift=2,hflip. Seeded from --seed; resumes exactly.");
        var hidden = Options.Text("--hidden", "MLP hidden layer sizes, e.g. 128,64 (default 32).");
        var loss = Options.Text("--loss", "mse | half-mse | sse | mae | huber | bce | bce-logits | cross-entropy | nll | hinge.");
        var optimizer = Options.Text("--optimizer", "(default: nesterov for scaled CSV data, gd otherwise) gd | momentum | nesterov | adagrad | rmsprop | adam | adamw | lion, optionally with settings (adam:beta1=0.9).");
        var lr = Options.Number("--lr", "Learning rate (default 0.1 for scaled CSV data, 0.01 otherwise; 8e-3 for the reference fit).");
        var epochs = Options.Whole("--epochs", "Epochs (default 100; 5000 for the reference fit).");
        var batch = Options.Text("--batch-size", "Examples per batch, or 'full' (default: full up to 1024 examples, else 64).");
        var valSplit = Options.Number("--val-split", "Fraction held out for validation, e.g. 0.2.");
        var schedule = Options.Text("--schedule", "Learning-rate schedule: step:factor=0.5,every=1000 | multistep:at=1000/3000,factor=0.1 | cosine:steps=N | cosine-restarts:period=100,mult=2 | plateau:factor=0.1,patience=10 (on the validation loss, else the training loss) | exponential | polynomial | warmup | onecycle.");
        var stop = Options.Many("--stop", "Stopping rule (repeatable), e.g. plateau:window=50,slope=1e-6 or patience:10.");
        var seed = Options.Whole("--seed", "Random seed (default 0).");
        var checkpoint = Options.Text("--checkpoint", "Save a checkpoint here (see --checkpoint-every), at the end, and when stopped (mid-epoch too); the epoch history goes beside it to PATH.history.jsonl.");
        var checkpointEvery = Options.Text("--checkpoint-every", "With --checkpoint: N epochs, or a least time between checkpoints such as 1s, 30s, 5m (default 1s).");
        var resume = Options.Text("--resume", "Resume from this checkpoint, exactly where it stopped (even mid-epoch), with the run's settings it keeps (data, model, layers, optimizer, lr, …: options given again must agree); --epochs is the total including its epochs (default: the run's). A model file that is no checkpoint ('descent import', 'fit --save') starts a new run from its weights with a fresh optimizer.");
        var init = Options.Text("--init", "Starting parameters: default (small random values from --seed) or zeros (every parameter 0, as the lesson's reference fit starts).");
        var plot = Options.Text("--plot", "Write the training/validation loss curve here (.png or .svg).");
        var logEvery = Options.Whole("--log-every", "Keep every Nth epoch in the history (first and last always).");
        var track = RunFiles.Option("Record the run in this SQLite runs file (default descent-runs.db); see 'descent runs'.");
        var live = Options.Flag("--live", "Serve a live page with the loss curves and a Stop button on 127.0.0.1 and print its address.");
        var port = Options.Whole("--port", "The live page's port (default: any free port).");
        var liveExit = Options.Number("--live-exit", "With --live: when training ends, keep the page up this many seconds, then exit (default: until Ctrl-C when stderr is a terminal, at once otherwise).", "30");
        var dtype = Options.Text("--dtype", "Element type: float32 | float64 | auto (default auto: float32 for image data such as builtin:fashion-mnist and MNIST folders, float64 otherwise so reference results stay exact).");
        var scale = Options.Text("--scale", "Feature scaling, learned on the training rows and saved with the model: none | standard | minmax (default: standard for CSV data, none otherwise).");
        var task = Options.Text("--task", "How to read a CSV target: regression | classification (default: inferred — class names or a few whole numbers are classes).");
        var initFrom = Options.Text("--init-from", "Start from this model file's parameters (written by 'descent fit --save' or 'descent import') and keep its feature scaling: fine-tuning.");
        var save = Options.Text("--save", "Write the trained model (architecture, weights, scaling, class labels) to this file, e.g. model.safetensors; use it with 'descent predict'.");
        var gradients = new GradientFlags();
        var workers = Options.Whole("--workers", "Data-parallel training on N worker processes started on this machine (an Orleans cluster on loopback); the result equals training without it (docs/distributed.md).");
        var cluster = Options.Text("--cluster", "Data-parallel training on a running cluster: HOST:PORT of its primary silo (started with 'descent worker --port PORT'); docs/distributed.md.");
        var command = new Command("fit", "Train a model. With no --data, fits the reference linear regression (half-MSE, lr 8e-3, 5000 full-batch epochs).")
        {
            data, features, target, model, hidden, loss, optimizer, lr, epochs, batch, valSplit, schedule, stop, seed, checkpoint, resume, plot, logEvery, track, live, port, dtype,
            init, checkpointEvery, scale, task, save, layers, liveExit, initFrom, workers, cluster, augment,
        };
        gradients.AddTo(command);
        var labels = RunLabels.AddTo(command);
        command.SetAction(p =>
        {
            var settings = new FitSettings
            {
                Data = p.GetValue(data),
                Features = Options.List(p.GetValue(features)),
                Target = p.GetValue(target),
                Model = p.GetValue(model),
                Hidden = Options.Ints("--hidden", p.GetValue(hidden)),
                Layers = p.GetValue(layers),
                Augment = p.GetValue(augment),
                Loss = p.GetValue(loss),
                Optimizer = p.GetValue(optimizer) ?? "",
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
                Init = p.GetValue(init),
                CheckpointEvery = p.GetValue(checkpointEvery),
                Scale = p.GetValue(scale),
                Task = p.GetValue(task),
                Save = p.GetValue(save),
                Gradients = gradients.Read(p),
                InitFrom = p.GetValue(initFrom),
                Workers = p.GetValue(workers),
                Cluster = p.GetValue(cluster),
            };
            // --resume CHECKPOINT: what the command line leaves out comes from the checkpoint; what contradicts it is refused.
            settings = FitResume.Apply(settings, p.GetValue(seed), p.GetValue(valSplit), out string? taken);
            if (taken is not null) context.Error.WriteLine($"note: resuming '{settings.Resume}' with its settings: {taken}");
            if (settings.Workers is < 1 or > 256) throw new UsageException($"--workers {settings.Workers}: use 1 to 256 worker processes.");
            if (settings.Optimizer.Length == 0) settings = settings with { Optimizer = FitCore.DefaultOptimizerOf(settings) };
            FitCore.ScalingOf(settings); // a bad --scale is a usage error before any data is read
            FitCore.CheckAugmentSyntax(settings.Augment); // so is a misspelt --augment (its sizes are checked against the images later)
            CheckSavePath(settings);
            int every = p.GetValue(logEvery) ?? 1;
            if (every < 1) throw new UsageException("--log-every must be at least 1.");
            int? livePort = p.GetValue(port);
            bool liveOn = p.GetValue(live);
            if (livePort is not null && !liveOn) throw new UsageException("--port goes with --live, e.g. --live --port 8080.");
            if (livePort is < 0 or > 65535) throw new UsageException($"--port {livePort}: use 0 to 65535 (0: any free port).");
            double? exitAfter = p.GetValue(liveExit);
            if (exitAfter is not null && !liveOn) throw new UsageException("--live-exit goes with --live, e.g. --live --live-exit 30.");
            if (exitAfter is < 0 or > 86400 || exitAfter is double x && !double.IsFinite(x)) throw new UsageException($"--live-exit {exitAfter}: give seconds from 0 to 86400, e.g. --live-exit 30.");
            string? trackPath = RunFiles.PathOf(p, track);
            var (name, tags) = labels.Read(p, trackPath is not null || liveOn, "--track or --live");
            var observe = new FitObservers(trackPath, liveOn ? livePort ?? 0 : null) { LinesEvery = p.GetValue(logEvery), Name = name, Tags = tags, LiveExit = exitAfter };
            CheckFiles(settings, p.GetValue(plot), observe.TrackPath);
            settings = FitCore.ResumeModelFile(settings, out string? resumeNote);
            if (resumeNote is not null) context.Error.WriteLine("note: " + resumeNote);
            return Run(context, settings, p.GetValue(Root.Json), every, p.GetValue(plot), observe);
        });
        return command;
    }

    /// <summary>
    /// Checks every output before any data is read or any epoch trained: the figure's extension and folder, and that no
    /// output (--checkpoint, --plot, --track) is the data file, the resumed checkpoint (except --checkpoint, which may
    /// continue the file it resumes) or another output.
    /// </summary>
    internal static void CheckFiles(FitSettings settings, string? plotPath, string? trackPath)
    {
        OutputFiles.Figure("--plot", plotPath);
        OutputFiles.Check(
            [new("--checkpoint", settings.Checkpoint), new("--plot", plotPath), new("--track", trackPath), new("--save", settings.Save)],
            [new("--data", DataSources.FilePath(settings.Data)), new("--resume", settings.Resume), new("--init-from", settings.InitFrom)],
            ("--checkpoint", "--resume"));
    }

    /// <summary>Refuses a <c>--save</c> path that names an input or the checkpoint: the model file must never replace them.</summary>
    internal static void CheckSavePath(FitSettings s)
    {
        if (s.Save is null) return;
        if (string.IsNullOrWhiteSpace(s.Save)) throw new UsageException("--save needs a file name, e.g. --save model.safetensors.");
        if (Directory.Exists(s.Save)) throw new UsageException($"--save '{s.Save}' is a folder; give a file name, e.g. --save {Path.Combine(s.Save, "model.safetensors")}.");
        string target = Path.GetFullPath(s.Save);
        foreach (var (option, path) in new[] { ("--data", s.Data), ("--resume", s.Resume), ("--checkpoint", s.Checkpoint) })
            if (path is not null && !path.Contains(':', StringComparison.Ordinal) && string.Equals(Path.GetFullPath(path), target, StringComparison.Ordinal))
                throw new UsageException($"--save '{s.Save}' is the same file as {option}; writing the model there would destroy it. Choose another name, e.g. --save model.safetensors.");
    }

    /// <summary>What watches a fit: a runs file to record into (<c>--track</c>), a live page's port (<c>--live</c>).</summary>
    internal sealed record FitObservers(string? TrackPath, int? LivePort)
    {
        /// <summary><c>--log-every</c> when given: progress lines every that many epochs instead of about ten a decade.</summary>
        public int? LinesEvery { get; init; }

        /// <summary><c>--name</c>: the run's name when recorded and on the live page.</summary>
        public string? Name { get; init; }

        /// <summary><c>--tag</c>s, kept in the run's settings.</summary>
        public string[] Tags { get; init; } = [];

        /// <summary><c>--live-exit</c>: seconds the page stays after training, or null (until Ctrl-C on a terminal, else none).</summary>
        public double? LiveExit { get; init; }
    }

    /// <summary>The settings of a fit as recorded with its run and shown on the live page.</summary>
    internal static JsonObject SettingsJson(FitSettings s, int epochs) => new JsonObject()
        .With("dtype", DataSources.Name(FitCore.DTypeOf(s)))
        .With("data", s.Data ?? "builtin:seed-linear (reference)").With("features", s.Features).With("target", s.Target)
        .With("model", s.Model).With("hidden", s.Hidden).With("layers", s.Layers).With("augment", s.Augment).With("loss", s.Loss).With("optimizer", s.Optimizer)
        .With("lr", FitCore.LearningRateOf(s)).With("epochs", epochs)
        .With("batch_size", s.BatchSize).With("val_split", s.ValSplit).With("schedule", s.Schedule).With("stop", s.Stops)
        .With("seed", s.Seed).With("checkpoint", s.Checkpoint).With("resume", s.Resume).With("init", s.Init).With("init_from", s.InitFrom)
        .With("scale", FeatureScaling.Name(FitCore.ScalingOf(s))).With("task", s.Task).With("save", s.Save)
        .With("gradients", s.Gradients.Describe());

    private static int Run(CliContext context, FitSettings settings, bool json, int logEvery, string? plotPath, FitObservers observe)
        => FitCore.DTypeOf(settings) == DType.Float32
            ? Run<float>(context, settings, json, logEvery, plotPath, observe)
            : Run<double>(context, settings, json, logEvery, plotPath, observe);

    private static int Run<T>(CliContext context, FitSettings settings, bool json, int logEvery, string? plotPath, FitObservers observe)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var data = FitCore.LoadData<T>(settings);
        if (data.TaskNote is { } note) context.Error.WriteLine("note: " + note);
        if (data.Note is { } dataNote) context.Error.WriteLine("note: " + dataNote);
        int total = settings.Epochs ?? (settings.Data is null ? FitCore.ReferenceEpochs : 100);
        var settingsJson = RunLabels.WithTags(SettingsJson(settings, total), observe.Tags);
        string runName = observe.Name ?? "fit " + (settings.Data ?? "reference");
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
                        Name = runName,
                        Settings = (JsonObject)settingsJson.DeepClone(),
                        Seed = settings.Seed,
                        CheckpointPath = settings.Checkpoint is null ? null : Path.GetFullPath(settings.Checkpoint),
                    });
                if (page is not null) liveRun = page.Attach(trainer, runName, (JsonObject)settingsJson.DeepClone(), total);
            }
            var cancellation = page is null ? context.Cancellation : stop.Token;
            var outcome = Train(context, settings, data, json, total, cancellation, Configure, observe.LinesEvery);
            if (settings.Save is not null && outcome.SavedTo is null)
                context.Error.WriteLine($"note: the run diverged, so no model was written to {settings.Save}; lower --lr or scale the features (--scale standard).");
            tracked?.Complete(outcome.History);
            liveRun?.Complete(outcome.History);
            int code = RunFiles.ReportLostRecord(context, tracked, Finish(context, outcome, json, logEvery, plotPath, clock.Elapsed.TotalSeconds));
            if (tracked is not null) (json ? context.Error : context.Output).WriteLine(RunFiles.Recorded(tracked.RunId, observe.TrackPath!));
            if (page is not null) KeepServing(context, page, observe.LiveExit);
            return code;
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

    /// <summary>
    /// After training, the live page stays up with the final curves: for <c>--live-exit</c> seconds, or, without it,
    /// until Ctrl-C when stderr is a terminal (a script's or a test's run is not held up). Ctrl-C always ends the wait.
    /// </summary>
    private static void KeepServing(CliContext context, LiveDashboard page, double? seconds)
    {
        if (context.Cancellation.IsCancellationRequested) return;
        if (seconds is double s)
        {
            if (s <= 0) return;
            context.Error.WriteLine($"Training ended; the live page stays at {page.Address} for {Points.Show(s)} s (Ctrl+C to exit now).");
            context.Error.Flush();
            context.Cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(s));
            return;
        }
        if (!context.Live) return;
        context.Error.WriteLine($"Training ended; the live page stays at {page.Address} with the final curves. Press Ctrl+C to exit (--live-exit SECONDS exits by itself).");
        context.Error.Flush();
        context.Cancellation.WaitHandle.WaitOne();
    }

    private static FitOutcome Train<T>(CliContext context, FitSettings settings, LoadedData<T> data, bool json, int total, CancellationToken cancellation, Action<Trainer<T>> configure,
        int? linesEvery)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => EpochLog.Run(context, total, linesEvery, FitCore.LearningRateOf(settings), quiet: json,
            (onEpoch, onBatch) => FitCore.Train(settings, data, cancellation, onEpoch, configure: configure, scaleInPlace: true, onBatch: onBatch), o => o.History);

    private static int Finish(CliContext context, FitOutcome outcome, bool json, int logEvery, string? plotPath, double seconds)
    {
        var history = outcome.History;
        var reason = history.StopReason!;

        if (plotPath is not null)
        {
            var train = history.Epochs.Select(e => e.TrainLoss).ToArray();
            var val = history.Epochs.All(e => e.ValidationLoss is not null) && history.Epochs.Count > 0 ? history.Epochs.Select(e => e.ValidationLoss!.Value).ToArray() : null;
            string title = $"Training {outcome.Model} ({outcome.LossName}, lr {Points.Show(outcome.LearningRate)})";
            // Classifiers with a validation split: the validation accuracy next to the loss, on a right axis.
            var accuracy = history.Epochs.Select(e => e.Metrics.GetValueOrDefault("val_accuracy", double.NaN)).ToArray();
            if (train.Length > 0 && outcome.IsClassification && accuracy.Any(double.IsFinite))
                Figures.Save(Figures.LossAndAccuracy(train, val, accuracy, title, logScale: true), plotPath);
            else if (train.Length > 0) Figures.Save(Figures.TrainValidation(train, val, title, logScale: true), plotPath);
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
            if (e.Metrics.TryGetValue("val_accuracy", out double accuracy)) entry["val_accuracy"] = Json.Number(accuracy);
            entry["learning_rate"] = Json.Number(e.LearningRate ?? outcome.LearningRate);
            entries.Add((JsonNode)entry);
        }
        return new JsonObject
        {
            ["model"] = outcome.Model,
            ["dtype"] = DataSources.Name(outcome.DType),
            ["loss"] = outcome.LossName,
            ["parameters"] = parameters,
            ["summary"] = outcome.Summary is { } summary ? new JsonObject
            {
                ["layers"] = new JsonArray(summary.Layers.Select(l => (JsonNode)new JsonObject
                {
                    ["name"] = l.Name,
                    ["type"] = l.Type,
                    ["output_shape"] = new JsonArray(l.OutputShape.Select(d => (JsonNode)d).ToArray()),
                    ["parameters"] = l.Parameters,
                }).ToArray()),
                ["parameters"] = summary.Parameters,
                ["bytes"] = summary.Bytes,
            } : null,
            ["history"] = entries,
            ["metrics"] = Json.Object(outcome.Metrics),
            ["task"] = outcome.IsClassification ? "classification" : "regression",
            ["scaling"] = outcome.Scaling,
            ["classes"] = outcome.ClassNames is { } names ? new JsonArray(names.Select(n => (JsonNode)n).ToArray()) : null,
            ["classification_report"] = outcome.Report is { } report ? ReportJson(report, outcome.ReportSplit!) : null,
            ["model_file"] = outcome.SavedTo,
            ["raw_parameters"] = outcome.RawLinear is { } raw ? new JsonObject
            {
                ["weight"] = new JsonArray(raw.Weight.Select(r => (JsonNode)Json.Array(r)).ToArray()),
                ["bias"] = Json.Array(raw.Bias),
            } : null,
            ["stop_reason"] = Human.StopName(history.StopReason!.Kind, epochs: true),
            ["stop_message"] = history.StopReason.Message,
            ["epochs_run"] = history.Epochs.Count,
            ["partial_epoch"] = history.Partial is { } part
                ? new JsonObject { ["epoch"] = part.Epoch, ["batches"] = part.Batches, ["examples"] = part.Examples, ["train_loss"] = Json.Number(part.TrainLoss) }
                : null,
            ["seconds"] = Json.Number(seconds),
            ["train_seconds"] = Json.Number(history.TrainSeconds),
            ["distributed"] = outcome.Distributed?.DeepClone(),
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

    /// <summary>A classification report as JSON: the split, accuracy, macro averages, per-class scores and the confusion matrix (rows actual, columns predicted).</summary>
    internal static JsonObject ReportJson(ClassificationReport report, string split) => new()
    {
        ["split"] = split,
        ["examples"] = report.Count,
        ["accuracy"] = Json.Number(report.Accuracy),
        ["macro_precision"] = Json.Number(report.MacroPrecision),
        ["macro_recall"] = Json.Number(report.MacroRecall),
        ["macro_f1"] = Json.Number(report.MacroF1),
        ["per_class"] = new JsonArray(report.Classes.Select(c => (JsonNode)new JsonObject
        {
            ["class"] = c.Name,
            ["precision"] = Json.Number(c.Precision),
            ["recall"] = Json.Number(c.Recall),
            ["f1"] = Json.Number(c.F1),
            ["support"] = c.Support,
        }).ToArray()),
        ["confusion_matrix"] = new JsonArray(Enumerable.Range(0, report.Confusion.GetLength(0))
            .Select(i => (JsonNode)new JsonArray(Enumerable.Range(0, report.Confusion.GetLength(1)).Select(j => (JsonNode)report.Confusion[i, j]).ToArray())).ToArray()),
    };

    /// <summary>Prints the per-class table and the confusion matrix (rows: actual class, columns: predicted).</summary>
    internal static void PrintReport(TextWriter output, ClassificationReport report, string split)
    {
        string Name(string n) => n.Length <= 16 ? n : n[..15] + "…";
        output.WriteLine($"Per class on the {split} set ({report.Count} examples, accuracy {Points.Show(report.Accuracy)}):");
        Human.Table(output, ["class", "precision", "recall", "f1", "support"], report.Classes.Select(c => new[]
        {
            Name(c.Name), Points.Show(c.Precision), Points.Show(c.Recall), Points.Show(c.F1), c.Support.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Append(["macro avg", Points.Show(report.MacroPrecision), Points.Show(report.MacroRecall), Points.Show(report.MacroF1), report.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        if (report.Classes.Count > 12) return;
        output.WriteLine("Confusion matrix (rows: actual, columns: predicted):");
        Human.Table(output, ["actual \\ predicted", .. report.Classes.Select(c => Name(c.Name))],
            report.Classes.Select((c, i) => new[] { Name(c.Name) }.Concat(Enumerable.Range(0, report.Classes.Count).Select(j => report.Confusion[i, j].ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray()));
    }

    private static void PrintHuman(TextWriter output, FitOutcome outcome, double seconds, string? plotPath)
    {
        var history = outcome.History;
        if (outcome.Summary is { } summary) output.WriteLine(summary);
        output.WriteLine($"Trained {outcome.Model} ({DataSources.Name(outcome.DType)}, {outcome.LossName} loss, learning rate {Points.Show(outcome.LearningRate)}) for {history.Epochs.Count} epochs in {seconds:F2} s (training {history.TrainSeconds:F2} s, peak memory {PeakMemoryBytes() / (1024.0 * 1024.0):F0} MiB).");
        output.WriteLine($"Stopped: {history.StopReason!.Message}");
        if (outcome.Distributed is { } d)
            output.WriteLine($"Distributed ({d["mode"]}): {d["workers"]} workers, {d["steps"]} steps; gradients {d["gradient_seconds"]!.GetValue<double>():F2} s, of which compute {d["compute_seconds"]!.GetValue<double>():F2} s and communication {d["communication_seconds"]!.GetValue<double>():F2} s; {d["faults"]!.AsArray().Count} worker calls retried.");
        var rows = new List<string[]>();
        foreach (var p in outcome.Parameters)
        {
            var values = p.Values;
            string shown = values.Length <= 8 ? string.Join(", ", values.Select(Points.Show)) : $"{values.Length} values, mean {Points.Show(values.Average())}";
            rows.Add([p.Name, "[" + string.Join(", ", p.Shape) + "]", shown]);
        }
        Human.Table(output, ["parameter", "shape", "values"], rows);
        Human.Table(output, ["metric", "value"], outcome.Metrics.Select(kv => new[] { kv.Key, Points.Show(kv.Value) }));
        if (outcome.RawLinear is { } raw && outcome.Names is var (featureNames, targetNames))
            for (int j = 0; j < raw.Bias.Length; j++)
                output.WriteLine($"In the data's units: {targetNames[j]} = " + string.Join(" ", featureNames.Select((f, i) => $"{(raw.Weight[i][j] < 0 ? "−" : "+")} {Points.Show(Math.Abs(raw.Weight[i][j]))}·{f}")).TrimStart('+', ' ')
                    + $" {(raw.Bias[j] < 0 ? "−" : "+")} {Points.Show(Math.Abs(raw.Bias[j]))}");
        if (outcome.Report is { } report) PrintReport(output, report, outcome.ReportSplit!);
        if (outcome.SavedTo is { } saved) output.WriteLine($"Model written to {saved} (use it with: descent predict {saved} --data …)");
        if (plotPath is not null) output.WriteLine($"Loss curve written to {plotPath}");
    }
}
