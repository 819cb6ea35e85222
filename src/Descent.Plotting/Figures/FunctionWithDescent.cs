using ScottPlot;

namespace Descent.Plotting;

public static partial class Figures
{
    /// <summary>
    /// A 1-D function with a descent on it: the curve of <paramref name="f"/> over a range that covers every
    /// point with a margin, the points <c>(xₖ, f(xₖ))</c> marked and numbered 0, 1, 2, …, and an arrow from
    /// each point to the next. A descent that diverged (a NaN or infinite point) is drawn up to its last
    /// finite point, which is marked "diverged". With many points, only every few are numbered.
    /// </summary>
    /// <param name="f">The function descended; non-finite values are left out of the curve.</param>
    /// <param name="points">The iterates x₀, x₁, … in order (at least one).</param>
    /// <param name="title">The figure's title.</param>
    /// <param name="xLabel">The horizontal axis label.</param>
    /// <param name="yLabel">The vertical axis label.</param>
    /// <returns>The figure; save it with <see cref="Save"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="points"/> is empty or its first point is not finite.</exception>
    /// <example><code>Figures.FunctionWithDescent(x => x * x, [2, 1.2, 0.72], "x², learning rate 0.2");</code></example>
    public static Plot FunctionWithDescent(Func<double, double> f, double[] points,
        string title = "Gradient descent on f(x)", string xLabel = "x", string yLabel = "f(x)")
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(points);
        int finite = FiniteLength(points);
        if (finite == 0)
        {
            throw new ArgumentException(
                "Give at least one finite point: the descent's iterates x₀, x₁, … in order.", nameof(points));
        }

        var plot = NewPlot(title, xLabel, yLabel);
        double[] xs = points[..finite];
        double[] ys = xs.Select(f).ToArray();

        // The curve: the range of the points, widened by 25% on each side (or ±1 around a single point).
        double low = xs.Min(), high = xs.Max();
        double margin = high > low ? 0.25 * (high - low) : Math.Max(1, Math.Abs(low) * 0.5);
        double[] curveXs = Enumerable.Range(0, 401).Select(i => low - margin + i * (high - low + 2 * margin) / 400).ToArray();
        double[] curveYs = curveXs.Select(f).ToArray();
        int[] keep = Enumerable.Range(0, curveXs.Length).Where(i => double.IsFinite(curveYs[i])).ToArray();
        var curve = plot.Add.ScatterLine(keep.Select(i => curveXs[i]).ToArray(), keep.Select(i => curveYs[i]).ToArray(), Colors.SteelBlue);
        curve.LineWidth = 2;
        curve.LegendText = yLabel;

        // Arrows between consecutive iterates whose values are finite.
        var pathColor = Colors.OrangeRed;
        for (int k = 0; k + 1 < xs.Length; k++)
        {
            if (!double.IsFinite(ys[k]) || !double.IsFinite(ys[k + 1]))
                continue;
            if (xs[k] == xs[k + 1] && ys[k] == ys[k + 1])
                continue;
            var arrow = plot.Add.Arrow(xs[k], ys[k], xs[k + 1], ys[k + 1]);
            arrow.ArrowLineColor = pathColor;
            arrow.ArrowFillColor = pathColor;
            arrow.ArrowLineWidth = 0;
            arrow.ArrowWidth = 2;
            arrow.ArrowheadWidth = 12;
            arrow.ArrowheadLength = 14;
            arrow.ArrowheadAxisLength = 14;
            arrow.ArrowMinimumLength = 0;
            arrow.ArrowOffset = 4; // stop short of the marker so the head stays visible
        }

        int[] drawn = Enumerable.Range(0, xs.Length).Where(i => double.IsFinite(ys[i])).ToArray();
        var marks = plot.Add.Markers(drawn.Select(i => xs[i]).ToArray(), drawn.Select(i => ys[i]).ToArray(),
            MarkerShape.FilledCircle, 8, pathColor);
        marks.LegendText = drawn.Length == 1 ? "iterate" : $"iterates 0…{xs.Length - 1}";

        // Number the iterates, skipping any that would sit on top of a number already placed
        // (iterates bunch up near the minimum), measured as a fraction of the plotted ranges.
        double ySpan = Math.Max(1e-300, drawn.Max(i => ys[i]) - drawn.Min(i => ys[i]));
        double xSpan = high - low + 2 * margin;
        var numbered = new List<int>();
        for (int k = 0; k < xs.Length; k++)
        {
            if (!double.IsFinite(ys[k]))
                continue;
            if (numbered.Any(j => Math.Abs(xs[j] - xs[k]) < 0.035 * xSpan && Math.Abs(ys[j] - ys[k]) < 0.05 * ySpan))
                continue;
            numbered.Add(k);
            var number = plot.Add.Text(k.ToString(System.Globalization.CultureInfo.InvariantCulture), xs[k], ys[k]);
            number.LabelFontSize = 13;
            number.LabelBold = true;
            number.LabelFontColor = Colors.Black;
            number.LabelAlignment = Alignment.LowerLeft;
            number.OffsetX = 5;
            number.OffsetY = -5;
        }

        if (finite < points.Length)
        {
            var last = plot.Add.Marker(xs[^1], double.IsFinite(ys[^1]) ? ys[^1] : 0, MarkerShape.Eks, 14, DivergedColor);
            last.LineWidth = 3;
            last.LegendText = $"diverged after iterate {finite - 1}";
        }

        plot.Axes.AutoScale();
        plot.Axes.Margins(0.05, 0.12);
        plot.Axes.AutoScale();
        ShowLegend(plot, Alignment.UpperCenter);
        return plot;
    }
}
