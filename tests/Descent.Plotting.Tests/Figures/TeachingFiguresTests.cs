using ScottPlot;

namespace Descent.Plotting.Tests;

/// <summary>
/// The figures a teacher expects, checked on their data, axis limits and legends (not pixels): legends that cover no
/// data, tight log axes, equal-unit contours, the regression line, the decision boundary, accuracy next to loss, the
/// sweep on log axes with every trial in view.
/// </summary>
public class TeachingFiguresTests
{
    private static string[] LegendTexts(Plot plot) =>
        [.. plot.GetPlottables().SelectMany(p => p.LegendItems).Select(i => i.LabelText).Where(t => !string.IsNullOrEmpty(t))];

    /// <summary>Renders once so that every axis has its final limits, as when saved.</summary>
    private static Plot Rendered(Plot plot)
    {
        plot.GetImageBytes(Figures.DefaultWidth, Figures.DefaultHeight, ImageFormat.Png);
        return plot;
    }

    public static TheoryData<string> FigureNames() => [.. Samples.All().Select(s => s.name)];

    [Theory]
    [MemberData(nameof(FigureNames))]
    public void The_legend_sits_where_it_covers_no_drawn_point(string name)
    {
        var plot = Samples.All().Single(s => s.name == name).build();
        // Where the figure put it: an inside corner that the same test finds free, or outside the data area.
        var placement = Figures.LegendPlacement(plot, plot.Legend.Alignment);
        Assert.True(plot.Legend.IsVisible);
        if (placement is Alignment corner)
            Assert.Equal(corner, plot.Legend.Alignment);
        else
            Assert.Fail($"{name}: no free corner for the legend (its alignment is {plot.Legend.Alignment})");
    }

    [Fact]
    public void A_legend_over_the_only_free_corner_is_found_and_a_full_plot_gets_room_above()
    {
        // A line along the top and down the right: the upper right is taken, the lower left is free.
        var plot = Figures.LossCurves([("falls late", [100, 100, 100, 100, 100, 100, 100, 100, 100, 1e-3])], logScale: true, title: "t");
        Assert.Equal(Alignment.LowerLeft, plot.Legend.Alignment);
        // Points in every corner and the middles: the axes rise so the legend fits above the data.
        double[] zigzag = [.. Enumerable.Range(0, 41).Select(i => i % 2 == 0 ? 1.0 : 1e-6)];
        var full = Figures.LossCurves([("zig-zag", zigzag)], logScale: true, title: "t");
        var top = full.Axes.Left.Max;
        Assert.True(top > 0.3, $"the top of the axis ({top}) was not raised above the data (0)");
        Assert.NotNull(Figures.LegendPlacement(full));
    }

    [Fact]
    public void Log_axes_fit_the_data_instead_of_whole_decades()
    {
        var limits = LogAxis.TightLimits([-2.7, double.NaN, 0.3])!.Value;
        Assert.Equal(-2.82, limits.Min, 12);
        Assert.Equal(0.42, limits.Max, 12);
        var narrow = LogAxis.TightLimits([Math.Log10(0.5), Math.Log10(0.6)])!.Value;
        Assert.Equal(1.08, narrow.Max - narrow.Min, 12);
        Assert.Equal((Math.Log10(0.5) + Math.Log10(0.6)) / 2, (narrow.Min + narrow.Max) / 2, 12);
        Assert.Null(LogAxis.TightLimits([double.NaN]));

        // Loss from 10⁻⁷·⁵ to 10⁰·⁴: the axis ends within 5% of the data, not at 10⁻⁸ and 10¹.
        double[] losses = [.. Enumerable.Range(0, 50).Select(k => Math.Pow(10, 0.4 - 7.9 * k / 49))];
        var plot = Figures.LossCurves([("loss", losses)], logScale: true, title: "t");
        var axis = plot.Axes.Left;
        Assert.InRange(axis.Min, -7.5 - 0.05 * 7.9, -7.5);
        Assert.InRange(axis.Max, 0.4, 0.4 + 0.05 * 7.9 + 1e-9);
    }

