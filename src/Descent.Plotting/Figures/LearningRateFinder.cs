using ScottPlot;

namespace Descent.Plotting;

public static partial class Figures
{
    /// <summary>
    /// A learning-rate finder's curve: each step's loss (light) and the smoothed loss against the learning rate on a log
    /// axis, with the suggested range shaded and labelled as a heuristic.
    /// </summary>
    /// <param name="learningRates">The learning rate of each step (positive, increasing).</param>
    /// <param name="losses">The batch loss of each step (non-finite values are left out).</param>
    /// <param name="smoothed">The smoothed loss of each step.</param>
    /// <param name="suggestedLow">The low end of the suggested range.</param>
    /// <param name="suggestedHigh">The high end of the suggested range.</param>
    /// <param name="title">The figure's title.</param>
    /// <returns>The figure; save it with <see cref="Save"/>.</returns>
    /// <exception cref="ArgumentException">The arrays differ in length or are empty, or a learning rate is not positive and finite.</exception>
    public static Plot LearningRateFinder(double[] learningRates, double[] losses, double[] smoothed, double suggestedLow, double suggestedHigh,
        string title = "Learning-rate finder")
    {
        ArgumentNullException.ThrowIfNull(learningRates);
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(smoothed);
        if (learningRates.Length == 0 || losses.Length != learningRates.Length || smoothed.Length != learningRates.Length)
            throw new ArgumentException($"Give one loss and one smoothed loss per learning rate ({learningRates.Length} rates, {losses.Length} losses, {smoothed.Length} smoothed).", nameof(losses));
        if (learningRates.Any(r => !(r > 0) || !double.IsFinite(r)))
            throw new ArgumentException("Every learning rate must be positive and finite to go on a log axis.", nameof(learningRates));

        var plot = NewPlot(title, "learning rate", "loss");
        int[] raw = Enumerable.Range(0, losses.Length).Where(i => double.IsFinite(losses[i])).ToArray();
        int[] smooth = Enumerable.Range(0, smoothed.Length).Where(i => double.IsFinite(smoothed[i])).ToArray();
        // The view follows the smoothed curve (a last batch loss can be 100 times larger and would flatten it).
        var all = raw.Select(i => losses[i]).Concat(smooth.Select(i => smoothed[i])).ToArray();
        double bottom = all.Length > 0 ? all.Min() : 0;
        double top = smooth.Length > 0 ? 1.3 * smooth.Max(i => smoothed[i]) : all.Length > 0 ? all.Max() : 1;
        if (suggestedHigh >= suggestedLow && suggestedLow > 0 && double.IsFinite(suggestedHigh))
        {
            var span = plot.Add.HorizontalSpan(LogAxis.Transform(suggestedLow), LogAxis.Transform(Math.Max(suggestedHigh, suggestedLow * 1.01)));
            span.FillStyle.Color = Colors.Green.WithAlpha(0.18);
            span.LineStyle.Width = 0;
            span.LegendText = $"suggested {Short(suggestedLow)} to {Short(suggestedHigh)} (a heuristic)";
        }
        var line = plot.Add.ScatterLine(raw.Select(i => LogAxis.Transform(learningRates[i])).ToArray(), raw.Select(i => losses[i]).ToArray(), Colors.SteelBlue.WithAlpha(0.5));
        line.LineWidth = 1;
        line.LegendText = "loss";
        var curve = plot.Add.ScatterLine(smooth.Select(i => LogAxis.Transform(learningRates[i])).ToArray(), smooth.Select(i => smoothed[i]).ToArray(), Colors.Crimson);
        curve.LineWidth = 2.5f;
        curve.LegendText = "smoothed loss";
        double[] xs = learningRates.Select(LogAxis.Transform).ToArray();
        plot.Axes.SetLimitsX(xs.Min() - 0.2, xs.Max() + 0.2);
        double pad = 0.08 * Math.Max(top - bottom, 1e-12);
        plot.Axes.SetLimitsY(bottom - pad, top + 3 * pad);
        LogAxis.Apply(plot.Axes.Bottom);
        ShowLegend(plot, Alignment.UpperLeft);
        return plot;
    }

    private static string Short(double v) => v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)
        .Replace("E-0", "e-", StringComparison.Ordinal).Replace("E+0", "e+", StringComparison.Ordinal).Replace('E', 'e');
}
