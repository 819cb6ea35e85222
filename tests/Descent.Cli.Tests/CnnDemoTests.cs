using Descent.Cli.Commands;
using Descent.Cli.Infrastructure;
using Descent.Learning.Data;
using Descent.Testing;

namespace Descent.Cli.Tests;

/// <summary>
/// <c>descent demo cnn</c>: a CNN trained briefly on Fashion-MNIST, its first layer's filters and the feature maps of one
/// image. The tests shrink its training for their own call (<see cref="DemoCommand.CnnLesson"/>): a Debug build
/// trains about 15× slower than the lesson's 100 steps take in Release.
/// </summary>
public sealed class CnnDemoTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-cnn-demo-").FullName;

    public void Dispose()
    {
        DemoCommand.CnnLesson.Value = null;
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [SkippableFact]
    public void TheCnnLessonTrainsBrieflyAndDrawsTheFiltersAndFeatureMaps()
    {
        Requires.That(File.Exists(Path.Combine(Mnist.FashionMnistDefaultFolder, "train-images-idx3-ubyte.gz")) || File.Exists(Path.Combine(Mnist.FashionMnistDefaultFolder, "train-images-idx3-ubyte")),
            $"Fashion-MNIST in {Mnist.FashionMnistDefaultFolder} ({Mnist.FashionMnistInstallCommand})");
        DemoCommand.CnnLesson.Value = new DemoCommand.CnnLessonSettings(Steps: 2, TestImages: 100);
        var (code, output, error) = Cli.Run("demo", "cnn", "--out", _dir);
        Assert.True(code == 0, error);
        Assert.Contains("2 steps of 64 Fashion-MNIST images", output, StringComparison.Ordinal);
        Assert.Contains("accuracy on 100 test images", output, StringComparison.Ordinal);
        foreach (var name in new[] { "cnn-filters.png", "cnn-feature-maps.png" })
        {
            Assert.Contains("figure: " + Path.Combine(_dir, name), output, StringComparison.Ordinal);
            Assert.True(new FileInfo(Path.Combine(_dir, name)).Length > 10_000, name);
        }
    }

    [Fact]
    public void WithoutFashionMnistTheLessonSaysWhatToInstallAndDemoAllSkipsIt()
    {
        DemoCommand.CnnLesson.Value = new DemoCommand.CnnLessonSettings(Folder: Path.Combine(_dir, "no-such-folder"));
        var (code, _, error) = Cli.Run("demo", "cnn", "--out", _dir);
        Assert.Equal(ExitCodes.Input, code);
        Assert.Contains("Fashion-MNIST is not installed", error, StringComparison.Ordinal);
        Assert.Contains(Mnist.FashionMnistInstallCommand, error, StringComparison.Ordinal);

        var (allCode, json) = Cli.Json("demo", "all", "--out", _dir);
        Assert.Equal(0, allCode);
        Assert.Equal("cnn", (string)json["skipped"]![0]!["name"]!);
        Assert.DoesNotContain(json["demos"]!.AsArray(), d => (string)d!["name"]! == "cnn");
        Assert.True(File.Exists(Path.Combine(_dir, "index.html")));
    }
}
