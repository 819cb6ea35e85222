using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using Descent.Learning.Data;

namespace Descent.Cli.Infrastructure;

/// <summary>
/// Loads MNIST-format folders (MNIST, Fashion-MNIST) for the CLI with the least memory: the image files are
/// decompressed as a stream and their pixels written straight into the dataset's tensor in the training element type,
/// so the only large allocation is the tensor itself. <see cref="Mnist.Load{T}"/> gives the same datasets, but holds
/// the compressed file, the decompressed bytes and copies of them at once while it loads (for Fashion-MNIST in
/// float32 that is about 450 MB at the peak, against about 300 MB here).
/// </summary>
/// <remarks>Labels are small and go through the library's <see cref="IdxReader"/>; the values and names match <see cref="Mnist"/>.</remarks>
public static class ImageData
{
    private const int ChunkBytes = 1 << 16;

    /// <summary>Loads Fashion-MNIST from <see cref="Mnist.FashionMnistDefaultFolder"/>, with its class names.</summary>
    /// <exception cref="DatasetNotInstalledException">The folder or a file is absent; the message says how to install it.</exception>
    /// <exception cref="DataFormatException">A file is truncated or corrupt.</exception>
    public static (Dataset<T> Train, Dataset<T> Test) LoadFashionMnist<T>(string folder = Mnist.FashionMnistDefaultFolder)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        try
        {
            return Load<T>(folder, Mnist.FashionMnistClassNames);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DatasetNotInstalledException(
                $"Fashion-MNIST is not installed in {folder} ({e.Message}); install it with: {Mnist.FashionMnistInstallCommand}", folder);
        }
    }

    /// <summary>Loads the train and test splits from a folder of the four MNIST-format files (plain or .gz).</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="DataFormatException">A file is truncated or corrupt, or images and labels disagree.</exception>
    public static (Dataset<T> Train, Dataset<T> Test) Load<T>(string folder, IReadOnlyList<string>? classNames = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"MNIST folder not found: {folder}");
        var train = LoadSplit<T>(Find(folder, "train-images-idx3-ubyte"), Find(folder, "train-labels-idx1-ubyte"), classNames);
        var test = LoadSplit<T>(Find(folder, "t10k-images-idx3-ubyte"), Find(folder, "t10k-labels-idx1-ubyte"), classNames);
        return (train, test);
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
        var y = Tensor.Zeros<T>(n);
        var yData = y.Data;
        for (int i = 0; i < n; i++)
        {
            byte label = labels.Data[i];
            if (label > 9)
                throw new DataFormatException($"{labelsPath}: label {label} at position {i} is outside 0..9.", labelsPath);
            yData[i] = T.CreateTruncating(label);
        }
        return new Dataset<T>(x, y, null, null, 10, classNames);
    }

    /// <summary>Reads an unsigned-byte IDX file of shape [n, rows, cols] into a [n, rows·cols] tensor of pixel / 255.</summary>
    internal static Tensor<T> ReadImages<T>(string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return ReadImages<T>(stream, path);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{path}: the gzip compression is corrupt ({e.Message}); download the file again.", path, inner: e);
        }
    }

    internal static Tensor<T> ReadImages<T>(Stream stream, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
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

        Span<T> scale = stackalloc T[256];
        for (int b = 0; b < 256; b++) scale[b] = T.CreateTruncating(b / 255.0);
        var x = Tensor.Zeros<T>(n, rows * cols);
        var pixels = x.Data;
        var chunk = new byte[ChunkBytes];
        int filled = 0;
        while (filled < pixels.Length)
        {
            int read = stream.Read(chunk, 0, Math.Min(chunk.Length, pixels.Length - filled));
            if (read == 0)
                throw new DataFormatException($"{path}: truncated: the header declares shape [{n}, {rows}, {cols}], which needs {pixels.Length} data bytes, but only {filled} follow; the file is incomplete.", path);
            var target = pixels.Slice(filled, read);
            for (int i = 0; i < read; i++) target[i] = scale[chunk[i]];
            filled += read;
        }
        if (stream.Read(chunk, 0, 1) != 0)
            throw new DataFormatException($"{path}: unexpected bytes after the {pixels.Length} data bytes declared by shape [{n}, {rows}, {cols}]; the file is corrupt.", path);
        return x;
    }
}
