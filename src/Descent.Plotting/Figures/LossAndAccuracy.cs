using ScottPlot;

namespace Descent.Plotting;

public static partial class Figures
{
    /// <summary>
    /// A classifier's training: the loss (training, and validation when given) against the epoch on the left axis, and
    /// the accuracy on a right axis from 0 to 1, so both can be read at the same epoch.
    /// </summary>
    /// <param name="train">Training loss per epoch (epoch 1 first).</param>
    /// <param name="validation">Validation loss per epoch, or <see langword="null"/>.</param>
    /// <param name="accuracy">Accuracy per epoch (validation accuracy when there is a validation set), or
    /// <see langword="null"/>; NaN entries are left out.</param>
    /// <param name="title">The figure's title.</param>
    /// <param name="logScale">Plot the loss on a log axis.</param>
    /// <param name="accuracyLabel">What the accuracy is, for the right axis and the legend.</param>
    /// <returns>The figure; save it with <see cref="Save"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="train"/> is empty.</exception>
    /// <example><code>Figures.LossAndAccuracy(trainLoss, validationLoss, validationAccuracy);</code></example>
    public static Plot LossAndAccuracy(double[] train, double[]? validation, double[]? accuracy,
        string title = "Loss and accuracy", bool logScale = false, string accuracyLabel = "validation accuracy")
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(accuracyLabel);
        if (train.Length == 0)
            throw new ArgumentException("Give the training loss of at least one epoch.", nameof(train));

        var plot = NewPlot(title, "epoch", "loss");
        List<(string label, double[] values)> series = [("training loss", train)];
        if (validation is not null)
            series.Add(("validation loss", validation));
        AddStepSeries(plot, series, logScale, firstStep: 1, stepName: "epoch");

        if (accuracy is not null)
        {
            int[] keep = Enumerable.Range(0, accuracy.Length).Where(i => double.IsFinite(accuracy[i])).ToArray();
            if (keep.Length > 0)
            {
                var line = plot.Add.ScatterLine(keep.Select(i => i + 1.0).ToArray(), keep.Select(i => accuracy[i]).ToArray(), Colors.ForestGreen);
                line.LineWidth = 2;
                line.LinePattern = LinePattern.Dashed;
                line.Axes.YAxis = plot.Axes.Right;
                line.LegendText = $"{accuracyLabel} (right axis; last {Format(accuracy[keep[^1]])})";
                if (keep.Length == 1)
                {
                    line.MarkerShape = MarkerShape.FilledCircle;
                    line.MarkerSize = 7;
                }
                plot.Axes.Right.Label.Text = accuracyLabel;
                plot.Axes.Right.Label.FontName = PlotFonts.FontName;
                double low = Math.Min(keep.Min(i => accuracy[i]), 0.5);
                // Ticks up to 1 only: an accuracy axis reading 1.1 makes no sense even where the legend needs room.
                var ticks = new ScottPlot.TickGenerators.NumericManual();
                double step = 1 - low > 0.5 ? 0.1 : 0.05;
                for (int k = 0; k * step <= 1.0 + 1e-9; k++)
                {
                    double t = 1.0 - k * step;
                    if (t < low - 1e-9) break;
                    ticks.AddMajor(t, t.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture));
                }
                plot.Axes.Right.TickGenerator = ticks;
                plot.Axes.Right.Range.Set(low - 0.03 * (1.02 - low), 1.02);
            }
        }

        ShowLegend(plot, Alignment.UpperCenter);
        return plot;
    }
}
