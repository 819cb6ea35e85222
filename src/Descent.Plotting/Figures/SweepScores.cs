using ScottPlot;

namespace Descent.Plotting;

public static partial class Figures
{
    /// <summary>
    /// A learning-rate sweep: each run's score against its learning rate on a log axis
    /// (see <see cref="LogAxis"/>), the best run marked and named in the legend. Runs whose score is NaN or
    /// infinite (they diverged) are left out of the line and marked with a red cross along the bottom.
    /// </summary>
    /// <param name="learningRates">The learning rates tried (positive, finite; any order).</param>
    /// <param name="scores">The score of each run, same length as <paramref name="learningRates"/>.</param>
    /// <param name="title">The figure's title.</param>
    /// <param name="scoreLabel">What the score is (the vertical axis label), for example "validation loss".</param>
    /// <param name="higherIsBetter">Whether the best score is the highest (accuracy) rather than the lowest (loss).</param>
    /// <param name="logScale">Put the score on a log axis too; by default it is when every finite score is positive
    /// (losses, which spread over decades across learning rates).</param>
    /// <returns>The figure; save it with <see cref="Save"/>.</returns>
    /// <exception cref="ArgumentException">The arrays differ in length, are empty, or a learning rate is not positive and finite.</exception>
    /// <example><code>Figures.SweepScores([1e-3, 1e-2, 1e-1, 1], [0.9, 0.4, 0.1, double.NaN], scoreLabel: "final loss");</code></example>
    public static Plot SweepScores(double[] learningRates, double[] scores,
        string title = "Score versus learning rate", string scoreLabel = "score", bool higherIsBetter = false, bool? logScale = null)
    {
        ArgumentNullException.ThrowIfNull(learningRates);
        ArgumentNullException.ThrowIfNull(scores);
        if (learningRates.Length != scores.Length)
        {
            throw new ArgumentException(
                $"Give one score per learning rate: {learningRates.Length} learning rates but {scores.Length} scores.",
                nameof(scores));
        }
        if (learningRates.Length == 0)
            throw new ArgumentException("Give at least one (learning rate, score) pair.", nameof(learningRates));
        foreach (double rate in learningRates)
        {
            if (!(rate > 0) || !double.IsFinite(rate))
            {
                throw new ArgumentException(
                    $"Learning rate {rate} cannot go on a log axis: every learning rate must be positive and finite.",
                    nameof(learningRates));
            }
        }

        var plot = NewPlot(title, "learning rate", scoreLabel);
        int[] order = Enumerable.Range(0, learningRates.Length).OrderBy(i => learningRates[i]).ToArray();
        int[] kept = order.Where(i => double.IsFinite(scores[i])).ToArray();
        double[] xs = kept.Select(i => LogAxis.Transform(learningRates[i])).ToArray();
        bool logY = logScale ?? (kept.Length > 0 && kept.All(i => scores[i] > 0));
        double[] ys = kept.Select(i => logY ? LogAxis.Transform(scores[i]) : scores[i]).ToArray();
        int diverged = learningRates.Length - kept.Length;

        if (kept.Length > 0)
        {
            var line = plot.Add.ScatterLine(xs, ys, Colors.SteelBlue);
            line.LineWidth = 2;
            line.MarkerShape = MarkerShape.FilledCircle;
            line.MarkerSize = 8;
            line.LegendText = "runs";

            int best = 0;
            for (int k = 1; k < ys.Length; k++)
            {
                if (higherIsBetter ? ys[k] > ys[best] : ys[k] < ys[best])
                    best = k;
            }
            var star = plot.Add.Marker(xs[best], ys[best], MarkerShape.FilledDiamond, 16, Colors.OrangeRed);
            star.LegendText = $"best: learning rate {Format(learningRates[kept[best]])}, {scoreLabel} {Format(scores[kept[best]])}";
        }
        else
        {
            var none = plot.Add.Text("every run diverged", 0, 0);
            none.LabelFontColor = DivergedColor;
            none.LabelFontSize = 16;
            none.LabelAlignment = Alignment.MiddleCenter;
            var middle = learningRates.Select(LogAxis.Transform).Average();
            none.Location = new Coordinates(middle, 0);
        }

        // Every learning rate tried is in view, diverged ones included.
        double[] allRates = [.. learningRates.Select(LogAxis.Transform)];
        double xPad = 0.05 * Math.Max(allRates.Max() - allRates.Min(), 1);
        plot.Axes.SetLimitsX(allRates.Min() - xPad, allRates.Max() + xPad);
        if (kept.Length > 0)
        {
            double yLow = ys.Min(), yHigh = ys.Max();
            if (logY)
            {
                LogAxis.Apply(plot.Axes.Left);
                (yLow, yHigh) = LogAxis.TightLimits(ys)!.Value;
            }
            double ySpan = yHigh > yLow ? yHigh - yLow : Math.Max(1e-12, Math.Abs(yHigh));
            // Room below for the crosses of diverged runs, above for the legend.
            plot.Axes.SetLimitsY(yLow - (diverged > 0 ? 0.14 : 0.05) * ySpan, yHigh + 0.08 * ySpan);
        }
        else
            plot.Axes.SetLimitsY(-1, 1);

        // Diverged runs have no score: a red cross at their learning rate along the bottom of the plot.
        if (diverged > 0 && kept.Length > 0)
        {
            var limits = plot.Axes.GetLimits();
            double[] rates = order.Where(i => !double.IsFinite(scores[i])).Select(i => LogAxis.Transform(learningRates[i])).ToArray();
            double y = limits.Bottom + 0.05 * (limits.Top - limits.Bottom);
            var crosses = plot.Add.Markers(rates, [.. rates.Select(_ => y)], MarkerShape.Eks, 14, DivergedColor);
            crosses.MarkerStyle.LineWidth = 3;
            crosses.LegendText = diverged == 1 ? "diverged (no score)" : $"{diverged} diverged (no score)";
        }
        else if (kept.Length == 0)
        {
            double[] rates = order.Select(i => LogAxis.Transform(learningRates[i])).ToArray();
            var crosses = plot.Add.Markers(rates, [.. rates.Select(_ => -0.5)], MarkerShape.Eks, 14, DivergedColor);
            crosses.MarkerStyle.LineWidth = 3;
            crosses.LegendText = $"{diverged} diverged (no score)";
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        }
        LogAxis.Apply(plot.Axes.Bottom);
        ShowLegend(plot, higherIsBetter ? Alignment.LowerCenter : Alignment.UpperCenter);
        return plot;
    }
}
