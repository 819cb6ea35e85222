using System.Buffers.Binary;
using System.IO.Compression;
using Descent.Learning.Data;

namespace Descent.Tests.Learning.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>An IDX file's bytes: magic 00 00 type rank, big-endian dimensions, payload.</summary>
    internal static byte[] Idx(byte type, int[] shape, byte[] payload)
    {
        var bytes = new byte[4 + 4 * shape.Length + payload.Length];
        bytes[2] = type;
        bytes[3] = (byte)shape.Length;
        for (int i = 0; i < shape.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), shape[i]);
        payload.CopyTo(bytes, 4 + 4 * shape.Length);
        return bytes;
    }

    internal static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(bytes);
        return output.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsRawAndGzip(bool gzip)
    {
        var raw = Idx(0x08, [2, 3], [0, 1, 2, 253, 254, 255]);
        // The name never says .gz: compression is detected from the magic bytes.
        var a = IdxReader.Read(Write("tiny-idx2-ubyte", gzip ? Gzip(raw) : raw));
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal(IdxElementType.UnsignedByte, a.ElementType);
        Assert.Equal(new byte[] { 0, 1, 2, 253, 254, 255 }, a.Data);
        Assert.Equal(new double[] { 0, 1, 2, 253, 254, 255 }, a.ToDoubleArray());
    }

    [Fact]
    public void ConvertsBigEndianTypes()
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, -7);
        BinaryPrimitives.WriteSingleBigEndian(payload.AsSpan(4), 2.5f);
        Assert.Equal(new double[] { -7 }, IdxReader.Parse(Idx(0x0C, [1], payload[..4])).ToDoubleArray());
        Assert.Equal(new double[] { 2.5 }, IdxReader.Parse(Idx(0x0D, [1], payload[4..])).ToDoubleArray());
    }

    [Fact]
    public void TruncatedDataIsReported()
    {
        string path = Write("short", Idx(0x08, [2, 3], [1, 2, 3, 4]));
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("needs 6 data bytes, but only 4", e.Message);
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void TruncatedGzipIsReported()
    {
        var gz = Gzip(Idx(0x08, [100], new byte[100]));
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Parse(gz[..(gz.Length / 2)], "half.gz"));
        Assert.Contains("half.gz", e.Message);
    }

    [Fact]
    public void CorruptHeadersAreReported()
    {
        Assert.Contains("not an IDX file", Assert.Throws<DataFormatException>(() => IdxReader.Parse([1, 2, 3, 4, 5, 6, 7, 8])).Message);
        Assert.Contains("too short", Assert.Throws<DataFormatException>(() => IdxReader.Parse([0, 0])).Message);
        Assert.Contains("truncated header", Assert.Throws<DataFormatException>(() => IdxReader.Parse([0, 0, 8, 3, 0, 0, 0, 1])).Message);
        Assert.Contains("unexpected bytes", Assert.Throws<DataFormatException>(() => IdxReader.Parse(Idx(0x08, [1], [1, 2]))).Message);
        Assert.Contains("gzip", Assert.Throws<DataFormatException>(() => IdxReader.Parse([0x1f, 0x8b, 8, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9])).Message);
    }

    /// <summary>
    /// A header declaring far more data than the file can hold (2³¹ − 1 images; or, gzip, more than deflate can expand
    /// the file to) is refused before the payload is allocated: a few hundred bytes allocated, not gigabytes.
    /// </summary>
    [Theory]
    [InlineData(false, new[] { int.MaxValue }, "too large")]
    [InlineData(false, new[] { 1 << 30 }, "truncated")]
    [InlineData(true, new[] { 1 << 30 }, "more than a gzip file")]
    [InlineData(false, new[] { 1 << 20, 28, 28 }, "truncated")]
    [InlineData(true, new[] { 1 << 20, 28, 28 }, "more than a gzip file")]
    public void HugeDeclaredShapesFailBeforeAllocating(bool gzip, int[] shape, string expected)
    {
        var raw = Idx(0x08, shape, new byte[16]);
        string path = Write("huge", gzip ? Gzip(raw) : raw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(expected, e.Message);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes before refusing the header");
    }

    /// <summary>An endless device is not read to the end: its first bytes are not an IDX header.</summary>
    [Fact]
    public void DevZeroIsRefusedAtOnce()
    {
        if (!File.Exists("/dev/zero")) return; // Linux and macOS have it; nothing to test elsewhere
        Assert.Contains("not an IDX file", Assert.Throws<DataFormatException>(() => IdxReader.Read("/dev/zero")).Message);
    }
}
