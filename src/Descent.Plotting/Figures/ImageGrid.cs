using ScottPlot;

namespace Descent.Plotting;

/// <summary>How the images of an <see cref="ImageRow"/> are coloured.</summary>
public enum ImageScale
{
    /// <summary>Grey scale from each image's own smallest value (black) to its largest (white): shows each one's pattern.</summary>
    PerImage,

    /// <summary>
    /// One symmetric range for the whole row, ±(largest |value|), blue for negative, white for 0, red for positive:
    /// weights compared on one scale.
    /// </summary>
    SharedSigned,
}

/// <summary>A labelled group of small images (feature maps, filters, inputs) in <see cref="Figures.ImageGrid"/>.</summary>
/// <param name="Label">The group's heading, drawn above it.</param>
/// <param name="Images">The images, each as [row, column] values (row 0 at the top).</param>
public sealed record ImageRow(string Label, IReadOnlyList<double[,]> Images)
{
    /// <summary>A short caption under each image (e.g. its channel), or null.</summary>
    public IReadOnlyList<string>? Captions { get; init; }

    /// <summary>How the images are coloured (default: each on its own grey scale).</summary>
    public ImageScale Scale { get; init; } = ImageScale.PerImage;

    /// <summary>Images per line before the group wraps onto the next (0: all on one line).</summary>
    public int Columns { get; init; }
}

public static partial class Figures
{
    /// <summary>
    /// Small images in labelled groups, one group under the other, every image drawn as a square tile of the same size
    /// whatever its resolution (a 28×28 input beside 14×14 feature maps): what a convolutional network's filters and
    /// feature maps look like. Each group has a heading, optional captions under its images, and its colouring
    /// (<see cref="ImageScale"/>): a group on <see cref="ImageScale.SharedSigned"/> has its range in the heading.
    /// </summary>
    /// <param name="rows">The groups, top to bottom.</param>
    /// <param name="title">The figure's title.</param>
    /// <returns>The figure; save it with <see cref="Save"/> (<see cref="ImageGridSize"/> gives a size that fits it).</returns>
    /// <exception cref="ArgumentException">No group, an empty group, an empty image, or captions that do not match the images.</exception>
    /// <example><code>Figures.Save(Figures.ImageGrid([new ImageRow("input", [pixels])], "One image"), "image.png");</code></example>
    public static Plot ImageGrid(IReadOnlyList<ImageRow> rows, string title)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("Give at least one group of images.", nameof(rows));
        foreach (var row in rows)
        {
            ArgumentNullException.ThrowIfNull(row, nameof(rows));
            if (row.Images is null || row.Images.Count == 0) throw new ArgumentException($"The group '{row.Label}' has no images.", nameof(rows));
            if (row.Images.Any(i => i is null || i.Length == 0)) throw new ArgumentException($"The group '{row.Label}' has an empty image.", nameof(rows));
            if (row.Captions is { } c && c.Count != row.Images.Count)
                throw new ArgumentException($"The group '{row.Label}' has {row.Images.Count} images but {c.Count} captions.", nameof(rows));
            if (row.Columns < 0) throw new ArgumentException($"The group '{row.Label}' has a negative column count.", nameof(rows));
        }

        var plot = NewPlot(title, "", "");
        plot.HideAxesAndGrid();
        plot.Axes.Title.IsVisible = true;
        string font = PlotFonts.FontName;
        double width = rows.Max(r => ColumnsOf(r)) * TileStep - Gap;
        double y = 0; // top of the next group; groups go down
        foreach (var row in rows)
        {
            int columns = ColumnsOf(row);
            string heading = row.Label;
            double limit = 0;
            if (row.Scale == ImageScale.SharedSigned)
            {
                limit = row.Images.SelectMany(Values).Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
                heading += $"  (blue < 0 < red, ±{limit:G2})";
                if (!(limit > 0)) limit = 1;
            }
            var label = plot.Add.Text(heading, 0, y);
            label.LabelFontName = font;
            label.LabelFontSize = 15;
            label.LabelBold = true;
            label.LabelAlignment = Alignment.UpperLeft;
            y -= HeadingHeight;
            bool captions = row.Captions is not null;
            for (int i = 0; i < row.Images.Count; i++)
            {
                int column = i % columns;
                if (i > 0 && column == 0) y -= TileStep + (captions ? CaptionHeight : 0);
                double left = column * TileStep;
                var image = row.Images[i];
                var heatmap = plot.Add.Heatmap(image);
                heatmap.Rectangle = new CoordinateRect(left, left + 1, y - 1, y);
                heatmap.NaNCellColor = Colors.Transparent;
                if (row.Scale == ImageScale.SharedSigned)
                {
                    heatmap.Colormap = new ScottPlot.Colormaps.Balance();
                    heatmap.ManualRange = new ScottPlot.Range(-limit, limit);
                }
                else
                {
                    heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
                    var finite = Values(image).Where(double.IsFinite).ToArray();
                    double low = finite.Length == 0 ? 0 : finite.Min(), high = finite.Length == 0 ? 1 : finite.Max();
                    heatmap.ManualRange = new ScottPlot.Range(low, high > low ? high : low + 1);
                }
                // A thin frame, so a black or white tile still shows its edge.
                var frame = plot.Add.Rectangle(left, left + 1, y - 1, y);
                frame.FillStyle.Color = Colors.Transparent;
                frame.LineStyle.Color = Colors.Gray;
                frame.LineStyle.Width = 1;
                if (row.Captions?[i] is { Length: > 0 } caption)
                {
                    var text = plot.Add.Text(caption, left + 0.5, y - 1 - 0.04);
                    text.LabelFontName = font;
                    text.LabelFontSize = 12;
                    text.LabelAlignment = Alignment.UpperCenter;
                }
            }
            y -= 1 + (captions ? CaptionHeight : 0) + GroupGap;
        }
        double bottom = y + GroupGap;
        plot.Axes.SetLimits(-0.05, width + 0.05, bottom - 0.05, 0.05);
        plot.Axes.SquareUnits();
        return plot;
    }

    /// <summary>A pixel size for <see cref="ImageGrid"/> of <paramref name="rows"/> in which the tiles are about <paramref name="tilePixels"/> wide.</summary>
    public static (int Width, int Height) ImageGridSize(IReadOnlyList<ImageRow> rows, int tilePixels = 80)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(tilePixels, 8);
        double width = rows.Max(r => ColumnsOf(r)) * TileStep - Gap + 0.1;
        double height = 0.1;
        foreach (var row in rows)
        {
            int columns = ColumnsOf(row), lines = (row.Images.Count + columns - 1) / columns;
            height += HeadingHeight + lines * (1 + (row.Captions is null ? 0 : CaptionHeight)) + (lines - 1) * Gap + GroupGap;
        }
        // Room for the title (about 50 pixels) and a small margin around the tiles.
        return ((int)Math.Ceiling(width * tilePixels) + 40, (int)Math.Ceiling(height * tilePixels) + 80);
    }

    private const double Gap = 0.12, TileStep = 1 + Gap, HeadingHeight = 0.42, CaptionHeight = 0.3, GroupGap = 0.25;

    private static int ColumnsOf(ImageRow row) => row.Columns > 0 ? Math.Min(row.Columns, row.Images.Count) : row.Images.Count;

    private static IEnumerable<double> Values(double[,] image)
    {
        foreach (double v in image) yield return v;
    }
}
