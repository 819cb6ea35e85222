using Descent.Interop.Onnx.Proto;
using Descent.Learning;
using Descent.Learning.Modules;
using Descent.Learning.Training;
using Google.Protobuf;

namespace Descent.Interop.Onnx;

/// <summary>
/// Writes a layer's ONNX nodes: reads the float32 value named <paramref name="input"/>, adds the layer's weights and
/// nodes to <paramref name="graph"/>, and returns the name of the layer's output value.
/// </summary>
public delegate string OnnxLayerExporter(OnnxGraph graph, Module<float> layer, string input);

/// <summary>
/// ONNX export of a trained <see cref="Model"/> (opset <see cref="Opset"/>, float32, a dynamic batch dimension): the
/// model's preprocessing (image flattening, feature scaling) as graph nodes, its layers, and the outputs —
/// <c>probabilities</c> ([batch, classes]) and <c>class</c> (the class index, int64) for a classifier,
/// <c>prediction</c> ([batch, outputs]) for a regression. The input is named <c>input</c> and takes the raw features
/// (or images) exactly as <see cref="Model.Predict{T}"/> does.
/// <para>
/// Every layer kind maps to nodes through one table (<see cref="RegisterLayer"/>): a module type (its generic
/// definition, such as <c>typeof(Linear&lt;&gt;)</c>) and the function that writes its nodes. New layers join the
/// export by registering themselves; containers (<see cref="Sequential{T}"/>, <see cref="Mlp{T}"/>) export their
/// children through the same table.
/// </para>
/// </summary>
/// <example>
/// <code>
/// var model = Model.Load("fashion.safetensors");
/// OnnxExporter.Save(model, "fashion.onnx");   // then: onnxruntime.InferenceSession("fashion.onnx").run(["probabilities"], {"input": x})
/// </code>
/// </example>
public static partial class OnnxExporter
{
    /// <summary>The ONNX operator set the files use (accepted by ONNX 1.8 and later, ONNX Runtime 1.7 and later).</summary>
    public const int Opset = 13;

    /// <summary>The ONNX IR version written (the one that goes with opset 13).</summary>
    public const int IrVersion = 7;

    private static readonly Dictionary<Type, OnnxLayerExporter> Layers = new()
    {
        [typeof(Linear<>)] = (g, m, x) => Gemm(g, x, ((Linear<float>)m).Weight, ((Linear<float>)m).Bias, "linear"),
        [typeof(Activation<>)] = (g, m, x) => ActivationNodes(g, (Activation<float>)m, x),
        [typeof(Dropout<>)] = (g, _, x) => g.Node("Identity", [x]),   // inference: dropout is the identity
        [typeof(Sequential<>)] = (g, m, x) => ((Sequential<float>)m).Layers.Aggregate(x, (v, layer) => ExportLayer(g, layer, v)),
        [typeof(LinearRegression<>)] = (g, m, x) => Gemm(g, x, Parameter(m, "weight"), Parameter(m, "bias"), "linear"),
        [typeof(SoftmaxRegression<>)] = (g, m, x) => Gemm(g, x, Parameter(m, "weight"), Parameter(m, "bias"), "softmax_regression"),
        [typeof(LogisticRegression<>)] = (g, m, x) => g.Node("Sigmoid", [Gemm(g, x, Parameter(m, "weight"), Parameter(m, "bias"), "logistic")]),
        [typeof(Mlp<>)] = ExportMlp,
        [typeof(Cnn<>)] = ExportCnn,
        [typeof(Conv2d<>)] = ExportConv2d,
        [typeof(MaxPool2d<>)] = (g, m, x) => Pool(g, "MaxPool", x, ((MaxPool2d<float>)m).Kernel, ((MaxPool2d<float>)m).Stride, ((MaxPool2d<float>)m).Padding),
        [typeof(AvgPool2d<>)] = (g, m, x) => Pool(g, "AveragePool", x, ((AvgPool2d<float>)m).Kernel, ((AvgPool2d<float>)m).Stride, ((AvgPool2d<float>)m).Padding),
        [typeof(AdaptiveAvgPool2d<>)] = ExportAdaptiveAvgPool,
        [typeof(BatchNorm1d<>)] = (g, m, x) => BatchNormalization(g, (BatchNorm<float>)m, x),
        [typeof(BatchNorm2d<>)] = (g, m, x) => BatchNormalization(g, (BatchNorm<float>)m, x),
        [typeof(Flatten<>)] = (g, _, x) => g.Node("Flatten", [x], new Dictionary<string, object> { ["axis"] = 1L }),
        [typeof(Unflatten<>)] = (g, m, x) => ToImages(g, x, ((Unflatten<float>)m).Channels, ((Unflatten<float>)m).Height, ((Unflatten<float>)m).Width),
        [typeof(Dropout2d<>)] = (g, _, x) => g.Node("Identity", [x]),   // inference: dropout is the identity
    };

