using ScottPlot;

namespace Descent.Plotting;

/// <summary>
/// The figures of gradient-based learning, built from plain data (arrays of numbers, never optimizer or
/// trainer objects) as ScottPlot <see cref="Plot"/>s: a 1-D function with the descent's points on it,
/// contours with a 2-D trajectory, distance from the minimum and loss curves on log axes,
/// train/validation loss per epoch, and sweep scores against the learning rate.
/// Every figure has a title, axis labels and, when it shows several series, a legend;
/// <see cref="Save"/> writes it as PNG or SVG.
/// </summary>
/// <example>
/// <code>
/// Plot plot = Figures.FunctionWithDescent(x => x * x, [2.0, 1.2, 0.72, 0.43], "x² with learning rate 0.2");
/// Figures.Save(plot, "descent.png");
/// </code>
/// </example>
public static partial class Figures
{
    /// <summary>Default image width in pixels.</summary>
    public const int DefaultWidth = 800;

    /// <summary>Default image height in pixels.</summary>
    public const int DefaultHeight = 600;

    /// <summary>The colour marking where a run diverged.</summary>
    internal static readonly Color DivergedColor = Colors.Red;

    /// <summary>
    /// Writes <paramref name="plot"/> to <paramref name="path"/> as PNG (<c>.png</c>) or SVG (<c>.svg</c>),
    /// chosen by the extension. The image is first written to a temporary file in the same folder and then
    /// moved over <paramref name="path"/>, so a crash never leaves a half-written image behind.
    /// Missing folders are created.
    /// </summary>
    /// <param name="plot">The figure to render.</param>
    /// <param name="path">Destination file; its extension picks the format.</param>
    /// <param name="width">Image width in pixels (at least 1).</param>
    /// <param name="height">Image height in pixels (at least 1).</param>
    /// <exception cref="ArgumentException">The extension is neither <c>.png</c> nor <c>.svg</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is below 1.</exception>
    /// <exception cref="PlottingException">No font is available to draw text with.</exception>
    public static void Save(Plot plot, string path, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".png" or ".svg"))
        {
            throw new ArgumentException(
                $"Cannot save a figure as '{extension}' ({path}): use a path ending in .png or .svg.", nameof(path));
        }

        PlotFonts.Ensure();
        byte[] bytes = extension == ".png"
            ? plot.GetImageBytes(width, height, ImageFormat.Png)
            : System.Text.Encoding.UTF8.GetBytes(plot.GetSvgXml(width, height));

        WriteAtomically(bytes, path);
    }

    /// <summary>
    /// Writes <paramref name="plot"/> as an animated SVG: the figure as <see cref="Save"/> draws it, with a marker that
    /// moves through <paramref name="points"/> (in the plot's coordinates, for example a descent's iterates on
    /// <see cref="ContourWithTrajectory"/> or <c>(xₖ, f(xₖ))</c> on <see cref="FunctionWithDescent"/>), one step every
    /// <paramref name="secondsPerStep"/> seconds, with the step number shown, then a pause, looping. The animation is SVG's
    /// own (SMIL <c>animate</c>/<c>set</c>), so a browser plays it with no script. Written atomically like <see cref="Save"/>.
    /// </summary>
    /// <param name="plot">The figure to animate on.</param>
    /// <param name="points">The points to move through, in order; non-finite points end the animation.</param>
    /// <param name="path">Destination file; it must end in <c>.svg</c>.</param>
    /// <param name="secondsPerStep">Seconds per step (0.05 to 10).</param>
    /// <param name="width">Image width in pixels (at least 1).</param>
    /// <param name="height">Image height in pixels (at least 1).</param>
    /// <exception cref="ArgumentException">No finite point, or a path not ending in <c>.svg</c>.</exception>
    /// <example><code>Figures.SaveAnimatedDescent(Figures.ContourWithTrajectory(f, path), path, "descent.svg");</code></example>
    public static void SaveAnimatedDescent(Plot plot, IReadOnlyList<(double x, double y)> points, string path, double secondsPerStep = 0.5,
        int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentNullException.ThrowIfNull(points);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(secondsPerStep, 0.05);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(secondsPerStep, 10);
        if (!Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"An animated figure is an SVG: use a path ending in .svg, not '{path}'.", nameof(path));
        int count = 0;
        while (count < points.Count && double.IsFinite(points[count].x) && double.IsFinite(points[count].y))
            count++;
        if (count == 0)
            throw new ArgumentException("Give at least one finite point to move through.", nameof(points));

        PlotFonts.Ensure();
        string svg = plot.GetSvgXml(width, height);
        var pixels = AnimationPixels(plot, points.Take(count).ToList());
        WriteAtomically(System.Text.Encoding.UTF8.GetBytes(InsertAnimation(svg, pixels, secondsPerStep)), path);
    }

    /// <summary>The pixel positions, in the last render of <paramref name="plot"/>, of <paramref name="points"/>.</summary>
    internal static List<(double X, double Y)> AnimationPixels(Plot plot, IReadOnlyList<(double x, double y)> points)
    {
        var rect = plot.LastRender.DataRect;
        var xAxis = plot.Axes.Bottom;
        var yAxis = plot.Axes.Left;
        return [.. points.Select(p => ((double)xAxis.GetPixel(p.x, rect), (double)yAxis.GetPixel(p.y, rect)))];
    }

    /// <summary>Adds, before the end of <paramref name="svg"/>, a marker moving through <paramref name="pixels"/> and the step numbers.</summary>
    private static string InsertAnimation(string svg, List<(double X, double Y)> pixels, double secondsPerStep)
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        int steps = pixels.Count;
        double pause = Math.Max(1.5, 3 * secondsPerStep);
        double total = (steps - 1) * secondsPerStep + pause;
        string Times() => string.Join(";", Enumerable.Range(0, steps).Select(k => (k * secondsPerStep / total).ToString("0.####", ci)).Append("1"));
        string Values(Func<(double X, double Y), double> pick) => string.Join(";", pixels.Select(p => pick(p).ToString("0.##", ci)).Append(pick(pixels[^1]).ToString("0.##", ci)));
        var a = new System.Text.StringBuilder();
        a.Append("<g id=\"descent-animation\">\n");
        a.Append(ci, $"<circle r=\"8\" fill=\"gold\" stroke=\"black\" stroke-width=\"2\" cx=\"{pixels[0].X:0.##}\" cy=\"{pixels[0].Y:0.##}\">\n");
        a.Append(ci, $"<animate attributeName=\"cx\" dur=\"{total:0.###}s\" repeatCount=\"indefinite\" calcMode=\"linear\" keyTimes=\"{Times()}\" values=\"{Values(p => p.X)}\"/>\n");
        a.Append(ci, $"<animate attributeName=\"cy\" dur=\"{total:0.###}s\" repeatCount=\"indefinite\" calcMode=\"linear\" keyTimes=\"{Times()}\" values=\"{Values(p => p.Y)}\"/>\n");
        a.Append("</circle>\n");
        // "step k" beside the marker, each shown during its step (the last one through the pause).
        for (int k = 0; k < steps; k++)
        {
            double from = k * secondsPerStep / total, to = k + 1 < steps ? (k + 1) * secondsPerStep / total : 1;
            string times = k == 0 ? $"0;{to.ToString("0.####", ci)}" : $"0;{from.ToString("0.####", ci)};{to.ToString("0.####", ci)}";
            string values = k == 0 ? "visible;hidden" : "hidden;visible;hidden";
            if (to >= 1) (times, values) = k == 0 ? ("0", "visible") : ($"0;{from.ToString("0.####", ci)}", "hidden;visible");
            a.Append(ci, $"<text class=\"step\" x=\"{pixels[k].X + 12:0.##}\" y=\"{pixels[k].Y - 12:0.##}\" font-family=\"{PlotFonts.FontName}\" font-size=\"15\" font-weight=\"bold\" visibility=\"hidden\">step {k}");
            a.Append(ci, $"<animate attributeName=\"visibility\" dur=\"{total:0.###}s\" repeatCount=\"indefinite\" calcMode=\"discrete\" keyTimes=\"{times}\" values=\"{values}\"/></text>\n");
        }
        a.Append("</g>\n");
        int end = svg.LastIndexOf("</svg>", StringComparison.Ordinal);
        return end < 0 ? svg + a : svg[..end] + a + svg[end..];
    }

    /// <summary>Writes <paramref name="bytes"/> to a temporary file next to <paramref name="path"/>, then moves it over <paramref name="path"/>.</summary>
    private static void WriteAtomically(byte[] bytes, string path)
    {
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>A new plot in Descent's style, with its title and axis labels set.</summary>
    internal static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(xLabel);
        ArgumentNullException.ThrowIfNull(yLabel);
        string font = PlotFonts.Ensure();
        var plot = new Plot();
        plot.Font.Set(font);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        // ScottPlot's default packs a label every ~25 px on a 600 px axis; half as many read better.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TickDensity = 0.5 };
        return plot;
    }

    /// <summary>
    /// Shows the legend inside the plot in the corner where it covers no data (<paramref name="preferred"/> first, then
    /// the other corners, then the middles of the top and bottom edges), or outside, right of the plot, when every such
    /// place would hide some. Call it once the axis limits are final.
    /// </summary>
    internal static void ShowLegend(Plot plot, Alignment preferred = Alignment.UpperRight)
    {
        plot.Legend.FontName = PlotFonts.FontName;
        var placement = LegendPlacement(plot, preferred);
        if (placement is null && LegendSize(plot) is (_, double height) && height < 0.45)
        {
            // No free corner: raise the top of every vertical axis so the data sits below the legend's band.
            foreach (var axis in new[] { plot.Axes.Left, plot.Axes.Right })
            {
                if (!(axis.Max > axis.Min)) continue;
                axis.Range.Set(axis.Min, axis.Min + (axis.Max - axis.Min) / (1 - height - 0.07));
            }
            placement = LegendPlacement(plot, preferred.ToString().StartsWith("Upper", StringComparison.Ordinal) ? preferred : Alignment.UpperRight);
        }
        if (placement is Alignment inside) plot.ShowLegend(inside);
        else plot.ShowLegend(Edge.Right);
    }

    /// <summary>The legend's estimated (width, height) as fractions of the data area, or null when it has no entry.</summary>
    private static (double Width, double Height)? LegendSize(Plot plot)
    {
        var items = plot.GetPlottables().SelectMany(p => p.LegendItems).Where(i => !string.IsNullOrEmpty(i.LabelText)).ToList();
        if (items.Count == 0) return null;
        // For an 800×600 figure, whose data area is about 700×480 pixels.
        return ((46 + 7.2 * items.Max(i => i.LabelText.Length)) / 700.0, (14 + 21.0 * items.Count) / 480.0);
    }

    /// <summary>The inside corner where the legend covers no drawn point, or null when there is none.</summary>
    internal static Alignment? LegendPlacement(Plot plot, Alignment preferred = Alignment.UpperRight)
    {
        if (LegendSize(plot) is not (double width, double height)) return preferred;
        if (width > 0.75 || height > 0.8) return null;
        var points = DrawnFractions(plot).ToList();
        Alignment[] order = [preferred, Alignment.UpperRight, Alignment.UpperLeft, Alignment.LowerRight, Alignment.LowerLeft, Alignment.MiddleRight, Alignment.MiddleLeft, Alignment.UpperCenter, Alignment.LowerCenter];
        foreach (var a in order.Distinct())
        {
            var (left, bottom) = a switch
            {
                Alignment.UpperLeft => (0.0, 1 - height),
                Alignment.UpperCenter => ((1 - width) / 2, 1 - height),
                Alignment.LowerRight => (1 - width, 0.0),
                Alignment.LowerLeft => (0.0, 0.0),
                Alignment.LowerCenter => ((1 - width) / 2, 0.0),
                Alignment.MiddleRight => (1 - width, (1 - height) / 2),
                Alignment.MiddleLeft => (0.0, (1 - height) / 2),
                _ => (1 - width, 1 - height),
            };
            // A little room around the box: a point just outside it still looks covered.
            double l = left - 0.02, r = left + width + 0.02, b = bottom - 0.03, t = bottom + height + 0.03;
            if (!points.Any(pt => pt.X >= l && pt.X <= r && pt.Y >= b && pt.Y <= t)) return a;
        }
        return null;
    }

    /// <summary>
    /// Every drawn point (scatter lines sampled between their points, markers, texts) as fractions of the data area
    /// (0 = left/bottom, 1 = right/top), on whichever axes each plottable uses. Maps and contour lines are background
    /// and left out.
    /// </summary>
    internal static IEnumerable<(double X, double Y)> DrawnFractions(Plot plot)
    {
        foreach (var plottable in plot.GetPlottables())
        {
            if (!plottable.IsVisible) continue;
            var xAxis = plottable.Axes.XAxis ?? plot.Axes.Bottom;
            var yAxis = plottable.Axes.YAxis ?? plot.Axes.Left;
            (double X, double Y) Fraction(double x, double y) => ((x - xAxis.Min) / (xAxis.Max - xAxis.Min), (y - yAxis.Min) / (yAxis.Max - yAxis.Min));
            IEnumerable<Coordinates> coordinates = plottable switch
            {
                ScottPlot.Plottables.Scatter s => Densify(s.Data.GetScatterPoints(), s.LineWidth > 0 && s.LineStyle.IsVisible),
                ScottPlot.Plottables.Marker m => [m.Location],
                ScottPlot.Plottables.Markers ms => ms.Data.GetScatterPoints(),
                ScottPlot.Plottables.Text t => [t.Location],
                _ => [],
            };
            foreach (var c in coordinates)
            {
                var f = Fraction(c.X, c.Y);
                if (double.IsFinite(f.X) && double.IsFinite(f.Y)) yield return f;
            }
        }
    }

    /// <summary>The points of a line, with 20 more between each pair when the line is drawn.</summary>
    private static IEnumerable<Coordinates> Densify(IReadOnlyList<Coordinates> points, bool line)
    {
        for (int i = 0; i < points.Count; i++)
        {
            yield return points[i];
            if (!line || i + 1 == points.Count) continue;
            for (int k = 1; k < 20; k++)
                yield return new Coordinates(points[i].X + (points[i + 1].X - points[i].X) * k / 20, points[i].Y + (points[i + 1].Y - points[i].Y) * k / 20);
        }
    }

    /// <summary>
    /// The number of leading finite values of <paramref name="values"/>: a series is drawn up to its
    /// first NaN or infinity (where a run diverged) and no further.
    /// </summary>
    internal static int FiniteLength(IReadOnlyList<double> values)
    {
        int n = 0;
        while (n < values.Count && double.IsFinite(values[n]))
            n++;
        return n;
    }

    /// <summary>0, 1, …, count − 1 as doubles (the step axis).</summary>
    internal static double[] Steps(int count, int start = 0)
    {
        var steps = new double[count];
        for (int i = 0; i < count; i++)
            steps[i] = start + i;
        return steps;
    }

    /// <summary>
    /// Validates a labelled series list: not null, not empty, no null label or array.
    /// </summary>
    internal static void ValidateSeries(IReadOnlyList<(string label, double[] values)> series, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(series, parameterName);
        if (series.Count == 0)
            throw new ArgumentException("Give at least one (label, values) series to plot.", parameterName);
        for (int i = 0; i < series.Count; i++)
        {
            if (series[i].label is null || series[i].values is null)
                throw new ArgumentException($"Series {i} has a null label or a null array; give both.", parameterName);
        }
    }

    /// <summary>
    /// Draws labelled series of positive quantities against the step number on a log y axis (or a linear one),
    /// each series truncated at its first non-finite value, which is marked "diverged".
    /// Shared by <see cref="DistanceFromMinimum"/>, <see cref="LossCurves"/> and <see cref="TrainValidation"/>.
    /// </summary>
    private static void AddStepSeries(Plot plot, IReadOnlyList<(string label, double[] values)> series, bool logScale,
        int firstStep = 0, string stepName = "step")
    {
        var shown = new List<double>();
        var divergedAt = new List<double>();
        foreach (var (label, values) in series)
        {
            int finite = FiniteLength(values);
            bool diverged = finite < values.Length;
            double[] ys = values[..finite];
            if (logScale)
                ys = LogAxis.Transform(ys);
            double[] xs = Steps(finite, firstStep);

            // Non-positive values have no place on a log axis: leave them out rather than draw NaN.
            int[] keep = Enumerable.Range(0, finite).Where(i => double.IsFinite(ys[i])).ToArray();
            double[] keptXs = keep.Select(i => xs[i]).ToArray();
            double[] keptYs = keep.Select(i => ys[i]).ToArray();
            shown.AddRange(keptYs);

            string legend = diverged ? $"{label} (diverged at {stepName} {finite + firstStep})" : label;
            var color = plot.Add.GetNextColor();
            if (keptXs.Length > 0)
            {
                var line = plot.Add.ScatterLine(keptXs, keptYs, color);
                line.LineWidth = 2;
                line.LegendText = legend;
                if (keptXs.Length == 1)
                {
                    line.MarkerShape = MarkerShape.FilledCircle;
                    line.MarkerSize = 7;
                }
            }

            if (diverged)
            {
                double x = keptXs.Length > 0 ? keptXs[^1] : firstStep;
                double y = keptYs.Length > 0 ? keptYs[^1] : 0;
                divergedAt.Add(x);
                var mark = plot.Add.Marker(x, y, MarkerShape.Eks, 14, DivergedColor);
                mark.LineWidth = 3;
                var text = plot.Add.Text("diverged", x, y);
                text.LabelFontColor = DivergedColor;
                text.LabelFontSize = 13;
                text.LabelBold = true;
                text.LabelAlignment = Alignment.LowerLeft;
                text.OffsetX = 6;
                text.OffsetY = -6;
                if (keptXs.Length == 0)
                    mark.LegendText = legend + ": nothing finite to draw";
            }
        }

        plot.Axes.AutoScale();
        if (logScale)
        {
            LogAxis.Apply(plot.Axes.Left);
            if (LogAxis.TightLimits(shown) is (double bottom, double top))
                plot.Axes.SetLimitsY(bottom, top);
        }

        // Room at the right for a "diverged" label that would otherwise run off the plot.
        var limits = plot.Axes.GetLimits();
        double width = Math.Max(1, limits.Right - limits.Left);
        if (divergedAt.Any(x => x > limits.Right - 0.15 * width))
            plot.Axes.SetLimitsX(limits.Left, limits.Right + 0.12 * width);
    }
}
