using Descent.Learning.Data;

namespace Descent.Tests.Learning.Data;

public sealed class MnistTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-mnist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteSplit(string prefix, int n, bool gzip, int labelOffset = 0)
    {
        var pixels = new byte[n * 4];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 51 % 256);
        var labels = new byte[n];
        for (int i = 0; i < n; i++) labels[i] = (byte)((i + labelOffset) % 10);
        var images = IdxReaderTests.Idx(0x08, [n, 2, 2], pixels);
        var lab = IdxReaderTests.Idx(0x08, [n], labels);
        string suffix = gzip ? ".gz" : "";
        File.WriteAllBytes(Path.Combine(_dir, $"{prefix}-images-idx3-ubyte{suffix}"), gzip ? IdxReaderTests.Gzip(images) : images);
        File.WriteAllBytes(Path.Combine(_dir, $"{prefix}-labels-idx1-ubyte{suffix}"), gzip ? IdxReaderTests.Gzip(lab) : lab);
    }

    [Fact]
    public void LoadsTinyFolderMixingGzipAndRaw()
    {
        WriteSplit("train", 12, gzip: true);
        WriteSplit("t10k", 3, gzip: false, labelOffset: 7);
        var (train, test) = Mnist.Load<float>(_dir);
        Assert.Equal([12, 4], train.X.ShapeArray);
        Assert.Equal([3, 4], test.X.ShapeArray);
        Assert.Equal(10, train.ClassCount);
        Assert.Equal(new float[] { 0, 51 / 255f, 102 / 255f, 153 / 255f }, train.X.ToArray()[..4]);
        Assert.Equal([7, 8, 9], test.GetLabels());
        Assert.Equal(1.0, Mnist.Load<double>(_dir).Train.X.ToArray().Max());
    }

    [Fact]
    public void MismatchedCountsAreReported()
    {
        WriteSplit("train", 4, gzip: false);
        WriteSplit("t10k", 3, gzip: false);
        File.WriteAllBytes(Path.Combine(_dir, "t10k-labels-idx1-ubyte"), IdxReaderTests.Idx(0x08, [2], [1, 2]));
        Assert.Contains("2 labels for the 3 images", Assert.Throws<DataFormatException>(() => Mnist.Load<float>(_dir)).Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        WriteSplit("train", 4, gzip: false);
        var e = Assert.Throws<FileNotFoundException>(() => Mnist.Load<float>(_dir));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
    }

    [Fact]
    public void FashionMnistAbsentSaysHowToInstall()
    {
        var e = Assert.Throws<DatasetNotInstalledException>(() => Mnist.LoadFashionMnist<float>(Path.Combine(_dir, "absent")));
        Assert.IsAssignableFrom<FileNotFoundException>(e);
        Assert.Contains("install it with: sudo apt-get install dataset-fashion-mnist", e.Message);
    }

    [SkippableFact]
    public void LoadsInstalledFashionMnist()
    {
        Requires.AnyFile("Fashion-MNIST (sudo apt-get install dataset-fashion-mnist)",
            Path.Combine(Mnist.FashionMnistDefaultFolder, "train-images-idx3-ubyte.gz"), Path.Combine(Mnist.FashionMnistDefaultFolder, "train-images-idx3-ubyte"));
        var (train, test) = Mnist.LoadFashionMnist<float>();
        Assert.Equal([60000, 784], train.X.ShapeArray);
        Assert.Equal([10000, 784], test.X.ShapeArray);
        Assert.Equal([60000], train.Y.ShapeArray);
        Assert.Equal(10, train.ClassCount);
        Assert.Equal("Ankle boot", train.ClassNames![9]);
        foreach (var d in new[] { train, test })
        {
            var labels = d.GetLabels();
            Assert.Equal(0, labels.Min());
            Assert.Equal(9, labels.Max());
            var x = d.X.Data;
            float min = float.MaxValue, max = float.MinValue;
            foreach (float v in x) { if (v < min) min = v; if (v > max) max = v; }
            Assert.Equal(0f, min);
            Assert.Equal(1f, max);
        }
        // Fashion-MNIST is balanced: 6000 training images per class.
        Assert.All(train.GetLabels().CountBy(l => l), kv => Assert.Equal(6000, kv.Value));
    }

    /// <summary>An images file whose header declares 2²⁰ images of 28×28 (822 MB of pixels) fails before the pixels are allocated.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HugeDeclaredImageCountFailsBeforeAllocating(bool gzip)
    {
        WriteSplit("train", 2, gzip: false);
        WriteSplit("t10k", 2, gzip: false);
        var images = IdxReaderTests.Idx(0x08, [1 << 20, 28, 28], new byte[64]);
        File.WriteAllBytes(Path.Combine(_dir, "train-images-idx3-ubyte"), gzip ? IdxReaderTests.Gzip(images) : images);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => Mnist.Load<float>(_dir));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the pixels were allocated before the header was checked");
        Assert.Contains("train-images-idx3-ubyte", e.Message);
    }
}
