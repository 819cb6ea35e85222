using System.Numerics;

namespace Descent.Learning.Modules;

/// <summary>
/// A dense layer y = x·W + b with W of shape [in, out] and b of shape [out]. The [in, out] layout (JAX/Flax's
/// "kernel") makes the forward pass a plain matrix product with no transpose; a PyTorch <c>nn.Linear</c> weight is its
/// transpose.
/// </summary>
public sealed class Linear<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer; the weight is initialised by <paramref name="weightInit"/> (Glorot uniform by default), the bias with zeros.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Linear(int inputs, int outputs, bool bias = true, Initializer<T>? weightInit = null, Initializer<T>? biasInit = null, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        random ??= new Random(0);
        Inputs = inputs;
        Outputs = outputs;
        Weight = RegisterParameter("weight", (weightInit ?? Initializers.GlorotUniform<T>())([inputs, outputs], random));
        if (bias) Bias = RegisterParameter("bias", (biasInit ?? Initializers.Zeros<T>())([outputs], random));
    }

    /// <summary>Input features.</summary>
    public int Inputs { get; }

    /// <summary>Output features.</summary>
    public int Outputs { get; }

    /// <summary>The weight, shape [in, out].</summary>
    public Tensor<T> Weight { get; }

    /// <summary>The bias, shape [out], or null.</summary>
    public Tensor<T>? Bias { get; }

    /// <inheritdoc />
    /// <exception cref="ShapeException">The input's last dimension is not <see cref="Inputs"/>.</exception>
    public override Tensor<T> Forward(Tensor<T> input) => Forward(input, relu: false);

    /// <summary>The layer followed by a ReLU, fused into one operation (see <see cref="Tensor{T}.Linear"/>).</summary>
    internal Tensor<T> Forward(Tensor<T> input, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Shape[^1] != Inputs)
            throw new ShapeException($"Linear layer expects inputs with {Inputs} features in the last dimension, but got shape {Shapes.Format(input.Shape)}. Check the model's input size against the data's feature count.");
        return Tensor<T>.Linear(input, Weight, Bias, relu);
    }
}

/// <summary>An element-wise activation as a module.</summary>
public sealed class Activation<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Func<Tensor<T>, Tensor<T>> _function;

    /// <summary>Wraps a function of tensors as a parameter-free module.</summary>
    public Activation(string name, Func<Tensor<T>, Tensor<T>> function)
    {
        Name = name;
        _function = function;
    }

    /// <summary>The activation's name.</summary>
    public string Name { get; }

    /// <summary>A leaky ReLU's negative slope (<see cref="LeakyRelu"/>); null for the other activations.</summary>
    public double? NegativeSlope { get; private init; }

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input) => _function(input);

    /// <summary>σ(x).</summary>
    public static Activation<T> Sigmoid() => new("sigmoid", x => x.Sigmoid());

    /// <summary>tanh x.</summary>
    public static Activation<T> Tanh() => new("tanh", x => x.Tanh());

    /// <summary>max(x, 0).</summary>
    public static Activation<T> Relu() => new("relu", x => x.Relu());

    /// <summary>The negative slope of <see cref="LeakyRelu"/> when none is given (PyTorch's default too).</summary>
    public const double DefaultNegativeSlope = 0.01;

    /// <summary>Leaky ReLU with the given negative slope (<see cref="NegativeSlope"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The slope is not finite.</exception>
    public static Activation<T> LeakyRelu(double slope = DefaultNegativeSlope)
    {
        if (!double.IsFinite(slope)) throw new ArgumentOutOfRangeException(nameof(slope), slope, "The leaky ReLU's negative slope must be a finite number, e.g. 0.01 or 0.2.");
        return new("leaky_relu", x => x.LeakyRelu(T.CreateTruncating(slope))) { NegativeSlope = slope };
    }

    /// <summary>ln(1+eˣ).</summary>
    public static Activation<T> Softplus() => new("softplus", x => x.Softplus());

    /// <summary>Softmax over the last axis.</summary>
    public static Activation<T> Softmax() => new("softmax", x => x.Softmax(-1));

    /// <summary>Log-softmax over the last axis.</summary>
    public static Activation<T> LogSoftmax() => new("log_softmax", x => x.LogSoftmax(-1));

    /// <summary>The identity.</summary>
    public static Activation<T> Identity() => new("identity", x => x);

    /// <summary>
    /// An activation by name: sigmoid, tanh, relu, leaky_relu, softplus, softmax, log_softmax, identity. A leaky ReLU
    /// takes its negative slope in parentheses, <c>leaky_relu(0.2)</c> (default <see cref="DefaultNegativeSlope"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name, or a slope that is not a number; the message lists the known ones.</exception>
    public static Activation<T> FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant().Replace('-', '_');
        int open = key.IndexOf('(', StringComparison.Ordinal);
        if (open > 0 && key.EndsWith(')') && key[..open].Trim() is "leaky_relu" or "leakyrelu")
        {
            string text = key[(open + 1)..^1].Replace(" ", "", StringComparison.Ordinal);
            if (text.StartsWith("slope=", StringComparison.Ordinal)) text = text[6..].Trim();
            else if (text.StartsWith("negative_slope=", StringComparison.Ordinal)) text = text[15..].Trim();
            if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double slope) || !double.IsFinite(slope))
                throw new ArgumentException($"Activation '{name}': the leaky ReLU's negative slope '{text}' is not a number; write e.g. leaky_relu(0.2).", nameof(name));
            return LeakyRelu(slope);
        }
        return key switch
        {
            "sigmoid" => Sigmoid(),
            "tanh" => Tanh(),
            "relu" => Relu(),
            "leaky_relu" or "leakyrelu" => LeakyRelu(),
            "softplus" => Softplus(),
            "softmax" => Softmax(),
            "log_softmax" or "logsoftmax" => LogSoftmax(),
            "identity" or "linear" or "none" => Identity(),
            _ => throw new ArgumentException($"Unknown activation '{name}'; use one of sigmoid, tanh, relu, leaky_relu (or leaky_relu(0.2) for another slope), softplus, softmax, log_softmax, identity.", nameof(name)),
        };
    }
}

