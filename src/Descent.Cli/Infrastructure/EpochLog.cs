using System.Diagnostics;
using System.Globalization;
using Descent.Learning.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Descent.Cli.Infrastructure;

/// <summary>
/// Training progress in the manner of Keras and Lightning: one line per epoch that stays on screen (thinned for long
/// runs), and, when standard error is a terminal, a live bar under those lines with the elapsed time, the time left and
/// the samples per second. Lines go to standard error, so <c>--json</c> keeps standard output pure JSON.
/// </summary>
internal static class EpochLog
{
    /// <summary>
    /// Whether epoch <paramref name="epoch"/> of <paramref name="total"/> gets a line. With <c>--log-every k</c>
    /// (<paramref name="every"/>): every k-th epoch. Otherwise every epoch of a run of up to 30, else about ten a decade
    /// (1…10, 20, 30 … 100, 200 … 1000, …), so a 5000-epoch run prints 32 lines and the fast start is not lost.
    /// The first and the last epoch always get one.
    /// </summary>
    public static bool Keep(int epoch, int total, int? every)
    {
        if (epoch <= 1 || epoch >= total) return true;
        if (every is int k) return epoch % k == 0;
        if (total <= 30) return true;
        int scale = 1;
        while (scale <= epoch / 10) scale *= 10;
        return epoch % scale == 0;
    }

