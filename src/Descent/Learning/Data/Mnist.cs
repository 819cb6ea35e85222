using System.Buffers.Binary;
using System.IO.Compression;
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
        var labels = IdxReader.Read(labelsPath);
        if (labels.ElementType != IdxElementType.UnsignedByte || labels.Shape.Length != 1)
            throw new DataFormatException($"{labelsPath}: expected unsigned-byte labels of shape [n], found {labels.ElementType} of shape [{string.Join(", ", labels.Shape)}].", labelsPath);
        var x = ReadImages<T>(imagesPath);
        int n = x.Shape[0];
        if (labels.Shape[0] != n)
            throw new DataFormatException($"{labelsPath}: {labels.Shape[0]} labels for the {n} images in {imagesPath}; the files do not belong together.", labelsPath);
        var y = new T[n];
        for (int i = 0; i < n; i++)
        {
            byte label = labels.Data[i];
            if (label > 9)
                throw new DataFormatException($"{labelsPath}: label {label} at position {i} is outside 0..9.", labelsPath);
            y[i] = T.CreateTruncating(label);
        }
        return new Dataset<T>(x, new Tensor<T>([n], y), null, null, 10, classNames);
    }

    /// <summary>
    /// Reads an unsigned-byte IDX file of shape [n, rows, cols] (plain or gzip) into a [n, rows·cols] tensor of
    /// pixel / 255, decompressing as a stream straight into the tensor: the tensor is the only large allocation
    /// (Fashion-MNIST's training images in float32: 188 MB, where holding the file, its decompressed bytes and a copy
    /// would add about 100 MB more at the peak).
    /// </summary>
    private static Tensor<T> ReadImages<T>(string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var file = File.OpenRead(path);
        if (!file.CanSeek) throw new DataFormatException($"{path}: not a regular file; an IDX file must be a file on disk.", path);
        Span<byte> magic = stackalloc byte[2];
        int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        long length = file.Length;
        bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return ReadImages<T>(stream, path, gzip ? null : length, gzip ? length * 1100 : length);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{path}: the gzip compression is corrupt ({e.Message}); download the file again.", path, inner: e);
        }
    }

    // The payload the header declares is checked against the file's length (plain) or what a gzip file of its length
    // can hold (deflate expands at most about 1032:1) before it is allocated: a corrupt header declaring 2³¹ images is
    // an error, not gigabytes of memory.
    private static Tensor<T> ReadImages<T>(Stream stream, string path, long? length, long limit) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<byte> header = stackalloc byte[16];
        int headerBytes = stream.ReadAtLeast(header[..4], 4, throwOnEndOfStream: false);
        if (headerBytes < 4 || header[0] != 0 || header[1] != 0)
            throw new DataFormatException($"{path}: not an IDX file: it does not start with 00 00, a type code and the rank.", path);
        if (header[2] != (byte)IdxElementType.UnsignedByte || header[3] != 3)
            throw new DataFormatException($"{path}: expected unsigned-byte images of shape [n, rows, cols], found type code {header[2]:x2} with rank {header[3]}.", path);
        if (stream.ReadAtLeast(header[4..], 12, throwOnEndOfStream: false) < 12)
            throw new DataFormatException($"{path}: truncated header: rank 3 needs 16 header bytes.", path);
        int n = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        int rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        int cols = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        if (n < 0 || rows < 0 || cols < 0 || (long)n * rows * cols > Array.MaxLength)
            throw new DataFormatException($"{path}: the declared shape [{n}, {rows}, {cols}] is negative or too large to load.", path);
        long declared = (long)n * rows * cols;
        if (length is long known && known - 16 < declared)
            throw new DataFormatException($"{path}: truncated: the header declares shape [{n}, {rows}, {cols}], which needs {declared} data bytes, but only {Math.Max(0, known - 16)} follow; the file is incomplete.", path);
        if (length is null && declared > limit)
            throw new DataFormatException($"{path}: the header declares shape [{n}, {rows}, {cols}], {declared} data bytes, more than a gzip file of this size can hold; the file is corrupt.", path);

        Span<T> scale = stackalloc T[256];
        for (int b = 0; b < 256; b++) scale[b] = T.CreateTruncating(b / 255.0);
        var pixels = new T[n * rows * cols];
        var chunk = new byte[1 << 16];
        int filled = 0;
        while (filled < pixels.Length)
        {
            int read = stream.Read(chunk, 0, Math.Min(chunk.Length, pixels.Length - filled));
            if (read == 0)
                throw new DataFormatException($"{path}: truncated: the header declares shape [{n}, {rows}, {cols}], which needs {pixels.Length} data bytes, but only {filled} follow; the file is incomplete.", path);
            var target = pixels.AsSpan(filled, read);
            for (int i = 0; i < read; i++) target[i] = scale[chunk[i]];
            filled += read;
        }
        if (stream.Read(chunk, 0, 1) != 0)
            throw new DataFormatException($"{path}: unexpected bytes after the {pixels.Length} data bytes declared by shape [{n}, {rows}, {cols}]; the file is corrupt.", path);
        return new Tensor<T>([n, rows * cols], pixels);
    }
}
