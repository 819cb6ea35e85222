using ScottPlot;

namespace Descent.Plotting.Tests;

/// <summary>Diverged runs (NaN, ±∞) must never break a figure: series stop there and are marked "diverged".</summary>
public class NonFiniteTests
{
    private static string SvgText(Plot plot) => FiguresTests.SvgText(plot.GetSvgXml(800, 600));

    private static double[] ScatterYs(Plot plot, string legend) =>
        plot.GetPlottables<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText.StartsWith(legend, StringComparison.Ordinal))
            .Data.GetScatterPoints().Select(p => p.Y).ToArray();

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 12);
    }

    [Fact]
    public void LossCurves_truncate_at_the_first_non_finite_value_and_mark_it()
    {
        double[] diverging = [1, 4, 16, double.PositiveInfinity, double.NaN, 3];
        var plot = Figures.LossCurves([("fine", [1, 0.5, 0.25]), ("lr 2", diverging)], logScale: true);

        double[] drawn = ScatterYs(plot, "lr 2");
        AssertClose([0, Math.Log10(4), Math.Log10(16)], drawn);
        string text = SvgText(plot);
        Assert.Contains("diverged", text);
        Assert.Contains("lr 2 (diverged at step 3)", text);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LossCurves_draw_a_run_that_is_non_finite_from_the_start(bool logScale)
    {
        var plot = Figures.LossCurves([("ok", [2, 1]), ("nan", [double.NaN, double.NaN])], logScale);
        string text = SvgText(plot);
        Assert.Contains("nan (diverged at step 0): nothing finite to draw", text);
        Assert.All(plot.GetPlottables<ScottPlot.Plottables.Scatter>(), s => Assert.All(s.Data.GetScatterPoints(), p => Assert.True(p.AreReal)));
    }

    [Fact]
    public void LossCurves_on_a_log_axis_leave_out_zero_losses()
    {
        var plot = Figures.LossCurves([("exact", [1, 0.1, 0, 0])], logScale: true);
        AssertClose([0, -1], ScatterYs(plot, "exact"));
    }

    [Fact]
    public void DistanceFromMinimum_marks_divergence()
    {
        var plot = Figures.DistanceFromMinimum([("lr 1.1", [1, 1.2, 1.44, double.PositiveInfinity])]);
        Assert.Contains("lr 1.1 (diverged at step 3)", SvgText(plot));
    }

    [Fact]
    public void FunctionWithDescent_stops_at_a_non_finite_point()
    {
        var plot = Figures.FunctionWithDescent(x => x * x, [1, -3, 9, double.NaN], "diverging");
        Assert.Contains("diverged after iterate 2", SvgText(plot));
        using var image = new Image(plot.GetImageBytes(400, 300, ImageFormat.Png));
    }

    [Fact]
    public void FunctionWithDescent_skips_non_finite_function_values_in_the_curve()
    {
        var plot = Figures.FunctionWithDescent(Math.Log, [2, 1, 0.5], "log has no value below 0");
        var curve = plot.GetPlottables<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText == "f(x)");
        Assert.All(curve.Data.GetScatterPoints(), p => Assert.True(double.IsFinite(p.Y)));
    }

    [Fact]
    public void ContourWithTrajectory_stops_at_a_non_finite_point()
    {
        var plot = Figures.ContourWithTrajectory((x, y) => x * x + y * y, [(1, 1), (-2, -2), (double.PositiveInfinity, 4)]);
        Assert.Contains("diverged after step 1", SvgText(plot));
    }

    [Fact]
    public void TrainValidation_marks_a_diverged_validation_curve_by_epoch()
    {
        var plot = Figures.TrainValidation([1, 0.5, 0.3], [1.1, double.NaN, 2]);
        Assert.Contains("validation (diverged at epoch 2)", SvgText(plot));
    }

    [Fact]
    public void SweepScores_marks_diverged_runs_and_picks_the_best_finite_one()
    {
        var plot = Figures.SweepScores([1e-3, 1e-2, 1e-1, 1], [0.5, 0.2, 0.4, double.NaN], scoreLabel: "loss");
        string text = SvgText(plot);
        Assert.Contains("best: learning rate 0.01, loss 0.2", text);
        Assert.Contains("diverged (no score)", text);
    }

    [Fact]
    public void SweepScores_with_every_run_diverged_still_draws()
    {
        var plot = Figures.SweepScores([0.1, 1], [double.NaN, double.PositiveInfinity]);
        Assert.Contains("every run diverged", SvgText(plot));
    }

    [Fact]
    public void Invalid_input_is_rejected_with_a_message_that_says_what_to_give()
    {
        Assert.Contains("finite point", Assert.Throws<ArgumentException>(() => Figures.FunctionWithDescent(x => x, [])).Message);
        Assert.Contains("one score per learning rate", Assert.Throws<ArgumentException>(() => Figures.SweepScores([1], [1, 2])).Message);
        Assert.Contains("positive and finite", Assert.Throws<ArgumentException>(() => Figures.SweepScores([0], [1])).Message);
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => Figures.LossCurves([])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Figures.ContourWithTrajectory((x, y) => x, [(0, 0)], levels: 0));
    }
}
