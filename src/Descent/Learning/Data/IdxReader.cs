using System.Buffers.Binary;
using System.IO.Compression;

namespace Descent.Learning.Data;

/// <summary>The element type code of an IDX file (third byte of its magic number).</summary>
public enum IdxElementType : byte
{
    /// <summary>Unsigned 8-bit integers (0x08), as in MNIST.</summary>
    UnsignedByte = 0x08,
    /// <summary>Signed 8-bit integers (0x09).</summary>
    SignedByte = 0x09,
    /// <summary>Big-endian signed 16-bit integers (0x0B).</summary>
    Int16 = 0x0B,
    /// <summary>Big-endian signed 32-bit integers (0x0C).</summary>
    Int32 = 0x0C,
    /// <summary>Big-endian 32-bit floats (0x0D).</summary>
    Single = 0x0D,
    /// <summary>Big-endian 64-bit floats (0x0E).</summary>
    Double = 0x0E,
}

/// <summary>The content of an IDX file: its shape, element type and raw payload.</summary>
/// <param name="Shape">The dimensions, outermost first.</param>
/// <param name="ElementType">The element type.</param>
/// <param name="Data">The payload exactly as stored (big-endian for multi-byte types), row-major.</param>
public sealed record IdxArray(int[] Shape, IdxElementType ElementType, byte[] Data)
{
    /// <summary>The number of elements (the product of the shape).</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The elements converted to doubles, row-major.</summary>
    public double[] ToDoubleArray()
    {
        var result = new double[Count];
        var d = Data.AsSpan();
        for (int i = 0; i < result.Length; i++)
            result[i] = ElementType switch
            {
                IdxElementType.UnsignedByte => d[i],
                IdxElementType.SignedByte => (sbyte)d[i],
                IdxElementType.Int16 => BinaryPrimitives.ReadInt16BigEndian(d[(2 * i)..]),
                IdxElementType.Int32 => BinaryPrimitives.ReadInt32BigEndian(d[(4 * i)..]),
                IdxElementType.Single => BinaryPrimitives.ReadSingleBigEndian(d[(4 * i)..]),
                _ => BinaryPrimitives.ReadDoubleBigEndian(d[(8 * i)..]),
            };
        return result;
    }
}

/// <summary>
/// Reads IDX files (the MNIST format: magic <c>00 00 type rank</c>, then one big-endian int32 per dimension, then the
/// data), plain or gzip-compressed (detected by the gzip magic bytes <c>1f 8b</c>, whatever the file name).
/// A truncated, padded or corrupt file is a <see cref="DataFormatException"/> that says what was expected.
/// </summary>
public static class IdxReader
{
    /// <summary>
    /// Deflate expands at most about 1032 to 1: a gzip file whose header declares more data than this many times its
    /// own length is corrupt, and is refused before anything is allocated.
    /// </summary>
    private const long MaxGzipRatio = 1100;

