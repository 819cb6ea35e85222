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
        ArgumentNullException.ThrowIfNull(trajectory);
        return ContourWithTrajectories(f, [(null, trajectory)], title, xLabel, yLabel, levels);
    }

    /// <summary>
    /// Several descents on one map of <paramref name="f"/>, for example one per optimizer from the same start: each
    /// path in its own colour, named in the legend with its step count and end point. Otherwise as
    /// <see cref="ContourWithTrajectory"/>: shaded map with quantile contour lines over the area of every path, equal
    /// units on both axes (a circle looks round), start circled, ends squared, diverged paths crossed.
    /// </summary>
    /// <param name="f">The function, <c>f(x, y)</c>; non-finite values leave holes in the map.</param>
    /// <param name="trajectories">One (label, iterates) pair per descent; each starts with a finite point. A null label
    /// names the path "trajectory".</param>
    /// <param name="title">The figure's title.</param>
    /// <param name="xLabel">The horizontal axis label.</param>
    /// <param name="yLabel">The vertical axis label.</param>
    /// <param name="levels">How many contour lines to draw (1 to 50).</param>
    /// <returns>The figure; save it with <see cref="Save"/>.</returns>
    /// <exception cref="ArgumentException">No trajectory, or one that is empty or starts with a non-finite point.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="levels"/> is outside 1…50.</exception>
    /// <example><code>Figures.ContourWithTrajectories((x, y) => x * x + 10 * y * y, [("gd", gdPath), ("adam", adamPath)]);</code></example>
    public static Plot ContourWithTrajectories(Func<double, double, double> f, IReadOnlyList<(string? label, (double x, double y)[] path)> trajectories,
        string title = "Descents on f(x, y)", string xLabel = "x", string yLabel = "y", int levels = 12)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(trajectories);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(levels, 50);
        if (trajectories.Count == 0)
            throw new ArgumentException("Give at least one (label, iterates) trajectory.", nameof(trajectories));
        var finiteCounts = new int[trajectories.Count];
        for (int t = 0; t < trajectories.Count; t++)
        {
            var trajectory = trajectories[t].path ?? throw new ArgumentException($"Trajectory {t} is null.", nameof(trajectories));
            int finite = 0;
            while (finite < trajectory.Length && double.IsFinite(trajectory[finite].x) && double.IsFinite(trajectory[finite].y))
                finite++;
            if (finite == 0)
            {
                throw new ArgumentException(
                    "Give at least one finite point: the descent's iterates (x₀, y₀), (x₁, y₁), … in order.", nameof(trajectories));
            }
            finiteCounts[t] = finite;
        }

        var plot = NewPlot(title, xLabel, yLabel);
        var all = trajectories.SelectMany((t, i) => t.path[..finiteCounts[i]]).ToArray();
        var (left, right) = PaddedRange(all.Min(p => p.x), all.Max(p => p.x));
        var (bottom, top) = PaddedRange(all.Min(p => p.y), all.Max(p => p.y));
        // Equal units: widen the narrower range so one unit is as long across as up (for the default 800×600 figure,
        // whose data area is about 700×480 pixels; near enough at other sizes of the same shape).
        const double aspect = 700.0 / 480.0;
        double xSpan = right - left, ySpan = top - bottom;
        if (xSpan / ySpan < aspect)
        {
            double grow = (ySpan * aspect - xSpan) / 2;
            (left, right) = (left - grow, right + grow);
        }
        else
        {
            double grow = (xSpan / aspect - ySpan) / 2;
            (bottom, top) = (bottom - grow, top + grow);
        }

        // Sample f on a grid of cell centres a little beyond the view (rows from the top, heatmap order), so the map still
        // fills the plot when the legend needs the view raised.
        double mapLeft = left - 0.4 * (right - left), mapRight = right + 0.4 * (right - left);
        double mapBottom = bottom - 0.25 * (top - bottom), mapTop = top + 0.7 * (top - bottom);
        const int columns = 120, rows = 100;
        double dx = (mapRight - mapLeft) / columns, dy = (mapTop - mapBottom) / rows;
        var values = new double[rows, columns];
        var points = new List<Coordinates3d>(rows * columns);
        var visible = new List<double>(rows * columns);
        for (int r = 0; r < rows; r++)
        {
            double y = mapTop - (r + 0.5) * dy;
            for (int c = 0; c < columns; c++)
            {
                double x = mapLeft + (c + 0.5) * dx;
                double z = f(x, y);
                values[r, c] = double.IsFinite(z) ? z : double.NaN;
                if (!double.IsFinite(z))
                    continue;
                points.Add(new Coordinates3d(x, y, z));
                if (x >= left && x <= right && y >= bottom && y <= top)
                    visible.Add(z);
            }
        }

        // Levels and shades by rank among the values in view, so the colours spread over any range of f.
        double[] sorted = visible.Order().ToArray();
        if (sorted.Length > 0)
        {
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
            heatmap.Extent = new CoordinateRect(mapLeft, mapRight, mapBottom, mapTop);
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

        Color[] palette = [Colors.OrangeRed, Colors.DarkViolet, Colors.ForestGreen, Colors.DarkGoldenRod, Colors.DeepPink, Colors.Teal, Colors.SaddleBrown];
        bool single = trajectories.Count == 1;
        var starts = new HashSet<(double, double)>();
        for (int t = 0; t < trajectories.Count; t++)
        {
            var (label, trajectory) = trajectories[t];
            int finite = finiteCounts[t];
            double[] xs = trajectory[..finite].Select(p => p.x).ToArray();
            double[] ys = trajectory[..finite].Select(p => p.y).ToArray();
            var color = palette[t % palette.Length];
            var path = plot.Add.ScatterLine(xs, ys, color);
            path.LineWidth = 2;
            path.MarkerShape = MarkerShape.FilledCircle;
            path.MarkerSize = xs.Length > 60 ? 3 : single ? 6 : 4;
            string name = label ?? "trajectory";
            string end = finite < trajectory.Length
                ? $"diverged after step {finite - 1}"
                : $"end ({Format(xs[^1])}, {Format(ys[^1])})";
            path.LegendText = single ? $"{name} ({xs.Length - 1} steps)"
                : finite < trajectory.Length ? $"{name}: {end}" : $"{name}: {xs.Length - 1} steps → ({Format(xs[^1])}, {Format(ys[^1])})";

            if (starts.Add((xs[0], ys[0])))
            {
                var start = plot.Add.Marker(xs[0], ys[0], MarkerShape.FilledCircle, 14, Colors.ForestGreen);
                start.LegendText = t == 0 ? $"start ({Format(xs[0])}, {Format(ys[0])})" : "";
            }
            if (finite < trajectory.Length)
            {
                var cross = plot.Add.Marker(xs[^1], ys[^1], MarkerShape.Eks, 16, DivergedColor);
                cross.LineWidth = 3;
                cross.LegendText = single ? end : "";
            }
            else
            {
                var square = plot.Add.Marker(xs[^1], ys[^1], MarkerShape.FilledSquare, single ? 12 : 10, single ? Colors.Black : color);
                square.LegendText = single ? end : "";
            }
        }

        plot.Axes.SetLimits(left, right, bottom, top);
        ShowLegend(plot, Alignment.UpperRight);
        // The legend may have raised the top to make room: widen x alike so units stay equal.
        double raised = (plot.Axes.Left.Max - plot.Axes.Left.Min) / (top - bottom);
        if (raised > 1 + 1e-9)
        {
            double middle = (left + right) / 2, half = (right - left) / 2 * raised;
            plot.Axes.SetLimitsX(middle - half, middle + half);
        }
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
