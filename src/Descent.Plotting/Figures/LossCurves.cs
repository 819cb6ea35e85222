using ScottPlot;

namespace Descent.Plotting;

public static partial class Figures
{
    /// <summary>
    /// Loss against the step for several runs side by side, typically one per learning rate spread over orders
    /// of magnitude (0.001, 0.01, 0.1, 1): which rates crawl, which converge, which diverge.
    /// A run whose loss turns NaN or infinite is drawn up to its last finite value, marked with a red cross
    /// and the word "diverged", and its legend entry says at which step. On a log axis
    /// (<paramref name="logScale"/>, see <see cref="LogAxis"/>) losses of zero or below are left out.
    /// </summary>
    /// <param name="series">One (label, losses) pair per run; losses[k] is the loss after step k.</param>
    /// <param name="logScale">Plot the loss on a log axis (the default: losses span decades).</param>
    /// <param name="title">The figure's title.</param>
    /// <param name="xLabel">The horizontal axis label.</param>
    /// <param name="yLabel">The vertical axis label.</param>
    /// <param name="firstStep">The step number of each series' first value (0 for steps from the start, 1 for epochs).</param>
    /// <returns>The figure; save it with <see cref="Save"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="series"/> is empty or holds a null label or array.</exception>
    /// <example><code>Figures.LossCurves([("η = 0.01", slow), ("η = 0.1", good), ("η = 1", diverged)]);</code></example>
    public static Plot LossCurves(IReadOnlyList<(string label, double[] losses)> series, bool logScale = true,
        string title = "Loss for several learning rates", string xLabel = "step", string yLabel = "loss", int firstStep = 0)
    {
        ValidateSeries(series, nameof(series));
        var plot = NewPlot(title, xLabel, yLabel);
        AddStepSeries(plot, series, logScale, firstStep, xLabel == "epoch" ? "epoch" : "step");
        ShowLegend(plot, Alignment.UpperRight);
        return plot;
    }
}
