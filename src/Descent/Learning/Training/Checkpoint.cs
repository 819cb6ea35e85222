using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Descent.Learning.Training;

/// <summary>
/// A checkpoint file: named tensors plus a JSON metadata document, in the <b>safetensors</b> layout so other tools can
/// read the tensors:
/// <list type="number">
/// <item>8 bytes: the header length N, unsigned little-endian;</item>
/// <item>N bytes: a UTF-8 JSON header mapping each tensor name to <c>{"dtype": "F64"|"F32", "shape": [...], "data_offsets": [begin, end]}</c>,
/// plus <c>"__metadata__"</c> whose string values are <c>"format": "descent-checkpoint-2"</c>, Descent's own document
/// under <c>"descent"</c>, and <c>"sha256"</c>;</item>
/// <item>the data section: every tensor's elements, little-endian, row-major, at its offsets.</item>
/// </list>
/// <para>
/// The <c>"sha256"</c> value covers the <b>whole file</b>: it is the SHA-256 of the file as written with the 64 hex
/// digits of the digest itself replaced by the character <c>0</c> (so the length field, the header and the data are all
/// covered, and the file stays a plain safetensors file). A reader verifies it before interpreting anything but the
/// header's JSON syntax.
/// </para>
/// <para>
/// Files are written atomically (a temporary file in the same folder, flushed, then renamed over the target), so a
/// crash leaves the old checkpoint or the new one, never half of one; temporary files left by a killed write are
/// removed at the next save of the same checkpoint, or at a load once they are <see cref="StaleAfter"/> old (a reader
/// must not remove the temporary file of a write in progress). Reading is bounded: the header may be at most
/// <see cref="MaxHeaderBytes"/>, only the file's own length is read, and every malformed file (truncated, flipped bits,
/// bad offsets, a foreign file, <c>/dev/zero</c>) raises <see cref="CheckpointException.Corrupted"/>.
/// </para>
/// </summary>
public sealed class Checkpoint
{
    /// <summary>The format tag in <c>__metadata__.format</c>.</summary>
    public const string Format = "descent-checkpoint-2";

    /// <summary>The largest header accepted when reading (larger length fields are treated as corruption).</summary>
    public const int MaxHeaderBytes = 16 << 20;

    /// <summary>How old a leftover temporary file must be before a reader removes it (a writer removes any at its next save).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    private const string DigestPlaceholder = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The named tensors, as float64 (float32 tensors are stored as F32 and read back exactly).</summary>
    public Dictionary<string, (int[] Shape, double[] Values, bool IsFloat32)> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>Descent's metadata document (epoch, position, optimizer scalars, settings…). Write non-finite numbers with <see cref="Number"/>.</summary>
    public JsonObject Metadata { get; set; } = [];

    /// <summary>The file this checkpoint was read from (null for one built in memory).</summary>
    public string? Path { get; private set; }

    /// <summary>
    /// The trained model's description (<see cref="Model.Describe"/>), kept in the safetensors metadata under
    /// <see cref="Model.MetadataKey"/> so that a checkpoint is also a model file for <see cref="Model.Load"/>; null when none.
    /// </summary>
    public string? ModelDescription { get; set; }

    /// <summary>Adds a tensor's values under <paramref name="name"/>.</summary>
    public void Add<T>(string name, Tensor<T> tensor) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Tensors[name] = (tensor.ShapeArray, tensor.ToDoubleArray(), typeof(T) == typeof(float));

    /// <summary>Adds a plain array under <paramref name="name"/> as a 1-D float64 tensor.</summary>
    public void Add(string name, double[] values) => Tensors[name] = ([values.Length], (double[])values.Clone(), false);

    /// <summary>A JSON node for <paramref name="value"/>: a number, or the strings "NaN", "Infinity", "-Infinity" (JSON has no non-finite numbers).</summary>
    public static JsonNode Number(double value) => double.IsNaN(value) ? JsonValue.Create("NaN")
        : double.IsPositiveInfinity(value) ? JsonValue.Create("Infinity")
        : double.IsNegativeInfinity(value) ? JsonValue.Create("-Infinity")
        : JsonValue.Create(value);

