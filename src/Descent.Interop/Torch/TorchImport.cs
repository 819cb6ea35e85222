using System.Globalization;
using Descent.Learning;
using Descent.Learning.Data;
using Descent.Learning.Modules;

namespace Descent.Interop.Torch;

/// <summary>The architecture a state_dict is read as, and what the model file should know about its data.</summary>
public sealed record TorchImportOptions
{
    /// <summary>
    /// mlp (Linear layers with an activation between them), linear, logistic, softmax, cnn (<see cref="LayerSpec"/>:
    /// convolutions, batch norm, pooling, linear layers), or auto: cnn when the file holds a 4-D (convolution) weight,
    /// else mlp.
    /// </summary>
    public string Kind { get; init; } = "mlp";

    /// <summary>
    /// A CNN's layer stack in <see cref="Descent.Learning.Modules.LayerSpec"/>'s grammar (e.g.
    /// <c>conv(32,3,padding=1) batchnorm relu maxpool(2) flatten linear(10)</c>); null: the default CNN
    /// (<see cref="Descent.Learning.Modules.Cnn{T}.DefaultLayers"/>). Only for <see cref="Kind"/> cnn.
    /// </summary>
    public string? LayerSpec { get; init; }

    /// <summary>The MLP's hidden sizes as stated; null: read from the tensors.</summary>
    public IReadOnlyList<int>? Hidden { get; init; }

    /// <summary>The MLP's activation (relu, tanh, sigmoid, leaky_relu, softplus…), which a state_dict does not record.</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>
    /// The PyTorch module names of the Linear layers in order (e.g. <c>fc1, fc2, out</c>); null: every
    /// <c>*.weight</c> of rank 2, in the file's order. For a CNN: the names of the modules with tensors (Conv2d,
    /// BatchNorm, Linear) in the network's order, e.g. <c>conv1, bn1, conv2, fc1, fc2</c>; null: the file's order.
    /// </summary>
    public IReadOnlyList<string>? Layers { get; init; }

    /// <summary>Classification or regression; null: regression for linear, classification otherwise.</summary>
    public ModelTask? Task { get; init; }

    /// <summary>The class labels by index; null: 0, 1, ….</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The feature names; null: x0, x1, … (or pixel names for images).</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>The target column names (one for a classifier, one per output for a regression); null: label, or y0, y1, ….</summary>
    public IReadOnlyList<string>? TargetNames { get; init; }

    /// <summary>
    /// The shape of one input image, when the model reads images ([height, width], or [channels, height, width]); null
    /// otherwise. A CNN needs it (a state_dict does not record the image size); its channels come from the first
    /// convolution's weight when not given.
    /// </summary>
    public IReadOnlyList<int>? ImageShape { get; init; }

    /// <summary>The feature scaling the network was trained behind, to be applied to raw inputs; null: none.</summary>
    public FeatureScaling? Scaling { get; init; }
}

/// <summary>
/// A PyTorch state_dict as a Descent <see cref="Model"/>: the Linear layers' <c>[out, in]</c> weights transposed to
/// Descent's <c>[in, out]</c>, the names mapped to Descent's (<c>layers.0.weight</c>…), the input and output sizes
/// read from the tensors and checked against the stated architecture.
/// </summary>
/// <example>
/// <code>
/// var model = TorchImport.ToModel(StateDict.Load("mlp.pt"), new TorchImportOptions { Hidden = [128], ClassNames = labels });
/// model.Save("mlp.safetensors");
/// </code>
/// </example>
public static class TorchImport
{
    /// <summary>Reads <paramref name="path"/> (<see cref="StateDict.Load"/>) and maps it (<see cref="ToModel"/>).</summary>
    public static Model Load(string path, TorchImportOptions options) => ToModel(StateDict.Load(path), options);

