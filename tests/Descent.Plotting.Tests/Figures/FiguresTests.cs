using System.Text.RegularExpressions;
using ScottPlot;

namespace Descent.Plotting.Tests;

public class FiguresTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static TheoryData<string> FigureNames() => [.. Samples.All().Select(s => s.name)];

    private static (Func<Plot> build, string[] texts) Sample(string name)
    {
        var sample = Samples.All().Single(s => s.name == name);
        return (sample.build, sample.texts);
    }

    /// <summary>The text of every &lt;text&gt; element in an SVG, decoded and joined by newlines.</summary>
    internal static string SvgText(string svg) =>
        string.Join("\n", Regex.Matches(svg, @"<text[^>]*>(.*?)</text>", RegexOptions.Singleline)
            .Select(m => System.Net.WebUtility.HtmlDecode(Regex.Replace(m.Groups[1].Value, "<[^>]+>", ""))));

    [Theory]
    [MemberData(nameof(FigureNames))]
    public void Renders_a_png_with_a_valid_header(string name)
    {
        using var folder = new TempFolder();
        string path = folder.File(name + ".png");
        Figures.Save(Sample(name).build(), path, 640, 480);

        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 5_000, $"{name}.png is only {bytes.Length} bytes");
        Assert.Equal(PngSignature, bytes[..8]);
        using var image = new Image(bytes);
        Assert.Equal((640, 480), (image.Width, image.Height));
    }

    [Theory]
    [MemberData(nameof(FigureNames))]
    public void Renders_an_svg_whose_text_holds_title_axis_labels_and_legend(string name)
    {
        using var folder = new TempFolder();
        string path = folder.File(name + ".svg");
        var (build, texts) = Sample(name);
        Figures.Save(build(), path);

        string svg = File.ReadAllText(path);
        Assert.StartsWith("<?xml", svg.TrimStart());
        Assert.Contains("<svg", svg);
        string text = SvgText(svg);
        foreach (string expected in texts)
            Assert.Contains(expected, text);
    }

    [Fact]
    public void Title_and_labels_are_drawn_in_the_png()
    {
        // Without a font SkiaSharp draws nothing and raises nothing: compare the title strip
        // of the same figure with and without its title and labels.
        double[] points = Samples.DescentOnParabola(0.3, 2.0, 6);
        var titled = Figures.FunctionWithDescent(x => x * x, points, "A clearly visible title", "position x", "value f(x)");
        var blank = Figures.FunctionWithDescent(x => x * x, points, "", "", "");
        using var a = new Image(titled.GetImageBytes(640, 480, ImageFormat.Png));
        using var b = new Image(blank.GetImageBytes(640, 480, ImageFormat.Png));

        byte[,,] pa = a.GetArrayRGB(), pb = b.GetArrayRGB();
        int titleRows = 0;
        // The top 40 rows hold the title: count the rows with dark pixels there.
        for (int y = 0; y < 40; y++)
        {
            bool dark = false;
            for (int x = 0; x < 640 && !dark; x++)
                dark = pa[y, x, 0] < 100 && pa[y, x, 1] < 100 && pa[y, x, 2] < 100;
            if (dark)
                titleRows++;
        }
        Assert.True(titleRows >= 8, $"the title strip has dark pixels on only {titleRows} rows: is a font installed?");

        int differing = 0;
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 640; x++)
                if (Math.Abs(pa[y, x, 0] - pb[y, x, 0]) + Math.Abs(pa[y, x, 1] - pb[y, x, 1]) + Math.Abs(pa[y, x, 2] - pb[y, x, 2]) > 60)
                    differing++;
        Assert.True(differing > 300, $"only {differing} pixels of the title strip change when the title is removed");
    }
}
