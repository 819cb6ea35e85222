using ScottPlot;

namespace Descent.Plotting;

/// <summary>
/// A base-10 logarithmic axis for ScottPlot 5, which has none built in: data is plotted as
/// <c>log10(value)</c> (<see cref="Transform(double)"/>) and the axis gets ticks at whole decades
/// labelled <c>10⁻³</c>, <c>10⁰</c>, <c>10²</c> with unlabelled minor ticks at 2…9 × each decade
/// (<see cref="Apply"/>). Every log plot in Descent goes through this one helper.
/// </summary>
/// <example>
/// <code>
/// double[] ys = LogAxis.Transform(losses);
/// plot.Add.ScatterLine(steps, ys);
/// LogAxis.Apply(plot.Axes.Left);
/// if (LogAxis.TightLimits(ys) is (double min, double max)) plot.Axes.SetLimitsY(min, max);
/// </code>
/// </example>
public static class LogAxis
{
    private const string Superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";

    /// <summary>
    /// <c>log10(value)</c> for a positive finite value; <see cref="double.NaN"/> for zero, negatives,
    /// NaN and infinities, which have no place on a log axis.
    /// </summary>
    /// <param name="value">The value to place on the axis.</param>
    /// <returns>The axis coordinate, or NaN.</returns>
    public static double Transform(double value) =>
        value > 0 && double.IsFinite(value) ? Math.Log10(value) : double.NaN;

    /// <summary>Applies <see cref="Transform(double)"/> to every value.</summary>
    /// <param name="values">The values to place on the axis.</param>
    /// <returns>A new array of axis coordinates (NaN where a value cannot be shown).</returns>
    public static double[] Transform(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new double[values.Count];
        for (int i = 0; i < result.Length; i++)
            result[i] = Transform(values[i]);
        return result;
    }

    /// <summary>
    /// The label of the decade <c>10^exponent</c>, written with Unicode superscripts:
    /// <c>-3 → "10⁻³"</c>, <c>0 → "10⁰"</c>, <c>12 → "10¹²"</c>.
    /// </summary>
    /// <param name="exponent">The power of ten.</param>
    /// <returns>The label text.</returns>
    public static string FormatDecade(int exponent)
    {
        string digits = Math.Abs((long)exponent).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var label = new System.Text.StringBuilder("10", 4 + digits.Length);
        if (exponent < 0)
            label.Append('⁻');
        foreach (char digit in digits)
            label.Append(Superscripts[digit - '0']);
        return label.ToString();
    }

    /// <summary>
    /// Gives <paramref name="axis"/> logarithmic ticks: the axis coordinates are read as
    /// <c>log10</c> of the data, so tick labels show the data values as powers of ten.
    /// </summary>
    /// <param name="axis">The axis holding <c>log10</c>-transformed data (for example <c>plot.Axes.Left</c>).</param>
    public static void Apply(IAxis axis)
    {
        ArgumentNullException.ThrowIfNull(axis);
        axis.TickGenerator = new LogTickGenerator();
    }

    /// <summary>
    /// The axis range, in whole decades, that covers the finite coordinates, so a log axis always shows at
    /// least two labelled decades; <see langword="null"/> when no coordinate is finite. A small margin is
    /// added on both sides so lines on a decade boundary are not drawn on the frame.
    /// </summary>
    /// <param name="coordinates">Axis coordinates, that is <c>log10</c> of the data; NaN entries are ignored.</param>
    /// <returns>The (min, max) axis coordinates to set, or <see langword="null"/>.</returns>
    /// <example><c>DecadeLimits([-2.7, 0.3])</c> is about <c>(-3.12, 1.12)</c>: the decades 10⁻³ to 10¹ plus margins.</example>
    public static (double Min, double Max)? DecadeLimits(IEnumerable<double> coordinates)
    {
        ArgumentNullException.ThrowIfNull(coordinates);
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (double c in coordinates)
        {
            if (!double.IsFinite(c))
                continue;
            low = Math.Min(low, c);
            high = Math.Max(high, c);
        }
        if (!double.IsFinite(low))
            return null;
        double bottom = Math.Floor(low), top = Math.Ceiling(high);
        if (top - bottom < 1)
            top = bottom + 1;
        double pad = 0.03 * (top - bottom);
        return (bottom - pad, top + pad);
    }

