namespace Descent.Plotting.Tests;

public class SaveTests
{
    private static ScottPlot.Plot AnyFigure() => Figures.TrainValidation([1.0, 0.5, 0.25], null, "Save test");

    [Theory]
    [InlineData("figure.png")]
    [InlineData("figure.PNG")]
    [InlineData("nested/deeper/figure.svg")]
    public void Writes_the_file_and_leaves_no_temporary_file(string name)
    {
        using var folder = new TempFolder();
        string path = folder.File(name);
        Figures.Save(AnyFigure(), path, 320, 240);

        Assert.True(new FileInfo(path).Length > 0);
        string[] all = Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories);
        Assert.Equal([Path.GetFullPath(path)], all);
    }

    [Fact]
    public void Overwrites_an_existing_file_whole()
    {
        using var folder = new TempFolder();
        string path = folder.File("figure.svg");
        File.WriteAllText(path, new string('x', 2_000_000));
        Figures.Save(AnyFigure(), path);

        string svg = File.ReadAllText(path);
        Assert.StartsWith("<?xml", svg.TrimStart());
        Assert.DoesNotContain("xxxx", svg);
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_failed_write_leaves_neither_a_temporary_file_nor_a_partial_image()
    {
        using var folder = new TempFolder();
        // The destination is a folder, so the final move fails after the temporary file was written.
        string path = folder.File("taken.png");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => Figures.Save(AnyFigure(), path));
        Assert.Empty(Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("figure.jpg")]
    [InlineData("figure")]
    public void Rejects_other_formats_naming_the_supported_ones(string name)
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<ArgumentException>(() => Figures.Save(AnyFigure(), folder.File(name)));
        Assert.Contains(".png or .svg", error.Message);
    }

    [Fact]
    public void Rejects_empty_sizes()
    {
        using var folder = new TempFolder();
        Assert.Throws<ArgumentOutOfRangeException>(() => Figures.Save(AnyFigure(), folder.File("a.png"), 0, 100));
    }
}