    /// <summary>The model the state_dict holds, read as <paramref name="options"/> says.</summary>
    /// <exception cref="InteropFormatException">A tensor that does not fit the architecture (the message names the first one).</exception>
    /// <exception cref="ArgumentException">Options that contradict each other (an unknown kind, class names of the wrong count).</exception>
    public static Model ToModel(StateDict state, TorchImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        string kind = options.Kind.ToLowerInvariant();
        if (kind == "auto") kind = state.Tensors.Any(t => t.Shape.Length == 4) ? "cnn" : "mlp";
        if (kind == "cnn") return ToCnn(state, options);
        if (options.LayerSpec is not null) throw new ArgumentException($"A layer stack (--layers \"{options.LayerSpec}\") describes a cnn model, not {kind}; import it with --model cnn.");
        if (!ModelArchitecture.Kinds.Contains(kind)) throw new ArgumentException($"Unknown model kind '{options.Kind}'; use {string.Join(", ", ModelArchitecture.Kinds)}.");
        InteropFormatException Misfit(string detail) => new(state.Path, detail);

        var byName = state.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        List<(NamedTensor Weight, NamedTensor? Bias)> layers = [];
        if (options.Layers is { } names)
        {
            foreach (var n in names)
            {
                if (!byName.TryGetValue(n + ".weight", out var w))
                    throw Misfit($"--layers names '{n}', but the file has no tensor '{n}.weight'; its tensors: {string.Join(", ", state.Tensors.Select(t => t.Name))}.");
                layers.Add((w, byName.GetValueOrDefault(n + ".bias")));
            }
            var used = layers.SelectMany(l => new[] { l.Weight.Name, l.Bias?.Name }).ToHashSet();
            if (state.Tensors.FirstOrDefault(t => !used.Contains(t.Name)) is { } extra)
                throw Misfit($"tensor '{extra.Name}' {Shape(extra.Shape)} is not a weight or bias of the layers {string.Join(", ", names)}; a {kind} model holds only Linear layers.");
        }
        else
        {
            foreach (var t in state.Tensors)
            {
                if (t.Name.EndsWith("weight", StringComparison.Ordinal) && t.Shape.Length == 2)
                    layers.Add((t, byName.GetValueOrDefault(t.Name[..^"weight".Length] + "bias")));
            }
            var used = layers.SelectMany(l => new[] { l.Weight.Name, l.Bias?.Name }).ToHashSet();
            if (state.Tensors.FirstOrDefault(t => !used.Contains(t.Name)) is { } extra)
                throw Misfit($"tensor '{extra.Name}' {Shape(extra.Shape)} is not the weight ([out, in]) or bias ([out]) of a Linear layer; a {kind} model holds only Linear layers.");
        }
        if (layers.Count == 0) throw Misfit("the file holds no Linear layer weight (a tensor named '….weight' of shape [out, in]).");

        // Every layer's shapes, checked in order: weight [out, in], bias [out], in = the previous layer's out.
        int inputs = layers[0].Weight.Shape[1];
        int expectedLayers = kind == "mlp" ? (options.Hidden?.Count ?? layers.Count - 1) + 1 : 1;
        if (options.Hidden is { } stated && stated.Count + 1 < layers.Count)
            throw Misfit($"tensor '{layers[stated.Count + 1].Weight.Name}' {Shape(layers[stated.Count + 1].Weight.Shape)} is one layer too many for {Stated(kind, options)}, which has {stated.Count + 1} Linear layers.");
        if (layers.Count < expectedLayers)
            throw Misfit($"the file has {layers.Count} Linear layer{(layers.Count == 1 ? "" : "s")} ({string.Join(", ", layers.Select(l => l.Weight.Name))}) but {Stated(kind, options)} has {expectedLayers}.");
        if (kind != "mlp" && layers.Count > 1)
            throw Misfit($"tensor '{layers[1].Weight.Name}' {Shape(layers[1].Weight.Shape)} is a second layer, but a {kind} model has one; import it with --model mlp.");
        var hidden = new List<int>();
        var parameters = new Dictionary<string, (int[] Shape, double[] Values)>(StringComparer.Ordinal);
        int previous = inputs;
        for (int i = 0; i < layers.Count; i++)
        {
            var (w, b) = layers[i];
            int outs = w.Shape[0];
            bool last = i == layers.Count - 1;
            int? expectedOut = !last && options.Hidden is { } h ? h[i] : null;
            if (w.Shape[1] != previous || (expectedOut is int e && outs != e))
                throw Misfit($"tensor '{w.Name}' has shape {Shape(w.Shape)} but {Stated(kind, options)} expects [{expectedOut ?? outs}, {previous}] there (PyTorch's [out, in] layout).");
            if (b is not null && (b.Shape.Length != 1 || b.Shape[0] != outs))
                throw Misfit($"tensor '{b.Name}' has shape {Shape(b.Shape)} but the layer's bias has shape [{outs}].");
            if (!last) hidden.Add(outs);
            string prefix = kind == "mlp" ? $"layers.{(2 * i).ToString(CultureInfo.InvariantCulture)}." : "";
            parameters[prefix + "weight"] = ([previous, outs], Transpose(w.Values, outs, previous));
            parameters[prefix + "bias"] = ([outs], b?.Values.ToArray() ?? new double[outs]);
            previous = outs;
        }
        int outputs = previous;
        if (kind == "logistic" && outputs != 1)
            throw Misfit($"tensor '{layers[0].Weight.Name}' has shape {Shape(layers[0].Weight.Shape)}: a logistic model has one output ([1, {inputs}]); import it with --model softmax.");

        var task = options.Task ?? (kind == "linear" ? ModelTask.Regression : ModelTask.Classification);
        int classes = outputs == 1 ? 2 : outputs;
        if (task == ModelTask.Classification && options.ClassNames is { } given && given.Count != classes)
            throw new ArgumentException($"{given.Count} class names were given for {classes} classes (the last layer has {outputs} output{(outputs == 1 ? "" : "s")}).");
        if (options.FeatureNames is { } features && features.Count != inputs)
            throw new ArgumentException($"{features.Count} feature names were given, but the first layer reads {inputs} features.");
        if (options.TargetNames is { } targets && targets.Count != (task == ModelTask.Classification ? 1 : outputs))
            throw new ArgumentException($"{targets.Count} target names were given, but the model has {(task == ModelTask.Classification ? "one target (the class)" : $"{outputs} outputs")}.");
        if (options.ImageShape is { } image && image.Aggregate(1, (a, d) => a * d) != inputs)
            throw new ArgumentException($"The image shape {string.Join("x", image)} has {image.Aggregate(1, (a, d) => a * d)} pixels, but the first layer reads {inputs} features.");
        if (options.Scaling is { } scaling && scaling.Columns != inputs)
            throw new ArgumentException($"The scaling has {scaling.Columns} columns, but the first layer reads {inputs} features.");
        bool f64 = layers.Any(l => l.Weight.DType == "float64");
        var model = new Model
        {
            Architecture = new ModelArchitecture(kind, inputs, outputs, kind == "mlp" ? hidden : [], kind == "mlp" ? options.Activation : "relu"),
            Parameters = parameters,
            DType = f64 ? "float64" : "float32",
            Task = task,
            FeatureNames = options.FeatureNames?.ToArray() ?? Enumerable.Range(0, inputs).Select(i => "x" + i.ToString(CultureInfo.InvariantCulture)).ToArray(),
            TargetNames = options.TargetNames?.ToArray() ?? (task == ModelTask.Classification ? ["label"] : Enumerable.Range(0, outputs).Select(i => "y" + i.ToString(CultureInfo.InvariantCulture)).ToArray()),
            ClassNames = task == ModelTask.Classification ? options.ClassNames?.ToArray() ?? Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray() : null,
            ImageShape = options.ImageShape?.ToArray(),
            Scaling = options.Scaling,
        };
        try
        {
            model.ToModule<double>();   // builds the module and loads the parameters: the same check Model.Load makes
        }
        catch (ModelFileException e)
        {
            throw Misfit(e.Detail);
        }
        return model;
    }

