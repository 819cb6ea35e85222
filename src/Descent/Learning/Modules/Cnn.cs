using System.Globalization;
using System.Numerics;
using System.Text;

namespace Descent.Learning.Modules;

/// <summary>
/// A convolutional network described by a layer specification (<see cref="LayerSpec"/>), reading images of
/// <see cref="InputShape"/> [C, H, W] — either as [N, C, H, W] or as rows of C·H·W pixels, which it reshapes first.
/// <see cref="DefaultLayers"/> is the network <c>descent fit --model cnn</c> trains.
/// </summary>
public sealed class Cnn<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>
    /// conv 3×3 (32 filters, padding 1) → ReLU → max-pool 2 → conv 3×3 (64, padding 1) → ReLU → max-pool 2 → flatten →
    /// linear 128 → ReLU → linear (one output per class).
    /// </summary>
    public const string DefaultLayers = "conv(32,3,padding=1) relu maxpool(2) conv(64,3,padding=1) relu maxpool(2) flatten linear(128) relu linear";

    private readonly Unflatten<T> _input;

    /// <summary>Builds the network for inputs of shape [channels, height, width] and <paramref name="outputs"/> outputs.</summary>
    /// <exception cref="FormatException">The specification does not parse, or a layer does not fit its input (the message says which).</exception>
    public Cnn(IReadOnlyList<int> inputShape, int outputs, string layers = DefaultLayers, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Count != 3 || inputShape.Any(d => d < 1))
            throw new ArgumentException($"Cnn: the input shape must be [channels, height, width], each at least 1; got [{string.Join(", ", inputShape)}].", nameof(inputShape));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        InputShape = inputShape.ToArray();
        Outputs = outputs;
        Spec = layers;
        _input = new Unflatten<T>(inputShape[0], inputShape[1], inputShape[2]);
        Layers = LayerSpec.Build<T>(layers, InputShape, outputs, seed);
        RegisterModule("layers", Layers);
    }

    /// <summary>[channels, height, width] of one input.</summary>
    public IReadOnlyList<int> InputShape { get; }

    /// <summary>Values per input row: C·H·W.</summary>
    public int Inputs => InputShape[0] * InputShape[1] * InputShape[2];

    /// <summary>Outputs (classes).</summary>
    public int Outputs { get; }

    /// <summary>The layer specification it was built from.</summary>
    public string Spec { get; }

    /// <summary>The layers.</summary>
    public Sequential<T> Layers { get; }

    /// <summary>
    /// Images per forward pass in evaluation without recording: a larger batch (an evaluation chunk of 1024 rows) is run
    /// this many images at a time, so its activations (100 MB for the first layer of the default network at 1024
    /// images) are never alive all at once — only the outputs are kept.
    /// </summary>
    internal const int EvalImages = 256;

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int n = input.Rank > 0 ? input.Shape[0] : 0;
        if (IsTraining || Autograd.IsRecording || n <= EvalImages) return ForwardAll(input);
        var inShape = input.ShapeArray;
        int rowSize = input.Size / n;
        Tensor<T>? result = null;
        int outRow = 0;
        for (int start = 0; start < n; start += EvalImages)
        {
            int count = Math.Min(EvalImages, n - start);
            inShape[0] = count;
            var part = new Tensor<T>(inShape);
            input.Data.Slice(start * rowSize, count * rowSize).CopyTo(part.Data);
            var output = ForwardAll(part);
            if (result is null)
            {
                var outShape = output.ShapeArray;
                outShape[0] = n;
                result = new Tensor<T>(outShape);
                outRow = output.Size / count;
            }
            output.Data.CopyTo(result.Data.Slice(start * outRow, count * outRow));
        }
        return result!;
    }

    private Tensor<T> ForwardAll(Tensor<T> input)
    {
        var x = _input.Forward(input);
        var layers = Layers.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is Linear<T> linear && i + 1 < layers.Count && layers[i + 1] is Activation<T> { Name: "relu" })
            {
                x = linear.Forward(x, relu: true);
                i++;
            }
            else if (layers[i] is Conv2d<T> convPool && i + 2 < layers.Count && layers[i + 1] is Activation<T> { Name: "relu" } && layers[i + 2] is MaxPool2d<T> pool)
            {
                x = convPool.ForwardReluMaxPool(x, pool);
                i += 2;
            }
            else if (layers[i] is Conv2d<T> conv && i + 1 < layers.Count && layers[i + 1] is Activation<T> { Name: "relu" })
            {
                x = conv.ForwardRelu(x);
                i++;
            }
            else x = layers[i].Forward(x);
        }
        return x;
    }

    /// <summary>The layer-by-layer summary for one input (see <see cref="ModelSummary"/>).</summary>
    public ModelSummary Summary() => ModelSummary.Of(Layers, [1, .. InputShape]);
}

