using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Descent.Interop.Torch;

/// <summary>One named tensor of a state_dict, in PyTorch's layout (a Linear weight is [out, in]), as float64 values.</summary>
/// <param name="Name">PyTorch's parameter name, e.g. <c>0.weight</c> or <c>fc1.bias</c>.</param>
/// <param name="Shape">The shape.</param>
/// <param name="Values">The values, row-major.</param>
/// <param name="DType">The stored element type: float32, float64, float16, bfloat16, int64….</param>
public sealed record NamedTensor(string Name, int[] Shape, double[] Values, string DType);

/// <summary>
/// A PyTorch state_dict read from a file: the tensors in the file's order (<c>torch.save</c> keeps the module's
/// order; a safetensors file's names are put in natural order, <c>layer2</c> before <c>layer10</c>).
/// </summary>
public sealed class StateDict
{
    private const long MaxHeaderBytes = 100L << 20;

    private StateDict(string path, IReadOnlyList<NamedTensor> tensors) => (Path, Tensors) = (path, tensors);

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The tensors, in order.</summary>
    public IReadOnlyList<NamedTensor> Tensors { get; }

    /// <summary>
    /// Reads a state_dict from a file written by <c>torch.save(model.state_dict(), path)</c> (the zip format of
    /// PyTorch 1.6 and later) or by safetensors (<c>save_file(model.state_dict(), path)</c>), told apart by content.
    /// A checkpoint dictionary holding the state_dict under <c>state_dict</c> or <c>model_state_dict</c> is read too.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InteropFormatException">Neither format, truncated, or a pickle holding anything but tensors and dictionaries.</exception>
    public static StateDict Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No file at '{path}'.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 4 && bytes[0] == 'P' && bytes[1] == 'K') return FromTorchZip(path, bytes);
        if (bytes.Length >= 2 && bytes[0] == 0x80 && bytes[1] <= 5)
            throw new InteropFormatException(path, "this is a legacy (pre-1.6) PyTorch file; re-save it with a current PyTorch: torch.save(torch.load(path), new_path).");
        if (bytes.Length >= 9 && BinaryPrimitives.ReadUInt64LittleEndian(bytes) is var n && n > 1 && n <= (ulong)(bytes.Length - 8) && bytes[8] == (byte)'{')
            return FromSafetensors(path, bytes, (long)n);
        throw new InteropFormatException(path, "this is neither a PyTorch file (torch.save writes a zip) nor a safetensors file; save the weights with torch.save(model.state_dict(), path) or safetensors' save_file.");
    }

    private static StateDict FromTorchZip(string path, byte[] bytes)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            var pickles = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) || e.FullName == "data.pkl").ToList();
            if (pickles.Count != 1) throw new InteropFormatException(path, "this zip is not a PyTorch file: it has no data.pkl.");
            string prefix = pickles[0].FullName[..^"data.pkl".Length];
            if (zip.GetEntry(prefix + "byteorder") is { } order && ReadAll(order) is var o && Encoding.ASCII.GetString(o).Trim() != "little")
                throw new InteropFormatException(path, "the file was written on a big-endian machine; re-save it on a little-endian one.");
            var root = StateDictPickle.Read(ReadAll(pickles[0]), path);
            var dict = root as StateDictPickle.Dict ?? throw new InteropFormatException(path, "the pickle holds no dictionary of tensors (save model.state_dict(), not the model).");
            if (dict.All(kv => kv.Value is not StateDictPickle.TensorView))
            {
                var inner = dict.FirstOrDefault(kv => kv.Key is "state_dict" or "model_state_dict" or "model").Value as StateDictPickle.Dict;
                dict = inner ?? throw new InteropFormatException(path, "the dictionary holds no tensors (nor a 'state_dict' or 'model_state_dict' entry that does).");
            }
            var storages = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var tensors = new List<NamedTensor>();
            foreach (var (key, value) in dict)
            {
                if (key is not string name) throw new InteropFormatException(path, "a state_dict key that is not a string.");
                if (value is not StateDictPickle.TensorView view) throw new InteropFormatException(path, $"'{name}' is not a tensor: a state_dict holds only tensors.");
                if (!storages.TryGetValue(view.Storage.Key, out var storage))
                {
                    var entry = zip.GetEntry(prefix + "data/" + view.Storage.Key) ?? throw new InteropFormatException(path, $"the storage of '{name}' (data/{view.Storage.Key}) is missing: the file is truncated.");
                    storages[view.Storage.Key] = storage = ReadAll(entry);
                }
                tensors.Add(Gather(path, name, view, storage));
            }
            return new StateDict(path, tensors);
        }
        catch (InvalidDataException e)
        {
            throw new InteropFormatException(path, "the zip is damaged or truncated (" + e.Message + ").");
        }
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        if (entry.Length > int.MaxValue) throw new InvalidDataException($"entry {entry.FullName} is too large");
        using var stream = entry.Open();
        var bytes = new byte[entry.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static int Width(string dtype) => dtype switch
    {
        "float64" or "int64" => 8, "float32" or "int32" => 4, "float16" or "bfloat16" or "int16" => 2, _ => 1,
    };

    private static double Element(string dtype, ReadOnlySpan<byte> b) => dtype switch
    {
        "float32" => BinaryPrimitives.ReadSingleLittleEndian(b),
        "float64" => BinaryPrimitives.ReadDoubleLittleEndian(b),
        "float16" => (double)BinaryPrimitives.ReadHalfLittleEndian(b),
        "bfloat16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16),
        "int64" => BinaryPrimitives.ReadInt64LittleEndian(b),
        "int32" => BinaryPrimitives.ReadInt32LittleEndian(b),
        "int16" => BinaryPrimitives.ReadInt16LittleEndian(b),
        "int8" => (sbyte)b[0],
        _ => b[0],
    };

    /// <summary>The tensor's values in row-major order, read through its offset and strides.</summary>
    private static NamedTensor Gather(string path, string name, StateDictPickle.TensorView view, byte[] storage)
    {
        string dtype = view.Storage.DType;
        int width = Width(dtype);
        long size = view.Shape.Aggregate(1L, (a, d) => a * d);
        if (size > int.MaxValue / 8) throw new InteropFormatException(path, $"'{name}' is too large ({size} elements).");
        var values = new double[size];
        var index = new int[view.Shape.Length];
        for (long i = 0; i < size; i++)
        {
            long at = view.Offset;
            for (int d = 0; d < index.Length; d++) at += index[d] * view.Stride[d];
            if (at < 0 || (at + 1) * width > storage.Length) throw new InteropFormatException(path, $"'{name}' reads past the end of its storage: the file is truncated or damaged.");
            values[i] = Element(dtype, storage.AsSpan((int)(at * width), width));
            for (int d = index.Length - 1; d >= 0; d--)
            {
                if (++index[d] < view.Shape[d]) break;
                index[d] = 0;
            }
        }
        return new NamedTensor(name, view.Shape, values, dtype);
    }

    private static StateDict FromSafetensors(string path, byte[] bytes, long headerLength)
    {
        if (headerLength > MaxHeaderBytes) throw new InteropFormatException(path, "the safetensors header is larger than any model's.");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength))?.AsObject() ?? throw new JsonException("empty");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InteropFormatException(path, "the safetensors header is not JSON: the file is damaged or not safetensors.");
        }
        var data = bytes.AsSpan(8 + (int)headerLength);
        var tensors = new List<NamedTensor>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__") continue;
            try
            {
                var entry = node!.AsObject();
                string dtype = entry["dtype"]!.GetValue<string>() switch
                {
                    "F32" => "float32", "F64" => "float64", "F16" => "float16", "BF16" => "bfloat16", "I64" => "int64", "I32" => "int32",
                    "I16" => "int16", "I8" => "int8", "U8" => "uint8", "BOOL" => "bool",
                    var other => throw new InteropFormatException(path, $"tensor '{name}' has dtype {other}, which Descent does not read."),
                };
                var shape = entry["shape"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
                long size = shape.Aggregate(1L, (a, d) => a * d);
                int width = Width(dtype);
                if (shape.Any(d => d < 0) || offsets.Length != 2 || offsets[0] < 0 || offsets[1] > data.Length || offsets[1] - offsets[0] != size * width)
                    throw new InteropFormatException(path, $"tensor '{name}' lies outside the file or does not match its shape: the file is truncated or damaged.");
                var values = new double[size];
                var span = data.Slice((int)offsets[0], (int)(size * width));
                for (int i = 0; i < size; i++) values[i] = Element(dtype, span.Slice(i * width, width));
                tensors.Add(new NamedTensor(name, shape, values, dtype));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
            {
                throw new InteropFormatException(path, $"the safetensors entry '{name}' is malformed.");
            }
        }
        tensors.Sort((a, b) => NaturalCompare(a.Name, b.Name));
        return new StateDict(path, tensors);
    }

    /// <summary>Compares names with their digit runs as numbers: <c>layers.2</c> before <c>layers.10</c>.</summary>
    internal static int NaturalCompare(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                int si = i, sj = j;
                while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                var x = a.AsSpan(si, i - si).TrimStart('0');
                var y = b.AsSpan(sj, j - sj).TrimStart('0');
                int c = x.Length != y.Length ? x.Length.CompareTo(y.Length) : x.SequenceCompareTo(y);
                if (c != 0) return c;
            }
            else
            {
                int c = a[i].CompareTo(b[j]);
                if (c != 0) return c;
                i++;
                j++;
            }
        }
        return (a.Length - i).CompareTo(b.Length - j);
    }
}

/// <summary>A file to import is not in a format Descent reads, is damaged, or holds what a state_dict never holds.</summary>
public sealed class InteropFormatException : IOException
{
    /// <summary>Creates the exception about <paramref name="path"/>.</summary>
    public InteropFormatException(string path, string detail) : base($"{path}: {detail}") => (Path, Detail) = (path, detail);

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>What is wrong, without the path.</summary>
    public string Detail { get; }
}
