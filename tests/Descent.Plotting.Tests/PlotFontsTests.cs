namespace Descent.Plotting.Tests;

public class PlotFontsTests
{
    [SkippableFact]
    public void DejaVu_Sans_is_the_figure_font_when_installed()
    {
        Requires.That(PlotFonts.FindDejaVuSans() is not null, "DejaVuSans.ttf (sudo apt-get install fonts-dejavu-core)");
        Assert.Equal(PlotFonts.DejaVuSans, PlotFonts.Ensure());
        Assert.Equal(PlotFonts.DejaVuSans, ScottPlot.Fonts.Default);
    }

    [Fact]
    public void Having_no_font_at_all_is_an_error_that_says_what_to_install()
    {
        var error = Assert.Throws<PlottingException>(() => PlotFonts.ChooseFallback([]));
        Assert.Contains("install fonts-dejavu-core", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Without_DejaVu_another_installed_family_is_used()
    {
        Assert.Equal("Liberation Sans", PlotFonts.ChooseFallback(["Noto Sans", "Liberation Sans"]));
        Assert.Equal("Noto Sans", PlotFonts.ChooseFallback(["Noto Sans"]));
    }
}