    [Fact]
    public void Contours_have_equal_units_and_hold_every_descent()
    {
        var paths = new (string?, (double x, double y)[])[]
        {
            ("gd", Samples.DescentOnBowl(0.09, 30)),
            ("momentum", Samples.MomentumOnBowl(0.04, 0.6, 30)),
        };
        var plot = Rendered(Figures.ContourWithTrajectories(Samples.Bowl, paths, "t"));
        var l = plot.Axes.GetLimits();
        // Units per pixel across and up, for the data area the render gave.
        var area = plot.LastRender.DataRect;
        double across = (l.Right - l.Left) / area.Width, up = (l.Top - l.Bottom) / area.Height;
        Assert.InRange(across / up, 0.93, 1.07);
        foreach (var (_, path) in paths)
            Assert.All(path, p => Assert.True(p.x >= l.Left && p.x <= l.Right && p.y >= l.Bottom && p.y <= l.Top, $"({p.x}, {p.y}) is off the axes"));
        var legend = LegendTexts(plot);
        Assert.Contains(legend, t => t.StartsWith("gd: 30 steps →", StringComparison.Ordinal));
        Assert.Contains(legend, t => t.StartsWith("momentum: 30 steps →", StringComparison.Ordinal));
        Assert.Single(legend, t => t.StartsWith("start", StringComparison.Ordinal));
    }

    [Fact]
    public void The_regression_figure_shows_the_data_the_fit_and_the_earlier_lines()
    {
        var (x, y, lines) = Samples.RegressionLines();
        var plot = Figures.RegressionFit(x, y, lines, "t");
        var l = plot.Axes.GetLimits();
        Assert.True(l.Left < 1 && l.Right > 8 && l.Bottom < 5.5 && l.Top > 9, "the data is not all in view");
        var fits = plot.GetPlottables().OfType<ScottPlot.Plottables.LinePlot>().ToList();
        Assert.Equal(lines.Count, fits.Count);
        // The bold line is the last one, y = w·x + b at both ends.
        var last = fits.Single(f => f.LineWidth == 3);
        var (_, w, b) = lines[^1];
        Assert.Equal(w * last.Start.X + b, last.Start.Y, 12);
        Assert.Equal(w * last.End.X + b, last.End.Y, 12);
        Assert.Equal(0.5, w, 3);
        Assert.Equal(5, b, 2);
        var legend = LegendTexts(plot);
        Assert.Contains("data (7 points)", legend);
        Assert.Contains(legend, t => t.StartsWith("the line at epochs 1 … 1000", StringComparison.Ordinal));
        Assert.Contains(legend, t => t.StartsWith("fit after epoch 5000: y = 0.5·x + 5", StringComparison.Ordinal));
    }

    [Fact]
    public void The_decision_boundary_rings_exactly_the_misclassified_points()
    {
        var points = Samples.TwoClasses();
        static double P(double a, double b) => 1 / (1 + Math.Exp(-(2 * a + 2 * b)));
        var plot = Figures.DecisionBoundary(points, P);
        int wrong = points.Count(p => (p.x + p.y > 0) != (p.label == 1)); // p ≥ ½ exactly when a + b ≥ 0
        Assert.True(wrong > 0);
        var legend = LegendTexts(plot);
        Assert.Contains($"misclassified ({wrong} of {points.Count})", legend);
        Assert.Contains("decision boundary (p = ½)", legend);
        var boundary = plot.GetPlottables().OfType<ScottPlot.Plottables.ContourLines>().Single();
        Assert.Equal([0.5], boundary.ContourLineLevels!);
        var l = plot.Axes.GetLimits();
        Assert.All(points, p => Assert.True(p.x > l.Left && p.x < l.Right && p.y > l.Bottom && p.y < l.Top));
    }