    /// <summary>
    /// Adds (or replaces) the exporter of a layer type: <paramref name="moduleType"/> is a module's type or, for the
    /// library's generic modules, its generic definition (<c>typeof(Conv2d&lt;&gt;)</c>).
    /// </summary>
    public static void RegisterLayer(Type moduleType, OnnxLayerExporter exporter)
    {
        ArgumentNullException.ThrowIfNull(moduleType);
        ArgumentNullException.ThrowIfNull(exporter);
        lock (Layers) Layers[moduleType] = exporter;
    }

    /// <summary>The layer types the export knows (generic definitions for the library's modules).</summary>
    public static IReadOnlyList<Type> LayerTypes
    {
        get { lock (Layers) return Layers.Keys.ToArray(); }
    }

    /// <summary>Writes <paramref name="layer"/>'s nodes through the table: what a container's exporter calls for each child.</summary>
    /// <exception cref="OnnxExportException">A layer type the table does not know.</exception>
    public static string ExportLayer(OnnxGraph graph, Module<float> layer, string input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(layer);
        var type = layer.GetType();
        OnnxLayerExporter? exporter;
        lock (Layers)
        {
            if (!Layers.TryGetValue(type, out exporter) && type.IsGenericType) Layers.TryGetValue(type.GetGenericTypeDefinition(), out exporter);
        }
        if (exporter is null)
            throw new OnnxExportException($"the layer {type.Name.Split('`')[0]} has no ONNX export; known layers: {string.Join(", ", LayerTypes.Select(t => t.Name.Split('`')[0]))} (OnnxExporter.RegisterLayer adds one).");
        return exporter(graph, layer, input);
    }