    /// <summary>
    /// Reads an IDX file, decompressing it if it is gzip. The header is checked against the file's length (a plain
    /// file) or against what a gzip file of its length can hold before the payload is allocated, so a corrupt header
    /// declaring 2³¹ images, or an endless file such as <c>/dev/zero</c>, is an error and not gigabytes of memory.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is not a well-formed IDX file.</exception>
    public static IdxArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        using var file = File.OpenRead(path);
        // A device or pipe has no length: only what a regular file holds is trusted.
        long length = file.CanSeek ? file.Length : 0;
        Span<byte> magic = stackalloc byte[2];
        int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        if (file.CanSeek) file.Position = 0;
        else throw new DataFormatException($"{path}: not a regular file; an IDX file must be a file on disk.", path);
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return ReadStream(stream, path, path, gzip ? null : length, gzip ? length * MaxGzipRatio : length);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{path}: the gzip compression is corrupt ({e.Message}); download the file again.", path, inner: e);
        }
    }

    /// <summary>Reads IDX content (plain or gzip) from bytes in memory; <paramref name="name"/> is used in messages.</summary>
    /// <exception cref="DataFormatException">The content is not a well-formed IDX file.</exception>
    public static IdxArray Parse(byte[] content, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        string where = name ?? "IDX data";
        byte[] bytes = content;
        if (content.Length >= 2 && content[0] == 0x1f && content[1] == 0x8b)
        {
            try
            {
                bytes = Gunzip(content);
            }
            catch (InvalidDataException e)
            {
                throw new DataFormatException($"{where}: the gzip compression is corrupt ({e.Message}); download the file again.", name, inner: e);
            }
        }
        using var stream = new MemoryStream(bytes, writable: false);
        return ReadStream(stream, where, name, bytes.Length, bytes.Length);
    }

    /// <summary>
    /// Reads the header, then exactly the payload it declares. <paramref name="length"/> is the content's length when
    /// known (for messages); <paramref name="limit"/> bounds the payload the header may declare before it is allocated.
    /// </summary>
    private static IdxArray ReadStream(Stream stream, string where, string? name, long? length, long limit)
    {
        Span<byte> head = stackalloc byte[4];
        int got = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new DataFormatException($"{where}: {got} bytes is too short for an IDX file, which starts with a 4-byte magic number.", name);
        if (head[0] != 0 || head[1] != 0 || !Enum.IsDefined((IdxElementType)head[2]))
            throw new DataFormatException($"{where}: not an IDX file: the magic number is {head[0]:x2} {head[1]:x2} {head[2]:x2} {head[3]:x2}, expected 00 00 then a type code (08, 09, 0b, 0c, 0d, 0e) then the rank.", name);
        var type = (IdxElementType)head[2];
        int rank = head[3];
        if (rank == 0)
            throw new DataFormatException($"{where}: the IDX header declares rank 0; at least one dimension is needed.", name);
        int headerLength = 4 + 4 * rank;
        var dims = new byte[4 * rank];
        int dimBytes = stream.ReadAtLeast(dims, dims.Length, throwOnEndOfStream: false);
        if (dimBytes < dims.Length)
            throw new DataFormatException($"{where}: truncated header: rank {rank} needs {headerLength} header bytes but the file has {4 + dimBytes}.", name);
        var shape = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(dims.AsSpan(4 * i));
            if (shape[i] < 0)
                throw new DataFormatException($"{where}: dimension {i} is {shape[i]}; dimensions must not be negative.", name);
            count *= shape[i];
            if (count > Array.MaxLength)
                throw new DataFormatException($"{where}: the declared shape [{string.Join(", ", shape[..(i + 1)])}…] is too large to load.", name);
        }
        long expected = count * ElementSize(type);
        if (expected > Array.MaxLength)
            throw new DataFormatException($"{where}: the declared shape [{string.Join(", ", shape)}] of {type} needs {expected} bytes, too large to load.", name);
        if (length is long known && known - headerLength < expected)
            throw new DataFormatException($"{where}: truncated: the header declares shape [{string.Join(", ", shape)}] of {type}, which needs {expected} data bytes, but only {known - headerLength} follow; the file is incomplete.", name);
        if (length is null && expected > limit - headerLength)
            throw new DataFormatException($"{where}: the header declares shape [{string.Join(", ", shape)}] of {type}, {expected} data bytes, more than a gzip file of this size can hold; the file is corrupt.", name);
        var data = new byte[expected];
        int filled = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (filled < data.Length)
            throw new DataFormatException($"{where}: truncated: the header declares shape [{string.Join(", ", shape)}] of {type}, which needs {expected} data bytes, but only {filled} follow; the file is incomplete.", name);
        if (length is long total && total - headerLength > expected)
            throw new DataFormatException($"{where}: {total - headerLength - expected} unexpected bytes after the {expected} data bytes declared by shape [{string.Join(", ", shape)}]; the file is corrupt.", name);
        if (stream.Read(stackalloc byte[1]) != 0)
            throw new DataFormatException($"{where}: unexpected bytes after the {expected} data bytes declared by shape [{string.Join(", ", shape)}]; the file is corrupt.", name);
        return new IdxArray(shape, type, data);
    }

    /// <summary>
    /// Decompresses a gzip member straight into an array of its final size, read from the trailer's ISIZE field (the
    /// uncompressed length modulo 2³²), so a 47 MB image file costs one 47 MB array instead of a growing stream's
    /// doublings plus a copy. Falls back to a growing stream when the trailer does not match the data (several members,
    /// or more than 4 GB). A size beyond 64 times the compressed length is not trusted (a truncated file's last bytes are
    /// not a trailer), so a damaged file cannot make it allocate gigabytes.
    /// </summary>
    private static byte[] Gunzip(byte[] content)
    {
        uint size = content.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(content.Length - 4)) : 0;
        if (size > 0 && size <= Array.MaxLength && size <= 64L * content.Length)
        {
            var result = new byte[size];
            using var gzip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
            int filled = 0;
            while (filled < result.Length)
            {
                int read = gzip.Read(result, filled, result.Length - filled);
                if (read == 0) break;
                filled += read;
            }
            if (filled == result.Length && gzip.Read(stackalloc byte[1]) == 0) return result;
        }
        using var stream = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    private static int ElementSize(IdxElementType type) => type switch
    {
        IdxElementType.UnsignedByte or IdxElementType.SignedByte => 1,
        IdxElementType.Int16 => 2,
        IdxElementType.Int32 or IdxElementType.Single => 4,
        _ => 8,
    };
}
