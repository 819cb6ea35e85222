namespace Descent.Plotting.Tests;

public class LogAxisTests
{
    [Theory]
    [InlineData(0, "10⁰")]
    [InlineData(1, "10¹")]
    [InlineData(-3, "10⁻³")]
    [InlineData(12, "10¹²")]
    [InlineData(-308, "10⁻³⁰⁸")]
    public void FormatDecade_writes_superscript_exponents(int exponent, string expected) =>
        Assert.Equal(expected, LogAxis.FormatDecade(exponent));

    [Theory]
    [InlineData(100.0, 2.0)]
    [InlineData(1e-3, -3.0)]
    public void Transform_is_log10_of_positive_values(double value, double expected) =>
        Assert.Equal(expected, LogAxis.Transform(value), 12);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Transform_gives_NaN_for_values_a_log_axis_cannot_show(double value) =>
        Assert.True(double.IsNaN(LogAxis.Transform(value)));

    [Fact]
    public void DecadeLimits_cover_whole_decades_and_ignore_NaN()
    {
        var limits = LogAxis.DecadeLimits([-2.7, double.NaN, 0.3]);
        Assert.NotNull(limits);
        Assert.InRange(limits.Value.Min, -3.2, -3.0);
        Assert.InRange(limits.Value.Max, 1.0, 1.2);
        Assert.Null(LogAxis.DecadeLimits([double.NaN]));
    }

    [Fact]
    public void DecadeLimits_span_at_least_one_decade()
    {
        var limits = LogAxis.DecadeLimits([0.5, 0.6])!.Value;
        Assert.True(limits.Max - limits.Min >= 1);
    }

    [Fact]
    public void Ticks_are_labelled_at_every_decade_with_minor_ticks_between()
    {
        var ticks = LogAxis.LogTickGenerator.Generate(-3, 1, pixels: 500, minimumSpacing: 28);
        string[] labels = [.. ticks.Where(t => t.IsMajor).OrderBy(t => t.Position).Select(t => t.Label)];
        Assert.Equal(["10⁻³", "10⁻²", "10⁻¹", "10⁰", "10¹"], labels);
        Assert.Equal(4 * 8, ticks.Count(t => !t.IsMajor)); // 2×…9× in each of the four decades
    }

    [Fact]
    public void Ticks_are_thinned_when_decades_would_crowd()
    {
        var ticks = LogAxis.LogTickGenerator.Generate(-40, 10, pixels: 300, minimumSpacing: 28);
        int labelled = ticks.Count(t => t.IsMajor);
        Assert.InRange(labelled, 2, 300 / 28);
    }

    [Fact]
    public void Ticks_inside_one_decade_label_the_2_and_5_positions()
    {
        var ticks = LogAxis.LogTickGenerator.Generate(Math.Log10(0.15), Math.Log10(0.9), pixels: 400, minimumSpacing: 28);
        string[] labels = [.. ticks.Where(t => t.IsMajor).Select(t => t.Label)];
        Assert.Contains("2×10⁻¹", labels);
        Assert.Contains("5×10⁻¹", labels);
    }
}
