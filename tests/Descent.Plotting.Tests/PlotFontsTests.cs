namespace Descent.Plotting.Tests;

public class PlotFontsTests
{
    [Fact]
    public void DejaVu_Sans_is_the_figure_font_when_installed()
    {
        string? dejaVu = PlotFonts.FindDejaVuSans();
        Assert.True(dejaVu is not null,
            "DejaVuSans.ttf was not found; figures would lose their text. Install it: apt-get install fonts-dejavu-core");
        Assert.Equal(PlotFonts.DejaVuSans, PlotFonts.Ensure());
        Assert.Equal(PlotFonts.DejaVuSans, ScottPlot.Fonts.Default);
    }
}