    /// <summary>Reads a number written by <see cref="Number"/>.</summary>
    /// <exception cref="FormatException">The node is neither a number nor one of the three strings.</exception>
    public static double ReadNumber(JsonNode? node)
    {
        if (node is JsonValue v)
        {
            if (v.GetValueKind() == JsonValueKind.Number) return v.GetValue<double>();
            if (v.GetValueKind() == JsonValueKind.String)
                return v.GetValue<string>() switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    var s => throw new FormatException($"'{s}' is not a number."),
                };
        }
        throw new FormatException($"expected a number, found {node?.ToJsonString() ?? "nothing"}.");
    }

    /// <summary>Writes the checkpoint atomically.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var data = new MemoryStream();
        var header = new JsonObject();
        var buffer = new byte[8];
        foreach (var (name, (shape, values, isFloat)) in Tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            long begin = data.Length;
            foreach (double v in values)
            {
                if (isFloat) { BinaryPrimitives.WriteSingleLittleEndian(buffer, (float)v); data.Write(buffer, 0, 4); }
                else { BinaryPrimitives.WriteDoubleLittleEndian(buffer, v); data.Write(buffer); }
            }
            header[name] = new JsonObject
            {
                ["dtype"] = isFloat ? "F32" : "F64",
                ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(begin, data.Length),
            };
        }
        header["__metadata__"] = new JsonObject
        {
            ["format"] = Format,
            ["descent"] = Metadata.ToJsonString(),
            ["sha256"] = DigestPlaceholder,
        };
        if (ModelDescription is not null) ((JsonObject)header["__metadata__"]!)[Model.MetadataKey] = ModelDescription;
        var headerText = header.ToJsonString();
        // safetensors readers like the data section 8-byte aligned: pad the header with spaces.
        headerText += new string(' ', (8 - Encoding.UTF8.GetByteCount(headerText) % 8) % 8);
        var headerBytes = Encoding.UTF8.GetBytes(headerText);
        int digestAt = DigestPosition(headerBytes, DigestPlaceholder) ?? throw new InvalidOperationException("The checkpoint header lost its digest field.");
        var bytes = data.GetBuffer().AsSpan(0, (int)data.Length);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            hash.AppendData(length);
            hash.AppendData(headerBytes);
            hash.AppendData(bytes);
            Encoding.ASCII.GetBytes(Convert.ToHexString(hash.GetHashAndReset()), headerBytes.AsSpan(digestAt, 64));
        }
        var payload = data;
        AtomicFile.RemoveStaleTemporaries(path);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(length);
            stream.Write(headerBytes);
            stream.Write(payload.GetBuffer(), 0, (int)payload.Length);
        });
    }

    /// <summary>Where the 64 hex digits of <c>"sha256":"…"</c> start in the header, if the field occurs exactly once.</summary>
    private static int? DigestPosition(ReadOnlySpan<byte> header, string digest)
    {
        var needle = Encoding.ASCII.GetBytes("\"sha256\":\"" + digest + "\"");
        int at = header.IndexOf(needle);
        if (at < 0 || header[(at + 1)..].IndexOf(needle) >= 0) return null;
        return at + needle.Length - 65;
    }

    /// <summary>Reads and verifies a checkpoint.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointException">Truncated, corrupted, or not a Descent checkpoint (always <see cref="CheckpointException.IsCorrupted"/>).</exception>
    public static Checkpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        AtomicFile.RemoveStaleTemporaries(path, StaleAfter);
        byte[] file = ReadBounded(path);
        try
        {
            return Parse(path, file);
        }
        catch (CheckpointException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Belt and braces: whatever a malformed file makes the parser throw, the caller sees the one error.
            throw CheckpointException.Corrupted(path, "its header is malformed (" + e.Message + ")");
        }
    }

    /// <summary>
    /// The file's bytes, reading no more than its length (a device such as /dev/zero reports length 0). The length
    /// field and the header are checked first: a foreign file (whose first 8 bytes are no plausible header length, or
    /// whose header is no JSON) is refused after reading at most <see cref="MaxHeaderBytes"/>.
    /// </summary>
    private static byte[] ReadBounded(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            long length = stream.CanSeek ? stream.Length : 0;
            if (length < 8) throw CheckpointException.Corrupted(path, $"it is {length} bytes long, too short for a checkpoint (truncated, empty, or not a regular file)");
            if (length > Array.MaxLength) throw CheckpointException.Corrupted(path, $"it is {length} bytes long, more than a checkpoint can be");
            var file = new byte[length];
            stream.ReadExactly(file, 0, 8);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
            if (headerLength <= MaxHeaderBytes && headerLength <= (ulong)(length - 8))
            {
                stream.ReadExactly(file, 8, (int)headerLength);
                if (headerLength == 0 || file[8] != (byte)'{')
                    throw CheckpointException.Corrupted(path, "its header is not a JSON object: it is not a checkpoint");
                stream.ReadExactly(file, 8 + (int)headerLength, (int)(length - 8 - (long)headerLength));
            }
            return file; // an implausible length field is reported by Parse, with nothing more read
        }
        catch (EndOfStreamException)
        {
            throw CheckpointException.Corrupted(path, "it ended while being read (truncated while in use?)");
        }
    }

    private static Checkpoint Parse(string path, byte[] file)
    {
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > MaxHeaderBytes)
            throw CheckpointException.Corrupted(path, $"its header length field says {headerLength} bytes, more than any checkpoint header ({MaxHeaderBytes}); it is not a checkpoint or its first bytes are damaged");
        if (headerLength > (ulong)(file.Length - 8))
            throw CheckpointException.Corrupted(path, $"its header ({headerLength} bytes) runs past the end of the {file.Length}-byte file: the file is truncated or not a checkpoint");
        var headerBytes = file.AsSpan(8, (int)headerLength);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes) as JsonObject ?? throw new JsonException("the header is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw CheckpointException.Corrupted(path, "its header is not valid JSON");
        }
        if (header["__metadata__"] is not JsonObject meta || meta["format"] is not JsonValue formatNode || formatNode.GetValueKind() != JsonValueKind.String)
            throw CheckpointException.Corrupted(path, "it is not a Descent checkpoint (its safetensors metadata has no \"format\")");
        string format = formatNode.GetValue<string>();
        if (format == "descent-checkpoint-1")
            throw CheckpointException.Corrupted(path, "it was written by an older Descent (format descent-checkpoint-1, whose checksum did not cover the header), which this version does not read");
        if (format != Format)
            throw CheckpointException.Corrupted(path, $"it is not a Descent checkpoint this version reads (format '{format}', expected '{Format}')");
        if (meta["sha256"] is not JsonValue digestNode || digestNode.GetValueKind() != JsonValueKind.String
            || digestNode.GetValue<string>() is not { Length: 64 } digest || DigestPosition(headerBytes, digest) is not int digestAt)
            throw CheckpointException.Corrupted(path, "its checksum field is missing or damaged");
        var zeroed = headerBytes.ToArray();
        Encoding.ASCII.GetBytes(DigestPlaceholder, zeroed.AsSpan(digestAt, 64));
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            hash.AppendData(file, 0, 8);
            hash.AppendData(zeroed);
            hash.AppendData(file, 8 + (int)headerLength, file.Length - 8 - (int)headerLength);
            if (!string.Equals(Convert.ToHexString(hash.GetHashAndReset()), digest, StringComparison.Ordinal))
                throw CheckpointException.Corrupted(path, "its SHA-256 checksum does not match its contents (bits changed on disk or in transfer, or the file was cut short)");
        }

        var data = file.AsSpan(8 + (int)headerLength);
        var checkpoint = new Checkpoint { Path = path };
        if (meta["descent"] is not JsonValue doc || doc.GetValueKind() != JsonValueKind.String || JsonNode.Parse(doc.GetValue<string>()) is not JsonObject metadata)
            throw CheckpointException.Corrupted(path, "its Descent metadata is missing or not a JSON object");
        checkpoint.Metadata = metadata;
        checkpoint.ModelDescription = meta[Model.MetadataKey] is JsonValue model && model.GetValueKind() == JsonValueKind.String ? model.GetValue<string>() : null;
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__") continue;
            if (node is not JsonObject entry || entry["dtype"] is not JsonValue dtypeNode || entry["shape"] is not JsonArray shapeNode || entry["data_offsets"] is not JsonArray offsetNode || offsetNode.Count != 2)
                throw CheckpointException.Corrupted(path, $"tensor '{name}' has no dtype, shape and data_offsets");
            string dtype = dtypeNode.GetValue<string>();
            int width = dtype switch { "F32" => 4, "F64" => 8, _ => throw CheckpointException.Corrupted(path, $"tensor '{name}' has dtype '{dtype}', not F32 or F64") };
            var shape = shapeNode.Select(d => d?.GetValue<int>() ?? -1).ToArray();
            long size = 1;
            foreach (int d in shape)
            {
                if (d < 0 || (size *= d) > data.Length) throw CheckpointException.Corrupted(path, $"tensor '{name}' has shape [{string.Join(", ", shape)}], which does not fit the file");
            }
            long begin = offsetNode[0]?.GetValue<long>() ?? -1, end = offsetNode[1]?.GetValue<long>() ?? -1;
            if (begin < 0 || end < begin || end > data.Length || end - begin != size * width)
                throw CheckpointException.Corrupted(path, $"tensor '{name}' has data offsets [{begin}, {end}] that do not match its shape or the {data.Length}-byte data section");
            var values = new double[size];
            var bytes = data.Slice((int)begin, (int)(size * width));
            for (int i = 0; i < values.Length; i++)
                values[i] = width == 4 ? BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]) : BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * 8)..]);
            checkpoint.Tensors[name] = (shape, values, width == 4);
        }
        return checkpoint;
    }

    /// <summary>The tensor stored under <paramref name="name"/> as a <see cref="Tensor{T}"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor.</exception>
    public Tensor<T> Get<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!Tensors.TryGetValue(name, out var t)) throw new KeyNotFoundException($"The checkpoint has no tensor '{name}'.");
        var result = Tensor.Zeros<T>(t.Shape);
        for (int i = 0; i < t.Values.Length; i++) result.Data[i] = T.CreateTruncating(t.Values[i]);
        return result;
    }
}

