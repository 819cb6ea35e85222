using ScottPlot;

namespace Descent.Plotting;

public static partial class Figures
{
    /// <summary>
    /// A two-class classifier on 2-D points: the points coloured by class, the model's probability of the second class
    /// as a shaded map (blue for class 0, red for class 1, white at ½), and the decision boundary — where the probability
    /// is ½ — as a black line. Points the model gets wrong are ringed.
    /// </summary>
    /// <param name="points">The points (x₁, x₂) with their class, 0 or 1.</param>
    /// <param name="probability">The model's probability of class 1 at (x₁, x₂).</param>
    /// <param name="title">The figure's title.</param>
    /// <param name="xLabel">The horizontal axis label.</param>
    /// <param name="yLabel">The vertical axis label.</param>
    /// <returns>The figure; save it with <see cref="Save"/>.</returns>
    /// <exception cref="ArgumentException">No points, or a class other than 0 and 1.</exception>
    /// <example><code>Figures.DecisionBoundary(points, (a, b) => 1 / (1 + Math.Exp(-(w1 * a + w2 * b + c))));</code></example>
    public static Plot DecisionBoundary(IReadOnlyList<(double x, double y, int label)> points, Func<double, double, double> probability,
        string title = "Decision boundary", string xLabel = "x₁", string yLabel = "x₂")
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(probability);
        if (points.Count == 0)
            throw new ArgumentException("Give at least one (x₁, x₂, class) point.", nameof(points));
        if (points.Any(p => p.label is not (0 or 1)))
            throw new ArgumentException("Every class must be 0 or 1 (a two-class problem).", nameof(points));

        var plot = NewPlot(title, xLabel, yLabel);
        var (left, right) = PaddedRange(points.Min(p => p.x), points.Max(p => p.x));
        var (bottom, top) = PaddedRange(points.Min(p => p.y), points.Max(p => p.y));
        (left, right) = (left + 0.1 * (right - left) / 1.4, right - 0.1 * (right - left) / 1.4); // 10% margins rather than 20%
        (bottom, top) = (bottom + 0.1 * (top - bottom) / 1.4, top - 0.1 * (top - bottom) / 1.4);

        // The map reaches above the view, which rises when the legend needs room.
        double mapTop = top + 0.6 * (top - bottom);
        const int columns = 120, rows = 140;
        double dx = (right - left) / columns, dy = (mapTop - bottom) / rows;
        var map = new double[rows, columns];
        var grid = new List<Coordinates3d>(rows * columns);
        for (int r = 0; r < rows; r++)
        {
            double y = mapTop - (r + 0.5) * dy;
            for (int c = 0; c < columns; c++)
            {
                double x = left + (c + 0.5) * dx;
                double p = probability(x, y);
                map[r, c] = double.IsFinite(p) ? p : double.NaN;
                if (double.IsFinite(p))
                    grid.Add(new Coordinates3d(x, y, p));
            }
        }
        var heatmap = plot.Add.Heatmap(map);
        heatmap.Extent = new CoordinateRect(left, right, bottom, mapTop);
        heatmap.Colormap = new ScottPlot.Colormaps.Balance();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        heatmap.Opacity = 0.28;
        heatmap.NaNCellColor = Colors.Transparent;

        if (grid.Count >= 3 && grid.Any(g => g.Z < 0.5) && grid.Any(g => g.Z > 0.5))
        {
            var boundary = new ScottPlot.Plottables.ContourLines { ContourLineLevels = [0.5] };
            boundary.Update(grid);
            boundary.LineColor = Colors.Black;
            boundary.LineWidth = 3;
            boundary.LabelStyle.IsVisible = false;
            plot.Add.Plottable(boundary);
            // The contour itself has no legend entry: a manual line of the same look names it.
            var key = plot.Add.Line(double.NaN, double.NaN, double.NaN, double.NaN);
            key.LineColor = Colors.Black;
            key.LineWidth = 3;
            key.LegendText = "decision boundary (p = ½)";
        }

        Color[] colors = [Colors.RoyalBlue, Colors.Crimson];
        int wrong = 0;
        for (int label = 0; label <= 1; label++)
        {
            var mine = points.Where(p => p.label == label).ToArray();
            if (mine.Length == 0)
                continue;
            var marks = plot.Add.Markers(mine.Select(p => p.x).ToArray(), mine.Select(p => p.y).ToArray(), label == 0 ? MarkerShape.FilledCircle : MarkerShape.FilledTriangleUp, 7, colors[label]);
            marks.LegendText = $"class {label} ({mine.Length})";
        }
        var missed = points.Where(p => probability(p.x, p.y) >= 0.5 != (p.label == 1)).ToArray();
        wrong = missed.Length;
        if (wrong > 0)
        {
            var rings = plot.Add.Markers(missed.Select(p => p.x).ToArray(), missed.Select(p => p.y).ToArray(), MarkerShape.OpenCircle, 14, Colors.Black);
            rings.MarkerStyle.LineWidth = 2;
            rings.LegendText = $"misclassified ({wrong} of {points.Count})";
        }

        plot.Axes.SetLimits(left, right, bottom, top);
        ShowLegend(plot, Alignment.UpperRight);
        return plot;
    }
}
