using System.Numerics;

namespace Descent.Learning.Modules;

/// <summary>
/// Linear regression F(w; x) = x·W + b for any number of features and targets. Its parameters are named
/// <c>weight</c> ([features, targets]) and <c>bias</c> ([targets]).
/// </summary>
public sealed class LinearRegression<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Linear<T> _linear;

    /// <summary>Creates the model with parameters drawn by <paramref name="init"/> (small normal values by default) from <paramref name="seed"/>.</summary>
    public LinearRegression(int features = 1, int targets = 1, int seed = 0, Initializer<T>? init = null)
    {
        var random = new Random(seed);
        var i = init ?? Initializers.Normal<T>(0, 0.1);
        _linear = new Linear<T>(features, targets, true, i, i, random);
        RegisterParameter("weight", _linear.Weight);
        RegisterParameter("bias", _linear.Bias!);
    }

    /// <summary>The weight, [features, targets].</summary>
    public Tensor<T> Weight => _linear.Weight;

    /// <summary>The bias, [targets].</summary>
    public Tensor<T> Bias => _linear.Bias!;

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input) => _linear.Forward(input);
}

/// <summary>
/// Binary logistic regression p = σ(x·w + b): the probability of class 1, shape [n, 1]. Use <see cref="Logits"/>
/// with the cross-entropy on logits for a numerically stable loss.
/// </summary>
public sealed class LogisticRegression<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Linear<T> _linear;

    /// <summary>Creates the model.</summary>
    public LogisticRegression(int features, int seed = 0, Initializer<T>? init = null)
    {
        var i = init ?? Initializers.Normal<T>(0, 0.1);
        _linear = new Linear<T>(features, 1, true, i, Initializers.Zeros<T>(), new Random(seed));
        RegisterParameter("weight", _linear.Weight);
        RegisterParameter("bias", _linear.Bias!);
    }

    /// <summary>The scores x·w + b before the sigmoid.</summary>
    public Tensor<T> Logits(Tensor<T> input) => _linear.Forward(input);

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input) => Logits(input).Sigmoid();
}

/// <summary>Multiclass (softmax) regression: logits x·W + b of shape [n, classes]; pair it with softmax cross-entropy.</summary>
public sealed class SoftmaxRegression<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Linear<T> _linear;

    /// <summary>Creates the model.</summary>
    public SoftmaxRegression(int features, int classes, int seed = 0, Initializer<T>? init = null)
    {
        _linear = new Linear<T>(features, classes, true, init ?? Initializers.GlorotUniform<T>(), Initializers.Zeros<T>(), new Random(seed));
        RegisterParameter("weight", _linear.Weight);
        RegisterParameter("bias", _linear.Bias!);
    }

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input) => _linear.Forward(input);
}

/// <summary>
/// A multilayer perceptron: Linear → activation → … → Linear, with the given hidden sizes. The output layer has no
/// activation (logits or regression outputs). Hidden weights use He initialisation for ReLU-like activations and
/// Glorot otherwise.
/// </summary>
public sealed class Mlp<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Sequential<T> _layers;

    /// <summary>Creates the network.</summary>
    public Mlp(int inputs, IReadOnlyList<int> hidden, int outputs, string activation = "relu", int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        var random = new Random(seed);
        (Inputs, Hidden, Outputs, ActivationName) = (inputs, hidden.ToArray(), outputs, activation);
        _layers = new Sequential<T>();
        bool reluLike = activation.Contains("relu", StringComparison.OrdinalIgnoreCase);
        int previous = inputs;
        foreach (int h in hidden)
        {
            _layers.Add(new Linear<T>(previous, h, true, reluLike ? Initializers.HeUniform<T>() : Initializers.GlorotUniform<T>(), null, random));
            _layers.Add(Activation<T>.FromName(activation));
            previous = h;
        }
        _layers.Add(new Linear<T>(previous, outputs, true, Initializers.GlorotUniform<T>(), null, random));
        RegisterModule("layers", _layers);
    }

    /// <summary>Input features.</summary>
    public int Inputs { get; }

    /// <summary>The hidden layer sizes.</summary>
    public IReadOnlyList<int> Hidden { get; }

    /// <summary>Outputs.</summary>
    public int Outputs { get; }

    /// <summary>The hidden layers' activation, by name.</summary>
    public string ActivationName { get; }

    private Tensor<T>? _outputOffset, _outputScale;

    /// <summary>The fixed offset added to each output (see <see cref="WithOutputScaling"/>), or null.</summary>
    public IReadOnlyList<double>? OutputOffset { get; private set; }

    /// <summary>The fixed factor applied to each output (see <see cref="WithOutputScaling"/>), or null.</summary>
    public IReadOnlyList<double>? OutputScale { get; private set; }

    /// <summary>
    /// Makes the outputs y = net(x)·scale + offset per output column, with fixed constants (not parameters): a network
    /// whose layers learn a standardised target (mean 0, std 1) and whose outputs are in the target's own units.
    /// </summary>
    /// <exception cref="ArgumentException">A length differs from the output count, or a value is not finite (or a scale is 0).</exception>
    public Mlp<T> WithOutputScaling(IReadOnlyList<double> offset, IReadOnlyList<double> scale)
    {
        ArgumentNullException.ThrowIfNull(offset);
        ArgumentNullException.ThrowIfNull(scale);
        if (offset.Count != Outputs || scale.Count != Outputs)
            throw new ArgumentException($"Output scaling needs {Outputs} offsets and scales, one per output; got {offset.Count} and {scale.Count}.");
        if (offset.Any(v => !double.IsFinite(v)) || scale.Any(v => !double.IsFinite(v) || v == 0))
            throw new ArgumentException("Output offsets must be finite and scales finite and non-zero.");
        OutputOffset = offset.ToArray();
        OutputScale = scale.ToArray();
        _outputOffset = Tensor.FromArray(offset.Select(T.CreateTruncating).ToArray()).Unscoped();
        _outputScale = Tensor.FromArray(scale.Select(T.CreateTruncating).ToArray()).Unscoped();
        return this;
    }

    /// <summary>
    /// Runs the layers in order; a Linear layer followed by a ReLU runs as one fused operation (product, bias and ReLU
    /// in one node and one pass over the output), which gives the same values and gradients as running them one by one.
    /// </summary>
    public override Tensor<T> Forward(Tensor<T> input)
    {
        var x = input;
        var layers = _layers.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is Linear<T> linear && i + 1 < layers.Count && layers[i + 1] is Activation<T> { Name: "relu" })
            {
                x = linear.Forward(x, relu: true);
                i++;
            }
            else x = layers[i].Forward(x);
        }
        return _outputScale is null ? x : x * _outputScale + _outputOffset!;
    }
}