/// <summary>
/// What the dropout layers share (<see cref="Dropout{T}"/>, <see cref="Dropout2d{T}"/>): the probability and its check,
/// and the seeded generator whose whole state is <see cref="RandomState"/>, so checkpoints restore it and a resumed run
/// draws the same masks.
/// </summary>
public abstract class DropoutBase<T> : Module<T>, IRandomModule where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Data.DataRandom _random;

    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p is not in [0, 1).</exception>
    private protected DropoutBase(double p, int seed)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "The dropout probability must be in [0, 1).");
        Probability = p;
        _random = Data.DataRandom.ForStream(seed, 0);
    }

    /// <summary>The probability of zeroing an element (or, for <see cref="Dropout2d{T}"/>, a feature map).</summary>
    public double Probability { get; }

    /// <inheritdoc />
    public ulong RandomState
    {
        get => _random.State;
        set => _random.State = value;
    }

    /// <summary>A mask of <paramref name="shape"/>: each value 1/(1−p) with probability 1−p, else 0, drawn in order.</summary>
    private protected Tensor<T> Mask(int[] shape)
    {
        var mask = Tensor.Zeros<T>(shape);
        var d = mask.Data;
        T scale = T.CreateTruncating(1 / (1 - Probability));
        for (int i = 0; i < d.Length; i++) d[i] = _random.NextDouble() >= Probability ? scale : T.Zero;
        return mask;
    }
}

/// <summary>
/// Inverted dropout: in training mode each element is zeroed with probability p and the rest scaled by 1/(1−p); in
/// evaluation mode it is the identity. Seeded, so runs are reproducible.
/// </summary>
/// <param name="p">The probability of zeroing an element, in [0, 1).</param>
/// <param name="seed">The seed of the masks.</param>
/// <exception cref="ArgumentOutOfRangeException">p is not in [0, 1).</exception>
public sealed class Dropout<T>(double p = 0.5, int seed = 0) : DropoutBase<T>(p, seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsTraining || Probability == 0) return input;
        return input * Mask(input.ShapeArray);
    }
}

/// <summary>
/// A module that draws random numbers while training (e.g. <see cref="Dropout{T}"/>). Its generator's whole state is
/// <see cref="RandomState"/>, which checkpoints save and restore so a resumed run draws the same numbers.
/// </summary>
public interface IRandomModule
{
    /// <summary>The random generator's state; setting a saved value continues that sequence exactly.</summary>
    ulong RandomState { get; set; }
}

/// <summary>Modules applied in order; their parameters are named by position ("0.weight", "2.bias", …).</summary>
public sealed class Sequential<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly List<Module<T>> _layers = [];

    /// <summary>Creates the stack.</summary>
    public Sequential(params Module<T>[] layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Module<T>> Layers => _layers;

    /// <summary>Appends a layer.</summary>
    public Sequential<T> Add(Module<T> layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }
}
