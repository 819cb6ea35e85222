using System.Numerics;

namespace Descent.Learning.Data;

/// <summary>
/// Thrown when a dataset that is distributed as a system package is not installed; the message gives the command
/// that installs it.
/// </summary>
public sealed class DatasetNotInstalledException : FileNotFoundException
{
    /// <summary>Creates the exception for a missing folder or file.</summary>
    public DatasetNotInstalledException(string message, string? fileName) : base(message, fileName) { }
}

/// <summary>
/// Loads MNIST-format datasets (MNIST, Fashion-MNIST): a folder with <c>train-images-idx3-ubyte</c>,
/// <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c>, each optionally
/// with a <c>.gz</c> suffix. Images become rows of [n, rows·cols] pixels scaled to [0, 1] (pixel / 255), labels
/// become class indices with <see cref="Dataset{T}.ClassCount"/> 10.
/// </summary>
/// <example>
/// <code>
/// var (train, test) = Mnist.LoadFashionMnist&lt;float&gt;();   // 60000 and 10000 rows of 784 features
/// </code>
/// </example>
public static class Mnist
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs Fashion-MNIST.</summary>
    public const string FashionMnistDefaultFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The command that installs Fashion-MNIST into <see cref="FashionMnistDefaultFolder"/>.</summary>
    public const string FashionMnistInstallCommand = "sudo apt-get install dataset-fashion-mnist";

    /// <summary>The Fashion-MNIST class names, by class index.</summary>
    public static IReadOnlyList<string> FashionMnistClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads the train and test splits from a folder of MNIST-format files.</summary>
    /// <param name="folder">The folder holding the four files (plain or .gz).</param>
    /// <param name="classNames">Optional names for the 10 classes.</param>
    /// <exception cref="FileNotFoundException">The folder or one of the files is missing (the message names it).</exception>
    /// <exception cref="DataFormatException">A file is truncated or corrupt, or images and labels disagree.</exception>
    public static (Dataset<T> Train, Dataset<T> Test) Load<T>(string folder, IReadOnlyList<string>? classNames = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"MNIST folder not found: {folder}");
        var train = LoadSplit<T>(Find(folder, "train-images-idx3-ubyte"), Find(folder, "train-labels-idx1-ubyte"), classNames);
        var test = LoadSplit<T>(Find(folder, "t10k-images-idx3-ubyte"), Find(folder, "t10k-labels-idx1-ubyte"), classNames);
        return (train, test);
    }

    /// <summary>Loads Fashion-MNIST from <see cref="FashionMnistDefaultFolder"/> (or <paramref name="folder"/>), with its class names.</summary>
    /// <exception cref="DatasetNotInstalledException">The folder or a file is absent; the message says how to install it.</exception>
    /// <exception cref="DataFormatException">A file is truncated or corrupt.</exception>
    public static (Dataset<T> Train, Dataset<T> Test) LoadFashionMnist<T>(string folder = FashionMnistDefaultFolder)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        try
        {
            return Load<T>(folder, FashionMnistClassNames);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DatasetNotInstalledException(
                $"Fashion-MNIST is not installed in {folder} ({e.Message}); install it with: {FashionMnistInstallCommand}", folder);
        }
    }

    private static string Find(string folder, string name)
    {
        foreach (string candidate in new[] { name, name + ".gz" })
        {
            string path = Path.Combine(folder, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"MNIST file not found: {Path.Combine(folder, name)} (or {name}.gz).", Path.Combine(folder, name));
    }

    private static Dataset<T> LoadSplit<T>(string imagesPath, string labelsPath, IReadOnlyList<string>? classNames)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var images = IdxReader.Read(imagesPath);
        var labels = IdxReader.Read(labelsPath);
        if (images.ElementType != IdxElementType.UnsignedByte || images.Shape.Length != 3)
            throw new DataFormatException($"{imagesPath}: expected unsigned-byte images of shape [n, rows, cols], found {images.ElementType} of shape [{string.Join(", ", images.Shape)}].", imagesPath);
        if (labels.ElementType != IdxElementType.UnsignedByte || labels.Shape.Length != 1)
            throw new DataFormatException($"{labelsPath}: expected unsigned-byte labels of shape [n], found {labels.ElementType} of shape [{string.Join(", ", labels.Shape)}].", labelsPath);
        int n = images.Shape[0], width = images.Shape[1] * images.Shape[2];
        if (labels.Shape[0] != n)
            throw new DataFormatException($"{labelsPath}: {labels.Shape[0]} labels for the {n} images in {imagesPath}; the files do not belong together.", labelsPath);

        Span<T> scale = stackalloc T[256];
        for (int b = 0; b < 256; b++) scale[b] = T.CreateTruncating(b / 255.0);
        var pixels = new T[images.Data.Length];
        var src = images.Data;
        for (int i = 0; i < pixels.Length; i++) pixels[i] = scale[src[i]];
        var y = new T[n];
        for (int i = 0; i < n; i++)
        {
            byte label = labels.Data[i];
            if (label > 9)
                throw new DataFormatException($"{labelsPath}: label {label} at position {i} is outside 0..9.", labelsPath);
            y[i] = T.CreateTruncating(label);
        }
        return new Dataset<T>(new Tensor<T>([n, width], pixels), new Tensor<T>([n], y), null, null, 10, classNames);
    }
}