/// <summary>
/// A small grammar for stacks of layers: names with optional arguments in parentheses, separated by spaces or commas,
/// e.g. <c>conv(32,3,padding=1) relu maxpool(2) flatten linear(128) relu linear</c>. Layers:
/// <c>conv(filters, kernel, stride=1, padding=0|same, dilation=1, groups=1, bias=true)</c>,
/// <c>maxpool(kernel, stride=kernel, padding=0)</c>, <c>avgpool(kernel, stride=kernel, padding=0)</c>,
/// <c>adaptiveavgpool(h, w)</c>, <c>globalavgpool</c>, <c>batchnorm</c> (1-D or 2-D by its input),
/// <c>dropout(p=0.5)</c>, <c>dropout2d(p=0.5)</c>, <c>flatten</c>, <c>linear(n)</c> (<c>linear</c> alone: the output
/// count) and the activations relu, tanh, sigmoid, leaky_relu (<c>leaky_relu(0.2)</c>: its negative slope), softplus, identity. A stack of feature maps is flattened
/// before a linear layer; a stack that does not end in the output count gets a final <c>linear</c>.
/// </summary>
public static class LayerSpec
{
    /// <summary>The layer names the grammar knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["conv", "maxpool", "avgpool", "adaptiveavgpool", "globalavgpool", "batchnorm", "dropout", "dropout2d", "flatten", "linear", "relu", "tanh", "sigmoid", "leaky_relu", "softplus", "identity"];