/// <summary>Writes files so that readers see either the old content or the new, never a partial file.</summary>
public static class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> to a temporary file beside <paramref name="path"/>, flushes it to disk, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temp = System.IO.Path.Combine(folder, "." + System.IO.Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// Deletes the temporary files that a killed <see cref="Write"/> to <paramref name="path"/> left beside it
    /// (<c>.NAME.XXXXXXXX.tmp</c>) and that were last written at least <paramref name="minimumAge"/> ago. Only that
    /// exact pattern is touched. A writer passes zero (it owns the file: two writers of one file are a mistake); a
    /// reader passes a margin so it never removes the temporary file of a write in progress in another process.
    /// Returns how many were removed.
    /// </summary>
    public static int RemoveStaleTemporaries(string path, TimeSpan minimumAge = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) return 0;
        string prefix = "." + System.IO.Path.GetFileName(full) + ".";
        int removed = 0;
        try
        {
            foreach (var candidate in Directory.EnumerateFiles(folder, prefix + "*.tmp"))
            {
                var name = System.IO.Path.GetFileName(candidate);
                if (name.Length != prefix.Length + 12 || !name.StartsWith(prefix, StringComparison.Ordinal)) continue;
                if (!name.AsSpan(prefix.Length, 8).ContainsAnyExcept("0123456789abcdef") && DateTime.UtcNow - File.GetLastWriteTimeUtc(candidate) >= minimumAge)
                {
                    try { File.Delete(candidate); removed++; } catch (IOException) { } catch (UnauthorizedAccessException) { }
                }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return removed;
    }

    /// <summary>Writes text atomically.</summary>
    public static void WriteAllText(string path, string text) => Write(path, s => { var b = Encoding.UTF8.GetBytes(text); s.Write(b); });
}