    [Fact]
    public void Accuracy_is_on_a_right_axis_next_to_the_loss()
    {
        double[] loss = [0.7, 0.5, 0.4, 0.35];
        double[] accuracy = [0.6, double.NaN, 0.8, 0.9];
        var plot = Figures.LossAndAccuracy(loss, null, accuracy, "t");
        var line = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText.Contains("accuracy", StringComparison.Ordinal));
        Assert.Same(plot.Axes.Right, line.Axes.YAxis);
        Assert.Equal([1.0, 3, 4], line.Data.GetScatterPoints().Select(c => c.X));
        Assert.InRange(plot.Axes.Right.Min, 0.45, 0.5);
        Assert.True(plot.Axes.Right.Max >= 1.0);
        Assert.Contains("validation accuracy (right axis; last 0.9)", LegendTexts(plot));
        Assert.Equal("validation accuracy", plot.Axes.Right.Label.Text);
    }

    [Fact]
    public void A_sweep_of_losses_is_log_log_and_keeps_diverged_trials_in_view()
    {
        double[] rates = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
        double[] scores = [0.9, 0.5, 0.05, 0.002, double.NaN, double.NaN];
        var plot = Figures.SweepScores(rates, scores, "t", "validation loss");
        Assert.IsType<LogAxis.LogTickGenerator>(plot.Axes.Left.TickGenerator);
        var l = plot.Axes.GetLimits();
        Assert.True(l.Left < -4 && l.Right > 1, $"x axis {l.Left}…{l.Right} leaves out a trial (10⁻⁴ … 10¹)");
        var crosses = plot.GetPlottables().OfType<ScottPlot.Plottables.Markers>().Single();
        Assert.All(crosses.Data.GetScatterPoints(), c => Assert.True(c.Y > l.Bottom && c.Y < l.Top && c.X > l.Left && c.X < l.Right, "a diverged trial is drawn off the axes"));
        Assert.Contains("2 diverged (no score)", LegendTexts(plot));
        // Scores that can be negative stay on a linear axis.
        var linear = Figures.SweepScores([1e-3, 1e-2], [-1.5, 0.5], "t", "score");
        Assert.IsNotType<LogAxis.LogTickGenerator>(linear.Axes.Left.TickGenerator);
    }

    [Fact]
    public void The_animated_descent_moves_through_every_iterate_on_the_figure()
    {
        var path = Samples.DescentOnBowl(0.04, 12);
        var plot = Figures.ContourWithTrajectory(Samples.Bowl, path, "t");
        using var folder = new TempFolder();
        string file = folder.File("descent.svg");
        Figures.SaveAnimatedDescent(plot, path, file, secondsPerStep: 0.25);
        string svg = File.ReadAllText(file);
        Assert.EndsWith("</svg>", svg.TrimEnd());
        var cx = System.Text.RegularExpressions.Regex.Match(svg, "attributeName=\"cx\"[^>]*values=\"([^\"]*)\"").Groups[1].Value.Split(';').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var cy = System.Text.RegularExpressions.Regex.Match(svg, "attributeName=\"cy\"[^>]*values=\"([^\"]*)\"").Groups[1].Value.Split(';').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(path.Length + 1, cx.Length); // every iterate, then held through the pause
        // Independently: the data area of the render and the axis limits place each iterate at a pixel.
        var area = plot.LastRender.DataRect;
        var l = plot.Axes.GetLimits();
        for (int k = 0; k < path.Length; k++)
        {
            Assert.Equal(area.Left + (path[k].x - l.Left) / (l.Right - l.Left) * area.Width, cx[k], 0.01);
            Assert.Equal(area.Bottom - (path[k].y - l.Bottom) / (l.Top - l.Bottom) * area.Height, cy[k], 0.01);
        }
        Assert.Equal(path.Length, System.Text.RegularExpressions.Regex.Matches(svg, "class=\"step\"").Count);
        Assert.Contains(">step 12<", svg, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Figures.SaveAnimatedDescent(plot, path, folder.File("descent.png")));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }
}