    /// <summary>Parses <paramref name="spec"/> into (name, positional arguments, named arguments) per layer.</summary>
    /// <exception cref="FormatException">Unbalanced parentheses or an empty specification.</exception>
    public static IReadOnlyList<(string Name, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Named)> Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var result = new List<(string, IReadOnlyList<string>, IReadOnlyDictionary<string, string>)>();
        int i = 0;
        while (i < spec.Length)
        {
            while (i < spec.Length && (char.IsWhiteSpace(spec[i]) || spec[i] is ',' or '→' or '>' or '-' && (i + 1 >= spec.Length || !char.IsDigit(spec[i + 1])))) i++;
            if (i >= spec.Length) break;
            int start = i;
            while (i < spec.Length && (char.IsLetterOrDigit(spec[i]) || spec[i] == '_')) i++;
            if (i == start) throw new FormatException($"unexpected '{spec[i]}' at position {i + 1} of \"{spec}\"; layers are names such as conv(32,3,padding=1), relu, maxpool(2), flatten, linear(10).");
            string name = spec[start..i].ToLowerInvariant();
            var args = new List<string>();
            var named = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (i < spec.Length && spec[i] == '(')
            {
                int close = spec.IndexOf(')', i);
                if (close < 0) throw new FormatException($"'{name}(' at position {start + 1} has no closing parenthesis in \"{spec}\".");
                foreach (var raw in spec[(i + 1)..close].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    int eq = raw.IndexOf('=');
                    if (eq < 0)
                    {
                        if (named.Count > 0) throw new FormatException($"{name}: the positional argument '{raw}' comes after a named one; write positional arguments first.");
                        args.Add(raw);
                    }
                    else named[raw[..eq].Trim().ToLowerInvariant()] = raw[(eq + 1)..].Trim();
                }
                i = close + 1;
            }
            result.Add((name, args, named));
        }
        if (result.Count == 0) throw new FormatException("the layer specification is empty; e.g. \"conv(32,3,padding=1) relu maxpool(2) flatten linear(10)\".");
        return result;
    }

    /// <summary>
    /// Builds the layers for inputs of shape <paramref name="inputShape"/> ([C, H, W], or [features]) and
    /// <paramref name="outputs"/> outputs, checking every layer against the shape it receives.
    /// </summary>
    /// <exception cref="FormatException">An unknown layer, a bad argument, or a layer that does not fit its input.</exception>
    public static Sequential<T> Build<T>(string spec, IReadOnlyList<int> inputShape, int outputs, int seed = 0) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var stack = new Sequential<T>();
        int[] shape = inputShape.ToArray();
        var layers = Parse(spec);
        int dropoutSeed = seed;
        for (int index = 0; index < layers.Count; index++)
        {
            var (name, args, named) = layers[index];
            string where = $"layer {index + 1} ({name})";
            int Int(int position, string key, int? fallback)
            {
                string? text = position < args.Count ? args[position] : named.TryGetValue(key, out var v) ? v : null;
                if (text is null) return fallback ?? throw new FormatException($"{where}: needs {key}, e.g. {Example(name)}.");
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < (key is "padding" ? 0 : 1))
                    throw new FormatException($"{where}: {key} '{text}' must be a whole number of at least {(key is "padding" ? 0 : 1)}.");
                return n;
            }
            double Probability()
            {
                string text = args.Count > 0 ? args[0] : named.TryGetValue("p", out var v) ? v : "0.5";
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) || !(p is >= 0 and < 1))
                    throw new FormatException($"{where}: the probability '{text}' must be a number in [0, 1).");
                return p;
            }
            void NeedMaps()
            {
                if (shape.Length != 3) throw new FormatException($"{where}: needs feature maps [channels, height, width], but its input is [{string.Join(", ", shape)}] (after a flatten or linear layer).");
            }
            switch (name)
            {
                case "conv" or "conv2d":
                {
                    NeedMaps();
                    int filters = Int(0, "filters", null), kernel = Int(1, "kernel", null);
                    int stride = Int(2, "stride", 1), dilation = Int(4, "dilation", 1), groups = Int(5, "groups", 1);
                    string padText = args.Count > 3 ? args[3] : named.TryGetValue("padding", out var pv) ? pv : named.TryGetValue("pad", out var pv2) ? pv2 : "0";
                    ConvPadding padding = padText.Equals("same", StringComparison.OrdinalIgnoreCase) ? ConvPadding.Same
                        : int.TryParse(padText, NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p
                        : throw new FormatException($"{where}: padding '{padText}' must be a whole number or 'same'.");
                    bool bias = !named.TryGetValue("bias", out var bv) || !bv.Equals("false", StringComparison.OrdinalIgnoreCase);
                    if (shape[0] % groups != 0 || filters % groups != 0)
                        throw new FormatException($"{where}: groups={groups} must divide its {shape[0]} input channels and its {filters} filters.");
                    var layer = new Conv2d<T>(shape[0], filters, kernel, stride, padding, dilation, groups, bias, random);
                    var g = Tensor<T>.Geometry([1, shape[0], shape[1], shape[2]], layer.Weight.ShapeArray, null, layer.Stride, padding, layer.Dilation, groups);
                    stack.Add(layer);
                    shape = [filters, g.OutH, g.OutW];
                    break;
                }
                case "maxpool" or "avgpool" or "maxpool2d" or "avgpool2d":
                {
                    NeedMaps();
                    int k = Int(0, "kernel", null), s = Int(1, "stride", k), p = Int(2, "padding", 0);
                    if (2 * p > k) throw new FormatException($"{where}: padding {p} must be at most half the kernel {k}.");
                    if (shape[1] + 2 * p < k || shape[2] + 2 * p < k) throw new FormatException($"{where}: the {k}×{k} window does not fit its {shape[1]}×{shape[2]} input.");
                    stack.Add(name.StartsWith("max", StringComparison.Ordinal) ? new MaxPool2d<T>(k, s, p) : new AvgPool2d<T>(k, s, p));
                    shape = [shape[0], (shape[1] + 2 * p - k) / s + 1, (shape[2] + 2 * p - k) / s + 1];
                    break;
                }
                case "adaptiveavgpool":
                {
                    NeedMaps();
                    int h = Int(0, "height", null), w = Int(1, "width", h);
                    stack.Add(new AdaptiveAvgPool2d<T>(h, w));
                    shape = [shape[0], h, w];
                    break;
                }
                case "globalavgpool" or "gap":
                    NeedMaps();
                    stack.Add(new AdaptiveAvgPool2d<T>(1, 1));
                    shape = [shape[0], 1, 1];
                    break;
                case "batchnorm" or "bn":
                    stack.Add(shape.Length == 3 ? new BatchNorm2d<T>(shape[0]) : new BatchNorm1d<T>(shape[0]));
                    break;
                case "dropout":
                    stack.Add(new Dropout<T>(Probability(), ++dropoutSeed));
                    break;
                case "dropout2d":
                    NeedMaps();
                    stack.Add(new Dropout2d<T>(Probability(), ++dropoutSeed));
                    break;
                case "flatten":
                    if (shape.Length > 1) { stack.Add(new Flatten<T>()); shape = [shape.Aggregate(1, (a, b) => a * b)]; }
                    break;
                case "linear" or "dense":
                {
                    if (shape.Length > 1) { stack.Add(new Flatten<T>()); shape = [shape.Aggregate(1, (a, b) => a * b)]; }
                    int n = Int(0, "outputs", outputs);
                    stack.Add(new Linear<T>(shape[0], n, true, LinearInit<T>(shape[0]), LinearInit<T>(shape[0]), random));
                    shape = [n];
                    break;
                }
                default:
                    try { stack.Add(Activation<T>.FromName(name is "leaky_relu" or "leakyrelu" && (args.Count > 0 || named.Count > 0) ? $"leaky_relu({(args.Count > 0 ? args[0] : named.GetValueOrDefault("slope") ?? named.GetValueOrDefault("negative_slope") ?? "?")})" : name)); }
                    catch (ArgumentException) when (name is "leaky_relu" or "leakyrelu")
                    {
                        throw new FormatException($"{where}: the negative slope must be a number, e.g. leaky_relu(0.2).");
                    }
                    catch (ArgumentException)
                    {
                        throw new FormatException($"{where}: unknown layer '{name}'; known: {string.Join(", ", Names)}.");
                    }
                    break;
            }
        }
        if (shape.Length != 1 || shape[0] != outputs)
        {
            if (shape.Length > 1) { stack.Add(new Flatten<T>()); shape = [shape.Aggregate(1, (a, b) => a * b)]; }
            stack.Add(new Linear<T>(shape[0], outputs, true, LinearInit<T>(shape[0]), LinearInit<T>(shape[0]), random));
        }
        return stack;
    }

    /// <summary>PyTorch's <c>nn.Linear</c> initialisation: U(−b, b), b = 1/√inputs, for weight and bias alike.</summary>
    private static Initializer<T> LinearInit<T>(int inputs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Initializers.Uniform<T>(-1 / Math.Sqrt(inputs), 1 / Math.Sqrt(inputs));

    private static string Example(string name) => name switch
    {
        "conv" or "conv2d" => "conv(32,3,padding=1)",
        "maxpool" or "maxpool2d" => "maxpool(2)",
        "avgpool" or "avgpool2d" => "avgpool(2)",
        "adaptiveavgpool" => "adaptiveavgpool(1,1)",
        _ => name,
    };
}

