using ScottPlot;

namespace Descent.Plotting;

public static partial class Figures
{
    /// <summary>
    /// A 2-D function as a shaded map with contour lines, and a descent's trajectory on it: the path through
    /// the iterates, a circle at the start and a square at the end. The map covers the trajectory with a 20%
    /// margin. Contour levels are quantiles of the function over that map, so steep functions (Rosenbrock)
    /// still get lines near their valley; the shading follows the same ranks (light = low).
    /// A trajectory that diverged is drawn up to its last finite point, which is marked "diverged".
    /// </summary>
    /// <param name="f">The function, <c>f(x, y)</c>; non-finite values leave holes in the map.</param>
    /// <param name="trajectory">The iterates in order (at least one, the first finite).</param>
    /// <param name="title">The figure's title.</param>
    /// <param name="xLabel">The horizontal axis label.</param>
    /// <param name="yLabel">The vertical axis label.</param>
    /// <param name="levels">How many contour lines to draw (1 to 50).</param>
    /// <returns>The figure; save it with <see cref="Save"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="trajectory"/> is empty or starts with a non-finite point.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="levels"/> is outside 1…50.</exception>
    /// <example><code>Figures.ContourWithTrajectory((x, y) => x * x + 10 * y * y, [(2, 1), (1.6, -0.2), (1.28, 0.04)]);</code></example>
    public static Plot ContourWithTrajectory(Func<double, double, double> f, (double x, double y)[] trajectory,
        string title = "Gradient descent on f(x, y)", string xLabel = "x", string yLabel = "y", int levels = 12)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(levels, 50);
        int finite = 0;
        while (finite < trajectory.Length && double.IsFinite(trajectory[finite].x) && double.IsFinite(trajectory[finite].y))
            finite++;
        if (finite == 0)
        {
            throw new ArgumentException(
                "Give at least one finite point: the descent's iterates (x₀, y₀), (x₁, y₁), … in order.", nameof(trajectory));
        }

        var plot = NewPlot(title, xLabel, yLabel);
        double[] xs = trajectory[..finite].Select(p => p.x).ToArray();
        double[] ys = trajectory[..finite].Select(p => p.y).ToArray();
        var (left, right) = PaddedRange(xs.Min(), xs.Max());
        var (bottom, top) = PaddedRange(ys.Min(), ys.Max());

        // Sample f on a grid of cell centres; rows run from the top (heatmap order).
        const int columns = 80, rows = 80;
        double dx = (right - left) / columns, dy = (top - bottom) / rows;
        var values = new double[rows, columns];
        var points = new List<Coordinates3d>(rows * columns);
        for (int r = 0; r < rows; r++)
        {
            double y = top - (r + 0.5) * dy;
            for (int c = 0; c < columns; c++)
            {
                double x = left + (c + 0.5) * dx;
                double z = f(x, y);
                values[r, c] = double.IsFinite(z) ? z : double.NaN;
                if (double.IsFinite(z))
                    points.Add(new Coordinates3d(x, y, z));
            }
        }

        double[] sorted = points.Select(p => p.Z).Order().ToArray();
        if (sorted.Length > 0)
        {
            // Shading by rank: each cell's quantile in [0, 1], so the colours spread over any range of f.
            var shade = new double[rows, columns];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    double z = values[r, c];
                    shade[r, c] = double.IsNaN(z) ? double.NaN : RankOf(sorted, z);
                }
            }
            var heatmap = plot.Add.Heatmap(shade);
            heatmap.Extent = new CoordinateRect(left, right, bottom, top);
            heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed();
            heatmap.Opacity = 0.55;
            heatmap.NaNCellColor = Colors.Transparent;
        }

        double[] contourLevels = QuantileLevels(sorted, levels);
        if (contourLevels.Length > 0 && points.Count >= 3)
        {
            var contours = new ScottPlot.Plottables.ContourLines { ContourLineLevels = contourLevels };
            contours.Update(points);
            contours.LineColor = Colors.Black.WithAlpha(0.55);
            contours.LineWidth = 1;
            contours.LabelStyle.FontSize = 10;
            contours.LabelStyle.FontName = PlotFonts.FontName;
            plot.Add.Plottable(contours);
        }

        var pathColor = Colors.OrangeRed;
        var path = plot.Add.ScatterLine(xs, ys, pathColor);
        path.LineWidth = 2;
        path.MarkerShape = MarkerShape.FilledCircle;
        path.MarkerSize = xs.Length > 60 ? 3 : 6;
        path.LegendText = $"trajectory ({xs.Length - 1} steps)";

        var start = plot.Add.Marker(xs[0], ys[0], MarkerShape.FilledCircle, 14, Colors.ForestGreen);
        start.LegendText = $"start ({Format(xs[0])}, {Format(ys[0])})";
        if (finite < trajectory.Length)
        {
            var end = plot.Add.Marker(xs[^1], ys[^1], MarkerShape.Eks, 16, DivergedColor);
            end.LineWidth = 3;
            end.LegendText = $"diverged after step {finite - 1}";
        }
        else
        {
            var end = plot.Add.Marker(xs[^1], ys[^1], MarkerShape.FilledSquare, 12, Colors.Black);
            end.LegendText = $"end ({Format(xs[^1])}, {Format(ys[^1])})";
        }

        ShowLegend(plot, Alignment.UpperRight);
        plot.Axes.SetLimits(left, right, bottom, top);
        return plot;
    }

    /// <summary>[min, max] widened by 20% of its span on each side; ±1 around a single value.</summary>
    private static (double Low, double High) PaddedRange(double min, double max)
    {
        double span = max - min;
        double pad = span > 0 ? 0.2 * span : Math.Max(1, 0.5 * Math.Abs(min));
        return (min - pad, max + pad);
    }

    /// <summary>The fraction of <paramref name="sorted"/> at or below <paramref name="value"/>, in [0, 1].</summary>
    private static double RankOf(double[] sorted, double value)
    {
        int index = Array.BinarySearch(sorted, value);
        if (index < 0)
            index = ~index;
        return sorted.Length == 1 ? 0 : (double)index / (sorted.Length - 1);
    }

    /// <summary>
    /// <paramref name="count"/> distinct contour levels at evenly spaced quantiles of the sampled values,
    /// skipping the extremes (a line at the very minimum or maximum is a dot or the frame).
    /// </summary>
    private static double[] QuantileLevels(double[] sorted, int count)
    {
        if (sorted.Length < 2 || sorted[0] == sorted[^1])
            return [];
        var result = new SortedSet<double>();
        for (int k = 1; k <= count; k++)
        {
            double q = (double)k / (count + 1);
            // Quantiles spread the lines evenly over the area; squaring q puts more of them near the minimum.
            int index = (int)Math.Round(q * q * (sorted.Length - 1));
            result.Add(sorted[index]);
        }
        return [.. result];
    }

    private static string Format(double value) =>
        value.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
}