    /// <summary>
    /// The line of one epoch: <c>epoch   20/5000  loss 0.0123  val_loss 0.0150  val_accuracy 0.96  lr 0.008  1.2 ms</c>.
    /// Accuracies are shown when the run has them (classification with a validation split).
    /// </summary>
    public static string Line(EpochRecord e, int total, double learningRate)
    {
        int width = total.ToString(CultureInfo.InvariantCulture).Length;
        var line = new System.Text.StringBuilder();
        line.Append("epoch ").Append(e.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width)).Append('/').Append(total.ToString(CultureInfo.InvariantCulture));
        line.Append("  loss ").Append(Points.Show(e.TrainLoss).PadRight(11));
        if (e.ValidationLoss is double v) line.Append("  val_loss ").Append(Points.Show(v).PadRight(11));
        foreach (var (name, value) in e.Metrics.Where(m => m.Key.EndsWith("accuracy", StringComparison.Ordinal)).OrderBy(m => m.Key, StringComparer.Ordinal))
            line.Append("  ").Append(name).Append(' ').Append(value.ToString("F4", CultureInfo.InvariantCulture));
        line.Append("  lr ").Append(Points.Show(e.LearningRate ?? learningRate).PadRight(9));
        line.Append("  ").Append(Duration(e.Seconds));
        return line.ToString();
    }

    /// <summary>A duration for people: <c>85 µs</c>, <c>12.3 ms</c>, <c>1.25 s</c>, <c>2 min 05 s</c>.</summary>
    public static string Duration(double seconds) => seconds switch
    {
        < 1e-3 => (seconds * 1e6).ToString("F0", CultureInfo.InvariantCulture) + " µs",
        < 1 => (seconds * 1e3).ToString(seconds < 0.01 ? "F2" : "F1", CultureInfo.InvariantCulture) + " ms",
        < 60 => seconds.ToString("F2", CultureInfo.InvariantCulture) + " s",
        _ => $"{(int)(seconds / 60)} min {(int)(seconds % 60):00} s",
    };

    /// <summary>A rate for people: <c>850</c>, <c>12.3k</c>, <c>1.25M</c> (per second).</summary>
    public static string Rate(double perSecond) => perSecond switch
    {
        not > 0 => "–",
        < 1e4 => perSecond.ToString("F0", CultureInfo.InvariantCulture),
        < 1e6 => (perSecond / 1e3).ToString("F1", CultureInfo.InvariantCulture) + "k",
        _ => (perSecond / 1e6).ToString("F2", CultureInfo.InvariantCulture) + "M",
    };

    /// <summary>
    /// Runs <paramref name="train"/> with progress on <paramref name="context"/>'s standard error: a live bar and lines
    /// on a terminal (<see cref="CliContext.Live"/>), plain lines otherwise, nothing when <paramref name="quiet"/>
    /// (JSON output into a pipe or file). <paramref name="train"/> gets the epoch and batch callbacks to hook.
    /// </summary>
    /// <param name="context">Where progress goes.</param>
    /// <param name="total">The epochs asked for.</param>
    /// <param name="every"><c>--log-every</c>, when given.</param>
    /// <param name="learningRate">The base learning rate (shown when the trainer reports none).</param>
    /// <param name="quiet">Print nothing unless drawing live (JSON into a pipe).</param>
    /// <param name="train">Trains with the callbacks it is given and returns its outcome.</param>
    /// <param name="history">The history of that outcome (to print the last epoch when it had no line).</param>
    public static TOutcome Run<TOutcome>(CliContext context, int total, int? every, double learningRate, bool quiet,
        Func<Action<EpochRecord>, Action<BatchRecord, int>?, TOutcome> train, Func<TOutcome, History> history)
    {
        int printed = 0;
        EpochRecord? last = null;
        if (!context.Live)
        {
            if (quiet) return train(_ => { }, null);
            var result = train(e =>
            {
                last = e;
                if (!Keep(e.Epoch, total, every)) return;
                printed = e.Epoch;
                context.Error.WriteLine(Line(e, total, learningRate));
            }, null);
            var final = history(result).Epochs;
            if (final.Count > 0 && final[^1].Epoch != printed) context.Error.WriteLine(Line(final[^1], total, learningRate));
            return result;
        }

        TOutcome outcome = default!;
        var console = Human.Console(context.Error, live: true);
        var rate = new SamplesPerSecondColumn();
        console.Progress().AutoClear(true).HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), rate)
            .Start(ctx =>
            {
                var task = ctx.AddTask($"epoch 1/{total}", maxValue: total);
                // Within an epoch the bar moves by batch, at most ten times a second: a batch costs one timestamp read.
                long interval = Stopwatch.Frequency / 10, next = 0;
                outcome = train(e =>
                {
                    last = e;
                    task.Value = e.Epoch;
                    task.Description = $"epoch {e.Epoch}/{total}  loss {Points.Show(e.TrainLoss)}";
                    if (Keep(e.Epoch, total, every))
                    {
                        printed = e.Epoch;
                        console.WriteLine(Line(e, total, learningRate), Style.Plain);
                    }
                }, (b, batches) =>
                {
                    rate.Samples += b.Size;
                    if (batches <= 1) return;
                    long now = Stopwatch.GetTimestamp();
                    if (now < next) return;
                    next = now + interval;
                    task.Value = b.Epoch - 1 + (double)b.Batch / batches;
                    task.Description = $"epoch {b.Epoch}/{total}  batch {b.Batch.ToString(CultureInfo.InvariantCulture).PadLeft(batches.ToString(CultureInfo.InvariantCulture).Length)}/{batches}  loss {Points.Show(b.Loss),-11}";
                });
                var epochs = history(outcome).Epochs;
                if (epochs.Count > 0 && epochs[^1].Epoch != printed) console.WriteLine(Line(epochs[^1], total, learningRate), Style.Plain);
                task.Value = total;
            });
        return outcome;
    }

    /// <summary>A progress column showing the training samples per second since the start.</summary>
    private sealed class SamplesPerSecondColumn : ProgressColumn
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        /// <summary>The samples trained on so far (updated from the batch callback).</summary>
        public long Samples;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            double seconds = _clock.Elapsed.TotalSeconds;
            return new Text(Samples == 0 || seconds <= 0 ? "" : $"{Rate(Samples / seconds)} samples/s", new Style(Color.Grey));
        }
    }
}
