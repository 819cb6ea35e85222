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
/// plus <c>"__metadata__"</c> whose string values carry Descent's own document under the key <c>"descent"</c> and the
/// SHA-256 of the data section under <c>"sha256"</c>;</item>
/// <item>the data section: every tensor's elements, little-endian, row-major, at its offsets.</item>
/// </list>
/// Files are written atomically (a temporary file in the same folder, flushed, then renamed over the target), so a
/// crash leaves the old checkpoint or the new one, never half of one. Reading verifies the layout and the checksum
/// before returning anything.
/// </summary>
public sealed class Checkpoint
{
    /// <summary>The named tensors, as float64 (float32 tensors are stored as F32 and read back exactly).</summary>
    public Dictionary<string, (int[] Shape, double[] Values, bool IsFloat32)> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>Descent's metadata document (epoch, history, optimizer scalars, settings…).</summary>
    public JsonObject Metadata { get; set; } = [];

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
        var bytes = data.ToArray();
        header["__metadata__"] = new JsonObject
        {
            ["format"] = "descent-checkpoint-1",
            ["sha256"] = Convert.ToHexString(SHA256.HashData(bytes)),
            ["descent"] = Metadata.ToJsonString(),
        };
        if (ModelDescription is not null) ((JsonObject)header["__metadata__"]!)[Model.MetadataKey] = ModelDescription;
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerBytes.Length);
            stream.Write(len);
            stream.Write(headerBytes);
            stream.Write(bytes);
        });
    }

    /// <summary>Reads and verifies a checkpoint.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointException">Truncated, corrupted, or not a Descent checkpoint.</exception>
    public static Checkpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        var file = File.ReadAllBytes(path);
        if (file.Length < 8) throw new CheckpointException(path, "the file is too short to be a checkpoint (truncated?).");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > (ulong)(file.Length - 8)) throw new CheckpointException(path, "the header runs past the end of the file: the checkpoint is truncated or not a checkpoint.");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(file.AsSpan(8, (int)headerLength))?.AsObject() ?? throw new JsonException("empty header");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new CheckpointException(path, "the header is not valid JSON: the file is corrupted or not a checkpoint.");
        }
        var data = file.AsSpan(8 + (int)headerLength);
        if (header["__metadata__"] is not JsonObject meta || meta["format"]?.GetValue<string>() != "descent-checkpoint-1")
            throw new CheckpointException(path, "this is not a Descent checkpoint (its metadata has no \"format\": \"descent-checkpoint-1\").");
        var expected = meta["sha256"]?.GetValue<string>();
        if (expected != Convert.ToHexString(SHA256.HashData(data)))
            throw new CheckpointException(path, "the checksum does not match: the file is corrupted or truncated. Use an earlier checkpoint.");
        var checkpoint = new Checkpoint();
        try
        {
            checkpoint.Metadata = JsonNode.Parse(meta["descent"]!.GetValue<string>())!.AsObject();
            checkpoint.ModelDescription = meta[Model.MetadataKey]?.GetValue<string>();
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__") continue;
                var entry = node!.AsObject();
                string dtype = entry["dtype"]!.GetValue<string>();
                var shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                int size = Shapes.Size(shape), width = dtype == "F32" ? 4 : dtype == "F64" ? 8 : throw new CheckpointException(path, $"tensor '{name}' has unsupported dtype {dtype}.");
                if (offsets[1] - offsets[0] != (long)size * width || offsets[1] > data.Length)
                    throw new CheckpointException(path, $"tensor '{name}' has inconsistent offsets.");
                var values = new double[size];
                var bytes = data.Slice((int)offsets[0], size * width);
                for (int i = 0; i < size; i++)
                    values[i] = width == 4 ? BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]) : BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * 8)..]);
                checkpoint.Tensors[name] = (shape, values, width == 4);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException or ShapeException)
        {
            throw new CheckpointException(path, "the header is malformed: " + e.Message);
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

    /// <summary>Writes text atomically.</summary>
    public static void WriteAllText(string path, string text) => Write(path, s => { var b = Encoding.UTF8.GetBytes(text); s.Write(b); });
}