    /// <summary>
    /// A CNN: the layers of <see cref="TorchImportOptions.LayerSpec"/> built for the image shape, and the state_dict's
    /// modules (tensors grouped by their module name, in the file's order or <see cref="TorchImportOptions.Layers"/>)
    /// matched one by one to its Conv2d (weight [out, in/groups, kh, kw] as is), BatchNorm (weight, bias, running_mean,
    /// running_var; num_batches_tracked is not needed for inference) and Linear layers (weight [out, in] transposed;
    /// after a flatten, in = C·H·W in PyTorch's order, which is Descent's).
    /// </summary>
    private static Model ToCnn(StateDict state, TorchImportOptions options)
    {
        InteropFormatException Misfit(string detail) => new(state.Path, detail);
        string spec = options.LayerSpec ?? Cnn<double>.DefaultLayers;
        string stated = options.LayerSpec is null ? "--model cnn (the default layers)" : $"--layers \"{spec}\"";

        // The modules: tensors grouped by the name before their last dot, in order.
        var groups = new List<(string Module, Dictionary<string, NamedTensor> Tensors)>();
        foreach (var t in state.Tensors)
        {
            int dot = t.Name.LastIndexOf('.');
            string module = dot < 0 ? "" : t.Name[..dot], field = t.Name[(dot + 1)..];
            var group = groups.FirstOrDefault(g => g.Module == module);
            if (group.Tensors is null) groups.Add(group = (module, new Dictionary<string, NamedTensor>(StringComparer.Ordinal)));
            group.Tensors[field] = t;
        }
        if (options.Layers is { } order)
        {
            var byModule = groups.ToDictionary(g => g.Module, StringComparer.Ordinal);
            var missing = order.FirstOrDefault(n => !byModule.ContainsKey(n));
            if (missing is not null)
                throw Misfit($"--modules names '{missing}', but the file has no tensor '{missing}.…'; its modules: {string.Join(", ", groups.Select(g => g.Module))}.");
            var extra = groups.FirstOrDefault(g => !order.Contains(g.Module, StringComparer.Ordinal));
            if (extra.Tensors is not null)
                throw Misfit($"tensor '{extra.Tensors.Values.First().Name}' belongs to the module '{extra.Module}', which --modules does not name.");
            groups = order.Select(n => byModule[n]).ToList();
        }
        var firstConv = state.Tensors.FirstOrDefault(t => t.Shape.Length == 4);
        var lastLinear = state.Tensors.LastOrDefault(t => t.Shape.Length == 2);
        if (lastLinear is null) throw Misfit("the file holds no Linear layer weight (a tensor named '….weight' of shape [out, in]), which a CNN ends with.");
        int outputs = lastLinear.Shape[0];
        int[] shape = options.ImageShape switch
        {
            { Count: 3 } s3 => [s3[0], s3[1], s3[2]],
            { Count: 2 } s2 when firstConv is not null => [firstConv.Shape[1], s2[0], s2[1]],
            { Count: 2 } s2 => [1, s2[0], s2[1]],
            null => throw new ArgumentException("A CNN's state_dict does not record the size of its input images: give it, e.g. --image-shape 28x28 (or 3x32x32 with channels)."),
            var other => throw new ArgumentException($"The image shape {string.Join("x", other)} is not [height, width] or [channels, height, width]."),
        };
        Cnn<double> cnn;
        try
        {
            cnn = new Cnn<double>(shape, outputs, spec);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"--layers \"{spec}\": {e.Message} (input {shape[0]}×{shape[1]}×{shape[2]}).", e);
        }