    /// <summary>
    /// The axis range that fits the finite coordinates with a 4% margin on each side, at least
    /// <paramref name="minimumDecades"/> wide (centred on the data), so the data fills the plot instead of sitting in a
    /// corner of whole decades; <see langword="null"/> when no coordinate is finite. The ticks still fall on decades
    /// (and on 2× and 5× when fewer than two decades are in view).
    /// </summary>
    /// <param name="coordinates">Axis coordinates, that is <c>log10</c> of the data; NaN entries are ignored.</param>
    /// <param name="minimumDecades">The narrowest range shown, in decades.</param>
    /// <returns>The (min, max) axis coordinates to set, or <see langword="null"/>.</returns>
    /// <example><c>TightLimits([-2.7, 0.3])</c> is <c>(-2.82, 0.42)</c>.</example>
    public static (double Min, double Max)? TightLimits(IEnumerable<double> coordinates, double minimumDecades = 1)
    {
        ArgumentNullException.ThrowIfNull(coordinates);
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (double c in coordinates)
        {
            if (!double.IsFinite(c))
                continue;
            low = Math.Min(low, c);
            high = Math.Max(high, c);
        }
        if (!double.IsFinite(low))
            return null;
        if (high - low < minimumDecades)
        {
            double middle = (low + high) / 2;
            (low, high) = (middle - minimumDecades / 2, middle + minimumDecades / 2);
        }
        double pad = 0.04 * (high - low);
        return (low - pad, high + pad);
    }

    /// <summary>Major ticks at whole decades (thinned when there are many), minor ticks at 2…9 × each decade.</summary>
    internal sealed class LogTickGenerator : ITickGenerator
    {
        public Tick[] Ticks { get; private set; } = [];

        public int MaxTickCount { get; set; } = 1000;

        public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle) =>
            Ticks = Generate(range.Min, range.Max, size.Length, edge.IsVertical() ? 28 : 60);

        /// <summary>The ticks for a visible range of <c>log10</c> coordinates drawn over <paramref name="pixels"/>.</summary>
        internal static Tick[] Generate(double min, double max, float pixels, float minimumSpacing)
        {
            if (!double.IsFinite(min) || !double.IsFinite(max) || max <= min)
                return [];

            int first = (int)Math.Ceiling(min - 1e-9), last = (int)Math.Floor(max + 1e-9);
            var ticks = new List<Tick>();
            int decades = Math.Max(1, last - first + 1);
            int maxLabels = Math.Max(2, (int)(pixels / minimumSpacing));
            int stride = Math.Max(1, (int)Math.Ceiling(decades / (double)maxLabels));

            for (int e = first; e <= last; e++)
            {
                if ((e - first) % stride == 0)
                    ticks.Add(Tick.Major(e, FormatDecade(e)));
                else
                    ticks.Add(Tick.Minor(e));
            }

            // Minor ticks at 2..9 × 10^e, only while they are far enough apart to be seen.
            if (stride == 1)
            {
                for (int e = (int)Math.Floor(min); e <= last; e++)
                {
                    for (int k = 2; k <= 9; k++)
                    {
                        double position = e + Math.Log10(k);
                        if (position >= min && position <= max)
                            ticks.Add(Tick.Minor(position));
                    }
                }
            }

            // Under three labelled decades in view (zoomed in): label the 2×, 5× positions too.
            if (ticks.Count(t => t.IsMajor) < 3 && stride == 1)
            {
                for (int e = (int)Math.Floor(min); e <= (int)Math.Ceiling(max); e++)
                {
                    foreach (int k in new[] { 2, 5 })
                    {
                        double position = e + Math.Log10(k);
                        if (position >= min && position <= max)
                            ticks.Add(Tick.Major(position, $"{k}×{FormatDecade(e)}"));
                    }
                }
            }

            return [.. ticks];
        }
    }
}
