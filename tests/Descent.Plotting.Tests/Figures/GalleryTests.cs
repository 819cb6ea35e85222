namespace Descent.Plotting.Tests;

/// <summary>
/// Writes every sample figure as PNG and SVG. Always into a temporary folder (and checks it leaves no
/// temporary files); also into <c>DESCENT_FIGURES_DIR</c> when that variable is set, which is how the
/// pictures in docs/plots.md are made: <c>DESCENT_FIGURES_DIR=docs/plots dotnet test</c>.
/// </summary>
public class GalleryTests
{
    [Fact]
    public void Every_figure_saves_as_png_and_svg_and_leaves_only_those_files()
    {
        using var folder = new TempFolder();
        string? gallery = Environment.GetEnvironmentVariable("DESCENT_FIGURES_DIR");
        foreach (var (name, build, _) in Samples.All())
        {
            var plot = build();
            Figures.Save(plot, folder.File(name + ".png"));
            Figures.Save(plot, folder.File(name + ".svg"));
            if (!string.IsNullOrWhiteSpace(gallery))
                Figures.Save(plot, Path.Combine(gallery, name + ".png"));
        }

        string[] expected = [.. Samples.All().SelectMany(s => new[] { s.name + ".png", s.name + ".svg" }).Order()];
        string[] written = [.. Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order()!];
        Assert.Equal(expected, written);
    }
}
