using ScottPlot;

namespace Descent.Plotting.Tests;

public class LearningRateFinderFigureTests
{
    [Fact]
    public void TheCurveIsOnALogAxisWithTheSuggestionShadedAndCalledAHeuristic()
    {
        double[] rates = [.. Enumerable.Range(0, 50).Select(k => 1e-6 * Math.Pow(1e7, k / 49.0))];
        double[] losses = [.. rates.Select(r => r < 1 ? 1 - 0.1 * Math.Log10(r / 1e-6) : 100)];
        double[] smoothed = [.. losses.Select(l => Math.Min(l, 3))];
        losses[^1] = double.PositiveInfinity;
        var plot = Figures.LearningRateFinder(rates, losses, smoothed, 1e-3, 1e-2);
        plot.GetImageBytes(Figures.DefaultWidth, Figures.DefaultHeight, ImageFormat.Png);
        var legend = plot.GetPlottables().SelectMany(p => p.LegendItems).Select(i => i.LabelText).ToArray();
        Assert.Contains("suggested 0.001 to 0.01 (a heuristic)", legend);
        var limits = plot.Axes.GetLimits();
        Assert.True(limits.Left < -6 + 1e-9 && limits.Right > 1, $"x limits {limits.Left}..{limits.Right} (log10 of the rates)");
        Assert.True(limits.Top < 10, $"the view follows the smoothed curve, not the last batch's loss of 100: top {limits.Top}");
        Assert.Throws<ArgumentException>(() => Figures.LearningRateFinder([0, 1], [1, 1], [1, 1], 0.1, 1));
        Assert.Throws<ArgumentException>(() => Figures.LearningRateFinder([1, 2], [1], [1, 1], 0.1, 1));
    }
}
