using System.Globalization;
using Descent.Interop.Onnx.Proto;
using Google.Protobuf;

namespace Descent.Interop.Onnx;

/// <summary>
/// The ONNX graph being written: what a layer's exporter (<see cref="OnnxLayerExporter"/>) adds its nodes and weights
/// to. Every value is float32; names are made unique by <see cref="Name"/>.
/// </summary>
public sealed class OnnxGraph
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    internal OnnxGraph() { }

    internal GraphProto Proto { get; } = new() { Name = "descent" };

    /// <summary>A fresh value name starting with <paramref name="prefix"/>.</summary>
    public string Name(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        string name = prefix;
        for (int i = 1; !_names.Add(name); i++) name = prefix + "_" + i.ToString(CultureInfo.InvariantCulture);
        return name;
    }

    /// <summary>Adds a float32 constant (an initializer) of shape <paramref name="shape"/> and returns its name.</summary>
    /// <exception cref="ArgumentException">The value count differs from the shape's size.</exception>
    public string Constant(string prefix, IReadOnlyList<int> shape, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(values);
        long size = shape.Aggregate(1L, (a, d) => a * d);
        if (size != values.Count) throw new ArgumentException($"Constant '{prefix}': shape [{string.Join(", ", shape)}] holds {size} values, not {values.Count}.");
        var tensor = new TensorProto { Name = Name(prefix), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(shape.Select(d => (long)d));
        var bytes = new byte[values.Count * 4];
        for (int i = 0; i < values.Count; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), (float)values[i]);
        tensor.RawData = ByteString.CopyFrom(bytes);
        Proto.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds an int64 constant (shapes, axes) and returns its name.</summary>
    public string Int64Constant(string prefix, IReadOnlyList<long> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var tensor = new TensorProto { Name = Name(prefix), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Count);
        tensor.Int64Data.AddRange(values);
        Proto.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>
    /// Adds a node of operator <paramref name="op"/> (opset <see cref="OnnxExporter.Opset"/>) reading
    /// <paramref name="inputs"/> and returns the name of its (single) output. Attribute values may be
    /// <c>long</c>/<c>int</c>, <c>float</c>/<c>double</c>, <c>string</c>, <c>long[]</c>/<c>int[]</c> or <c>float[]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">An attribute value of another type.</exception>
    public string Node(string op, IReadOnlyList<string> inputs, IReadOnlyDictionary<string, object>? attributes = null, string? output = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(op);
        ArgumentNullException.ThrowIfNull(inputs);
        string result = output is null ? Name(op.ToLowerInvariant()) : Name(output);
        if (output is not null && result != output) throw new ArgumentException($"The value name '{output}' is taken.", nameof(output));
        var node = new NodeProto { OpType = op, Name = Name("node_" + op.ToLowerInvariant()) };
        node.Input.AddRange(inputs);
        node.Output.Add(result);
        foreach (var (key, value) in attributes ?? new Dictionary<string, object>())
        {
            var a = new AttributeProto { Name = key };
            switch (value)
            {
                case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
                case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
                case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
                case double d: a.Type = AttributeProto.Types.AttributeType.Float; a.F = (float)d; break;
                case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
                case long[] ls: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ls); break;
                case int[] iss: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(iss.Select(x => (long)x)); break;
                case float[] fs: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(fs); break;
                default: throw new ArgumentException($"Attribute '{key}' of {op}: unsupported value type {value?.GetType().Name ?? "null"}.", nameof(attributes));
            }
            node.Attribute.Add(a);
        }
        Proto.Node.Add(node);
        return result;
    }

    /// <summary>Renames the value <paramref name="value"/> to <paramref name="name"/> through an Identity node (for graph outputs).</summary>
    internal string Output(string value, string name) => Node("Identity", [value], output: name);
}
