using ScottPlot;

namespace Descent.Plotting;

public static partial class Figures
{
    /// <summary>
    /// Training loss, and validation loss when given, against the epoch (1, 2, …). The epoch with the lowest
    /// validation loss is marked, since that is where early stopping would keep the model. Either series is
    /// drawn up to its first NaN or infinite value, marked "diverged".
    /// </summary>
    /// <param name="train">Training loss per epoch (epoch 1 first).</param>
    /// <param name="validation">Validation loss per epoch, or <see langword="null"/> for training loss alone.</param>
    /// <param name="title">The figure's title.</param>
    /// <param name="logScale">Plot the loss on a log axis (see <see cref="LogAxis"/>).</param>
    /// <param name="xLabel">The horizontal axis label.</param>
    /// <param name="yLabel">The vertical axis label.</param>
    /// <returns>The figure; save it with <see cref="Save"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="train"/> is empty.</exception>
    /// <example><code>Figures.TrainValidation(history.TrainLoss, history.ValidationLoss);</code></example>
    public static Plot TrainValidation(double[] train, double[]? validation,
        string title = "Training and validation loss", bool logScale = false,
        string xLabel = "epoch", string yLabel = "loss")
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Length == 0)
            throw new ArgumentException("Give the training loss of at least one epoch.", nameof(train));

        var plot = NewPlot(title, xLabel, yLabel);
        List<(string label, double[] values)> series = [("training", train)];
        if (validation is not null)
            series.Add(("validation", validation));
        AddStepSeries(plot, series, logScale, firstStep: 1, stepName: "epoch");

        if (validation is not null)
        {
            int finite = FiniteLength(validation);
            if (finite > 0)
            {
                int best = Array.IndexOf(validation, validation[..finite].Min());
                double y = logScale ? LogAxis.Transform(validation[best]) : validation[best];
                if (double.IsFinite(y))
                {
                    var mark = plot.Add.Marker(best + 1, y, MarkerShape.OpenCircle, 16, Colors.Black);
                    mark.LineWidth = 2;
                    mark.LegendText = $"lowest validation loss (epoch {best + 1}: {Format(validation[best])})";
                }
            }
        }

        ShowLegend(plot, Alignment.UpperRight);
        return plot;
    }
}
