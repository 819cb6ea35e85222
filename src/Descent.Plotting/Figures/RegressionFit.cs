using ScottPlot;

namespace Descent.Plotting;

public static partial class Figures
{
    /// <summary>
    /// A straight-line regression as a teacher draws it: the data points, the fitted line <c>y = w·x + b</c> in bold and,
    /// when given, the line at earlier epochs as faint lines (darker as training goes on), so the line can be seen
    /// swinging into place.
    /// </summary>
    /// <param name="x">The feature of each point.</param>
    /// <param name="y">The target of each point, same length as <paramref name="x"/>.</param>
    /// <param name="lines">The line (weight, bias) after some epochs, in order; the last is the fitted line drawn bold.
    /// Non-finite lines are skipped.</param>
    /// <param name="title">The figure's title.</param>
    /// <param name="xLabel">The horizontal axis label.</param>
    /// <param name="yLabel">The vertical axis label.</param>
    /// <returns>The figure; save it with <see cref="Save"/>.</returns>
    /// <exception cref="ArgumentException">No points, arrays of different lengths, or no line.</exception>
    /// <example><code>Figures.RegressionFit(x, y, [(1, 0.3, 0.1), (10, 1.1, 0.5), (5000, 0.5, 5.0)]);</code></example>
    public static Plot RegressionFit(double[] x, double[] y, IReadOnlyList<(int epoch, double weight, double bias)> lines,
        string title = "Linear regression", string xLabel = "x", string yLabel = "y")
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(lines);
        if (x.Length == 0 || x.Length != y.Length)
            throw new ArgumentException($"Give as many targets as features, at least one: {x.Length} x and {y.Length} y.", nameof(y));
        var finiteLines = lines.Where(l => double.IsFinite(l.weight) && double.IsFinite(l.bias)).ToList();
        if (finiteLines.Count == 0)
            throw new ArgumentException("Give at least one finite (epoch, weight, bias) line.", nameof(lines));

        var plot = NewPlot(title, xLabel, yLabel);
        double low = x.Min(), high = x.Max();
        double margin = high > low ? 0.08 * (high - low) : 1;
        (low, high) = (low - margin, high + margin);
        double yLow = y.Min(), yHigh = y.Max();
        double yMargin = yHigh > yLow ? 0.25 * (yHigh - yLow) : 1;

        var earlier = finiteLines.Take(finiteLines.Count - 1).ToList();
        for (int i = 0; i < earlier.Count; i++)
        {
            var (_, w, b) = earlier[i];
            var line = plot.Add.Line(low, w * low + b, high, w * high + b);
            double shade = earlier.Count == 1 ? 0.5 : 0.15 + 0.45 * i / (earlier.Count - 1);
            line.LineColor = Colors.SteelBlue.WithAlpha(shade);
            line.LineWidth = 1.5f;
            line.LegendText = i == earlier.Count - 1 ? $"the line at epochs {earlier[0].epoch} … {earlier[^1].epoch} (fainter = earlier)" : "";
        }

        var (epoch, weight, bias) = finiteLines[^1];
        var fit = plot.Add.Line(low, weight * low + bias, high, weight * high + bias);
        fit.LineColor = Colors.OrangeRed;
        fit.LineWidth = 3;
        fit.LegendText = $"fit after epoch {epoch}: y = {Format(weight)}·x {(bias < 0 ? "−" : "+")} {Format(Math.Abs(bias))}";

        var points = plot.Add.Markers(x, y, MarkerShape.FilledCircle, 10, Colors.Black);
        points.LegendText = $"data ({x.Length} points)";

        // The view follows the data, not the early lines, which may start far off.
        plot.Axes.SetLimits(low, high, yLow - yMargin, yHigh + yMargin);
        ShowLegend(plot, Alignment.UpperLeft);
        return plot;
    }
}
