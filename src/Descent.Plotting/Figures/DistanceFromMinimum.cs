using ScottPlot;

namespace Descent.Plotting;

public static partial class Figures
{
    /// <summary>
    /// Distance from the minimum, <c>‖xₖ − x*‖</c>, against the step k on a log axis (see <see cref="LogAxis"/>),
    /// one line per run: linear convergence shows as a straight line, its slope the rate.
    /// A run with a NaN or infinite distance is drawn up to its last finite value, marked "diverged";
    /// a distance of exactly zero cannot be drawn on a log axis and is left out.
    /// </summary>
    /// <param name="series">One (label, distances) pair per run; distances[k] is the distance after step k.</param>
    /// <param name="title">The figure's title.</param>
    /// <param name="xLabel">The horizontal axis label.</param>
    /// <param name="yLabel">The vertical axis label.</param>
    /// <param name="firstStep">The step number of each series' first value (0: the start; 1 when counting evaluations).</param>
    /// <returns>The figure; save it with <see cref="Save"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="series"/> is empty or holds a null label or array.</exception>
    /// <example><code>Figures.DistanceFromMinimum([("lr 0.1", d1), ("lr 0.5", d2)]);</code></example>
    public static Plot DistanceFromMinimum(IReadOnlyList<(string label, double[] distances)> series,
        string title = "Distance from the minimum", string xLabel = "step", string yLabel = "distance from the minimum", int firstStep = 0)
    {
        ValidateSeries(series, nameof(series));
        var plot = NewPlot(title, xLabel, yLabel);
        AddStepSeries(plot, series, logScale: true, firstStep: firstStep, stepName: xLabel);
        ShowLegend(plot, Alignment.UpperRight);
        return plot;
    }
}
