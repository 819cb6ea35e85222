using ScottPlot;

namespace Descent.Plotting.Tests;

/// <summary>
/// <see cref="Figures.ImageGrid"/>, the figure of a CNN's filters and feature maps: every image becomes one square tile
/// where the layout puts it, coloured on the scale its group asks for, with its heading and captions.
/// </summary>
public class ImageGridTests
{
    private static double[,] Ramp(int rows, int cols, double scale = 1)
    {
        var image = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) image[r, c] = scale * (r * cols + c);
        return image;
    }

    [Fact]
    public void Every_image_is_a_unit_tile_in_rows_that_wrap_and_groups_go_down()
    {
        var filters = Enumerable.Range(0, 10).Select(k => Ramp(3, 3, k % 2 == 0 ? 1 : -0.5)).ToArray();
        var plot = Figures.ImageGrid(
        [
            new ImageRow("input", [Ramp(28, 28)]),
            new ImageRow("filters", filters) { Scale = ImageScale.SharedSigned, Columns = 4, Captions = [.. Enumerable.Range(0, 10).Select(k => $"f{k}")] },
        ], "A grid");
        var tiles = plot.GetPlottables<ScottPlot.Plottables.Heatmap>().ToList();
        Assert.Equal(11, tiles.Count);
        Assert.All(tiles, t => { Assert.Equal(1.0, t.GetAlignedExtent().Width, 1e-9); Assert.Equal(1.0, t.GetAlignedExtent().Height, 1e-9); });
        // The input alone on its line; the filters four to a line over three lines, below it, each line lower than the one before.
        var input = tiles[0].GetAlignedExtent();
        var lines = tiles.Skip(1).Select(t => t.GetAlignedExtent()).GroupBy(r => Math.Round(r.Top, 6)).OrderByDescending(g => g.Key).ToList();
        Assert.Equal([4, 4, 2], lines.Select(l => l.Count()));
        Assert.True(lines[0].Key < input.Bottom);
        Assert.All(lines, l => Assert.Equal(0, l.Min(r => r.Left), 9));
        Assert.All(lines.Zip(lines.Skip(1)), pair => Assert.True(pair.Second.Key <= pair.First.Key - 1));
        // One symmetric range for the signed group (its largest |value| is 8), each image's own for the other.
        Assert.All(tiles.Skip(1), t => Assert.Equal((-8.0, 8.0), (t.ManualRange!.Value.Min, t.ManualRange.Value.Max)));
        Assert.Equal((0.0, 28.0 * 28 - 1), (tiles[0].ManualRange!.Value.Min, tiles[0].ManualRange!.Value.Max));
        var texts = plot.GetPlottables<ScottPlot.Plottables.Text>().Select(t => t.LabelText).ToList();
        Assert.Contains("input", texts);
        Assert.Contains(texts, t => t.StartsWith("filters", StringComparison.Ordinal) && t.Contains("±8", StringComparison.Ordinal));
        Assert.Contains("f9", texts);
        Assert.Equal("A grid", plot.Axes.Title.Label.Text);
    }

    [Fact]
    public void It_saves_at_a_size_that_fits_and_refuses_empty_groups()
    {
        using var folder = new TempFolder();
        var rows = new[] { new ImageRow("maps", [Ramp(14, 14), new double[14, 14]]) { Captions = ["map 0", "map 1"] } }; // a constant map too
        var (width, height) = Figures.ImageGridSize(rows, 90);
        Assert.InRange(width, 2 * 90, 3 * 90 + 40);
        Figures.Save(Figures.ImageGrid(rows, "Maps"), folder.File("maps.png"), width, height);
        Assert.True(new FileInfo(folder.File("maps.png")).Length > 2000);
        Assert.Throws<ArgumentException>(() => Figures.ImageGrid([], "none"));
        Assert.Throws<ArgumentException>(() => Figures.ImageGrid([new ImageRow("empty", [])], "none"));
        Assert.Throws<ArgumentException>(() => Figures.ImageGrid([new ImageRow("x", [Ramp(2, 2)]) { Captions = ["a", "b"] }], "none"));
    }
}