/// <summary>One row of a <see cref="ModelSummary"/>.</summary>
/// <param name="Name">The layer's dotted name.</param>
/// <param name="Type">The layer's type, e.g. Conv2d.</param>
/// <param name="OutputShape">Its output shape for a batch of one.</param>
/// <param name="Parameters">Its trainable values.</param>
public sealed record LayerSummary(string Name, string Type, IReadOnlyList<int> OutputShape, long Parameters);

/// <summary>
/// Each layer of a stack with its output shape and parameter count, the totals, and the memory that the parameters and
/// buffers take — like Keras's <c>model.summary()</c> or torchinfo.
/// </summary>
public sealed record ModelSummary(IReadOnlyList<int> InputShape, IReadOnlyList<LayerSummary> Layers, long Parameters, long Buffers, int BytesPerValue)
{
    /// <summary>Bytes of parameters and buffers.</summary>
    public long Bytes => (Parameters + Buffers) * BytesPerValue;

    /// <summary>Runs a zero batch of <paramref name="inputShape"/> through the layers of <paramref name="stack"/> (no gradients recorded, evaluation mode) and records each output.</summary>
    public static ModelSummary Of<T>(Sequential<T> stack, IReadOnlyList<int> inputShape) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(inputShape);
        using var _ = Autograd.NoGrad();
        bool training = stack.IsTraining;
        stack.Eval();
        try
        {
            var rows = new List<LayerSummary>();
            var x = Tensor.Zeros<T>(inputShape.ToArray());
            int i = 0;
            foreach (var layer in stack.Layers)
            {
                x = layer.Forward(x);
                string type = layer is Activation<T> a ? a.Name : layer.GetType().Name.Split('`')[0];
                rows.Add(new LayerSummary(i++.ToString(CultureInfo.InvariantCulture), type, x.ShapeArray, layer.ParameterCount));
            }
            long buffers = stack.NamedBuffers().Sum(b => (long)b.Buffer.Size);
            return new ModelSummary(inputShape.ToArray(), rows, rows.Sum(r => r.Parameters), buffers, System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        }
        finally
        {
            if (training) stack.Train();
        }
    }

    /// <summary>The summary as a text table.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        string Shape(IReadOnlyList<int> s) => "[" + string.Join(", ", s) + "]";
        int typeWidth = Math.Max(5, Layers.Max(l => l.Type.Length)), shapeWidth = Math.Max(12, Layers.Max(l => Shape(l.OutputShape).Length));
        sb.Append(CultureInfo.InvariantCulture, $"{"Layer".PadRight(typeWidth + 4)}{"Output shape".PadRight(shapeWidth + 2)}{"Parameters",12}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{"input".PadRight(typeWidth + 4)}{Shape(InputShape).PadRight(shapeWidth + 2)}{"",12}\n");
        foreach (var l in Layers)
            sb.Append(CultureInfo.InvariantCulture, $"{(l.Name + " " + l.Type).PadRight(typeWidth + 4)}{Shape(l.OutputShape).PadRight(shapeWidth + 2)}{l.Parameters,12:N0}\n");
        sb.Append(CultureInfo.InvariantCulture, $"Total parameters: {Parameters:N0} ({Bytes / 1024.0:0.#} KiB with {Buffers:N0} buffer values, {BytesPerValue * 8}-bit)");
        return sb.ToString();
    }
}