        var parameters = new Dictionary<string, (int[] Shape, double[] Values)>(StringComparer.Ordinal);
        var layers = cnn.Layers.Layers;
        int g = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            if (layer is not (Conv2d<double> or BatchNorm<double> or Linear<double>)) continue;
            string what = layer switch
            {
                Conv2d<double> c => $"Conv2d({c.InChannels}, {c.OutChannels}, {c.Kernel.H}×{c.Kernel.W})",
                BatchNorm<double> b => $"BatchNorm({b.Channels})",
                Linear<double> l => $"Linear({l.Inputs}, {l.Outputs})",
                _ => layer.GetType().Name,
            };
            if (g >= groups.Count)
                throw Misfit($"the file has {groups.Count} modules with tensors ({string.Join(", ", groups.Select(x => x.Module))}) but {stated} needs one more: a {what}{(i == layers.Count - 1 ? " (the output layer)" : "")}.");
            var (module, tensors) = groups[g++];
            string prefix = $"layers.{i.ToString(CultureInfo.InvariantCulture)}.";
            NamedTensor Need(string field, int[] expected, string layout)
            {
                if (!tensors.TryGetValue(field, out var t))
                {
                    var found = tensors.Values.First();
                    throw Misfit($"tensor '{found.Name}' {Shape(found.Shape)} is where {stated} expects a {what} ({module}.{field} {Shape(expected)}), but the module '{module}' has no '{field}'.");
                }
                if (!t.Shape.SequenceEqual(expected))
                {
                    string looks = tensors.ContainsKey("running_mean") ? "BatchNorm" : tensors.TryGetValue("weight", out var tw) && tw.Shape.Length == 4 ? "Conv2d" : tensors.TryGetValue("weight", out var lw) && lw.Shape.Length == 2 ? "Linear" : "";
                    string kindOf = what[..what.IndexOf('(', StringComparison.Ordinal)];
                    string hint = looks.Length > 0 && looks != kindOf ? $"; the file's module '{module}' is a {looks}, so --layers lacks or misplaces a layer before it" : "";
                    throw Misfit($"tensor '{t.Name}' has shape {Shape(t.Shape)} but {stated} expects {Shape(expected)} there, for its {what}{layout}{hint}.");
                }
                return t;
            }
            void Unexpected(params string[] known)
            {
                if (tensors.Values.FirstOrDefault(t => !known.Contains(t.Name[(t.Name.LastIndexOf('.') + 1)..])) is { } extra)
                    throw Misfit($"tensor '{extra.Name}' {Shape(extra.Shape)} does not belong to a {what}, which {stated} expects at '{module}'.");
            }
            switch (layer)
            {
                case Conv2d<double> conv:
                    parameters[prefix + "weight"] = (conv.Weight.ShapeArray, Need("weight", conv.Weight.ShapeArray, " (PyTorch's [out, in/groups, kh, kw] layout)").Values.ToArray());
                    if (conv.Bias is not null) parameters[prefix + "bias"] = ([conv.OutChannels], Need("bias", [conv.OutChannels], "").Values.ToArray());
                    else if (tensors.TryGetValue("bias", out var bias)) throw Misfit($"tensor '{bias.Name}' is a convolution bias, but {stated} has conv(…, bias=false) there; drop bias=false.");
                    Unexpected("weight", "bias");
                    break;
                case BatchNorm<double> bn:
                    int ch = bn.Channels;
                    if (bn.Weight is not null) parameters[prefix + "weight"] = ([ch], Need("weight", [ch], "").Values.ToArray());
                    if (bn.Bias is not null) parameters[prefix + "bias"] = ([ch], Need("bias", [ch], "").Values.ToArray());
                    parameters[prefix + "running_mean"] = ([ch], Need("running_mean", [ch], " (its running mean)").Values.ToArray());
                    parameters[prefix + "running_var"] = ([ch], Need("running_var", [ch], " (its running variance)").Values.ToArray());
                    Unexpected("weight", "bias", "running_mean", "running_var", "num_batches_tracked");
                    break;
                case Linear<double> linear:
                    var w = Need("weight", [linear.Outputs, linear.Inputs], " (PyTorch's [out, in] layout)");
                    parameters[prefix + "weight"] = ([linear.Inputs, linear.Outputs], Transpose(w.Values, linear.Outputs, linear.Inputs));
                    if (linear.Bias is not null) parameters[prefix + "bias"] = ([linear.Outputs], tensors.TryGetValue("bias", out var lb) ? Need("bias", [linear.Outputs], "").Values.ToArray() : new double[linear.Outputs]);
                    Unexpected("weight", "bias");
                    break;
            }
        }
        if (g < groups.Count)
        {
            var extra = groups[g].Tensors.Values.First();
            throw Misfit($"tensor '{extra.Name}' {Shape(extra.Shape)} is one module too many for {stated}, which has {g} layers with tensors.");
        }

        var task = options.Task ?? ModelTask.Classification;
        int inputs = shape[0] * shape[1] * shape[2];
        int classes = outputs;
        if (task == ModelTask.Classification && options.ClassNames is { } given && given.Count != classes)
            throw new ArgumentException($"{given.Count} class names were given for {classes} classes (the last layer has {outputs} outputs).");
        if (options.FeatureNames is { } features && features.Count != inputs)
            throw new ArgumentException($"{features.Count} feature names were given, but the network reads {inputs} pixel values.");
        if (options.TargetNames is { } targets && targets.Count != (task == ModelTask.Classification ? 1 : outputs))
            throw new ArgumentException($"{targets.Count} target names were given, but the model has {(task == ModelTask.Classification ? "one target (the class)" : $"{outputs} outputs")}.");
        if (options.Scaling is { } scaling && scaling.Columns != inputs)
            throw new ArgumentException($"The scaling has {scaling.Columns} columns, but the network reads {inputs} pixel values.");
        bool f64 = state.Tensors.Any(t => t.DType == "float64");
        var model = new Model
        {
            Architecture = new ModelArchitecture("cnn", inputs, outputs, []) { Layers = spec, InputShape = shape },
            Parameters = parameters,
            DType = f64 ? "float64" : "float32",
            Task = task,
            FeatureNames = options.FeatureNames?.ToArray() ?? Enumerable.Range(0, inputs).Select(i => "x" + i.ToString(CultureInfo.InvariantCulture)).ToArray(),
            TargetNames = options.TargetNames?.ToArray() ?? (task == ModelTask.Classification ? ["label"] : Enumerable.Range(0, outputs).Select(i => "y" + i.ToString(CultureInfo.InvariantCulture)).ToArray()),
            ClassNames = task == ModelTask.Classification ? options.ClassNames?.ToArray() ?? Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray() : null,
            ImageShape = shape[0] == 1 ? [shape[1], shape[2]] : shape,
            Scaling = options.Scaling,
        };
        try
        {
            model.ToModule<double>();
        }
        catch (ModelFileException e)
        {
            throw Misfit(e.Detail);
        }
        return model;
    }

    private static double[] Transpose(double[] values, int rows, int columns)
    {
        var result = new double[values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) result[c * rows + r] = values[r * columns + c];
        return result;
    }

    private static string Shape(int[] shape) => "[" + string.Join(", ", shape) + "]";

    private static string Stated(string kind, TorchImportOptions options)
        => kind == "mlp" && options.Hidden is { } h ? $"--model mlp --hidden {string.Join(",", h)}" : $"--model {kind}";
}