    /// <summary>The ONNX model (protobuf bytes) of <paramref name="model"/>.</summary>
    /// <exception cref="OnnxExportException">The model holds a layer the export does not know.</exception>
    public static byte[] Export(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = new OnnxGraph();
        var module = model.ToModule<float>();
        int inputs = model.Architecture.Inputs;
        var imageShape = model.ImageShape is { Count: > 0 } shape && shape.Aggregate(1, (a, d) => a * d) == inputs ? shape : null;
        string x = graph.Name("input");
        graph.Proto.Input.Add(Value(x, imageShape is null ? [inputs] : imageShape));
        if (imageShape is not null && imageShape.Count > 1) x = graph.Node("Flatten", [x], new Dictionary<string, object> { ["axis"] = 1L });
        if (model.Scaling is { } scaling)
        {
            // (x − offset) / scale per column, as Model.Predict applies it.
            x = graph.Node("Sub", [x, graph.Constant("scaling_offset", [inputs], scaling.Offset)]);
            x = graph.Node("Div", [x, graph.Constant("scaling_scale", [inputs], scaling.Scale)]);
        }
        string y = ExportLayer(graph, module, x);
        int outputs = model.Architecture.Outputs;
        if (model.Task == ModelTask.Classification)
        {
            string p = outputs == 1
                ? graph.Node("Concat", [graph.Node("Sub", [graph.Constant("one", [1], [1.0]), y]), y], new Dictionary<string, object> { ["axis"] = 1L })
                : graph.Node("Softmax", [y], new Dictionary<string, object> { ["axis"] = -1L });
            string probabilities = graph.Output(p, "probabilities");
            string label = graph.Node("ArgMax", [probabilities], new Dictionary<string, object> { ["axis"] = 1L, ["keepdims"] = 0L }, output: "class");
            graph.Proto.Output.Add(Value(probabilities, [Math.Max(outputs, 2)]));
            graph.Proto.Output.Add(Value(label, null, TensorProto.Types.DataType.Int64));
        }
        else graph.Proto.Output.Add(Value(graph.Output(y, "prediction"), [outputs]));

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Descent",
            ProducerVersion = typeof(Model).Assembly.GetName().Version?.ToString(3) ?? "0",
            Graph = graph.Proto,
            DocString = $"{model.Architecture.Kind} {(model.Task == ModelTask.Classification ? "classifier" : "regression")} exported by Descent",
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        void Meta(string key, string? value)
        {
            if (value is not null) proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        Meta("descent_model", model.Describe().ToJsonString());
        Meta("features", string.Join(",", model.FeatureNames));
        if (model.ClassNames is { } classes) Meta("classes", System.Text.Json.JsonSerializer.Serialize(classes.ToArray(), InteropJson.Default.StringArray));
        return proto.ToByteArray();
    }

    /// <summary>Writes the ONNX file atomically (a temporary file beside it, then renamed).</summary>
    /// <exception cref="OnnxExportException">The model holds a layer the export does not know.</exception>
    public static void Save(Model model, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = Export(model);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    private static ValueInfoProto Value(string name, IReadOnlyList<int>? shape, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (int d in shape ?? []) tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } } };
    }

    private static Tensor<float> Parameter(Module<float> module, string name)
        => module.NamedParameters().First(p => p.Name == name).Parameter;

    private static double[] Values(Tensor<float> t) => t.ToDoubleArray();

    /// <summary>y = x·W + b as one Gemm (W is [in, out], Descent's layout, so no transpose).</summary>
    private static string Gemm(OnnxGraph g, string x, Tensor<float> weight, Tensor<float>? bias, string prefix)
    {
        string w = g.Constant(prefix + "_weight", weight.ShapeArray, Values(weight));
        string b = bias is null ? g.Constant(prefix + "_bias", [weight.Shape[1]], new double[weight.Shape[1]]) : g.Constant(prefix + "_bias", bias.ShapeArray, Values(bias));
        return g.Node("Gemm", [x, w, b]);
    }

    private static string ActivationNodes(OnnxGraph g, Activation<float> activation, string x) => activation.Name switch
    {
        "relu" => g.Node("Relu", [x]),
        "sigmoid" => g.Node("Sigmoid", [x]),
        "tanh" => g.Node("Tanh", [x]),
        "leaky_relu" => g.Node("LeakyRelu", [x], new Dictionary<string, object> { ["alpha"] = (float)(activation.NegativeSlope ?? Activation<float>.DefaultNegativeSlope) }),
        "softplus" => g.Node("Softplus", [x]),
        "softmax" => g.Node("Softmax", [x], new Dictionary<string, object> { ["axis"] = -1L }),
        "log_softmax" => g.Node("LogSoftmax", [x], new Dictionary<string, object> { ["axis"] = -1L }),
        "identity" => g.Node("Identity", [x]),
        var name => throw new OnnxExportException($"the activation '{name}' has no ONNX export."),
    };

    private static string ExportMlp(OnnxGraph g, Module<float> module, string x)
    {
        var mlp = (Mlp<float>)module;
        var layers = mlp.NamedModules().First(m => m.Name == "layers").Module;
        string y = ExportLayer(g, layers, x);
        if (mlp.OutputScale is { } scale && mlp.OutputOffset is { } offset)
        {
            y = g.Node("Mul", [y, g.Constant("output_scale", [scale.Count], scale)]);
            y = g.Node("Add", [y, g.Constant("output_offset", [offset.Count], offset)]);
        }
        return y;
    }
}

/// <summary>A model cannot be written as ONNX (a layer without an export).</summary>
public sealed class OnnxExportException(string message) : InvalidOperationException(message);
