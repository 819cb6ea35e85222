using System.Numerics;

namespace Descent.Learning.Modules;

/// <summary>
/// A 2-D convolution layer over [N, C, H, W] (see <see cref="Tensor{T}.Conv2d(Tensor{T}, Tensor{T}, Tensor{T}?, int, ConvPadding, int, int)"/>):
/// weight [out, in/groups, k, k] and bias [out], both initialised as PyTorch's <c>nn.Conv2d</c> does, U(−b, b) with
/// b = 1/√(in/groups·k·k).
/// </summary>
public sealed class Conv2d<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or groups do not divide the channels.</exception>
    public Conv2d(int inChannels, int outChannels, int kernel, int stride = 1, ConvPadding padding = default, int dilation = 1, int groups = 1,
        bool bias = true, Random? random = null)
        : this(inChannels, outChannels, (kernel, kernel), (stride, stride), padding, (dilation, dilation), groups, bias, random) { }

    /// <summary>Creates the layer with separate vertical and horizontal sizes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or groups do not divide the channels.</exception>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernel, (int H, int W) stride, ConvPadding padding, (int H, int W) dilation, int groups = 1,
        bool bias = true, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernel.H);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernel.W);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"Conv2d: {groups} groups must divide the {inChannels} input and {outChannels} output channels.");
        random ??= new Random(0);
        (InChannels, OutChannels, Kernel, Stride, Padding, Dilation, Groups) = (inChannels, outChannels, kernel, stride, padding, dilation, groups);
        int fanIn = inChannels / groups * kernel.H * kernel.W;
        double bound = 1 / Math.Sqrt(fanIn);
        Weight = RegisterParameter("weight", Tensor.RandomUniform<T>([outChannels, inChannels / groups, kernel.H, kernel.W], random, -bound, bound));
        if (bias) Bias = RegisterParameter("bias", Tensor.RandomUniform<T>([outChannels], random, -bound, bound));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }
    /// <summary>Output channels (filters).</summary>
    public int OutChannels { get; }
    /// <summary>Kernel height and width.</summary>
    public (int H, int W) Kernel { get; }
    /// <summary>Vertical and horizontal stride.</summary>
    public (int H, int W) Stride { get; }
    /// <summary>Zero padding.</summary>
    public ConvPadding Padding { get; }
    /// <summary>Vertical and horizontal dilation.</summary>
    public (int H, int W) Dilation { get; }
    /// <summary>Channel groups (1: dense; the channel count: depthwise).</summary>
    public int Groups { get; }
    /// <summary>The filters, [out, in/groups, KH, KW].</summary>
    public Tensor<T> Weight { get; }
    /// <summary>The bias, [out], or null.</summary>
    public Tensor<T>? Bias { get; }

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input) => Tensor<T>.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);

    /// <summary>The layer followed by a ReLU, as one fused primitive (<see cref="Cnn{T}"/> uses it for "conv … relu").</summary>
    internal Tensor<T> ForwardRelu(Tensor<T> input) => Tensor<T>.Conv2dRelu(input, Weight, Bias, Stride, Padding, Dilation, Groups);

    /// <summary>The layer followed by a ReLU and <paramref name="pool"/>, as one fused primitive (<see cref="Cnn{T}"/> uses it for "conv … relu maxpool").</summary>
    internal Tensor<T> ForwardReluMaxPool(Tensor<T> input, MaxPool2d<T> pool)
        => Tensor<T>.Conv2dReluMaxPool(input, Weight, Bias, Stride, Padding, Dilation, Groups,
            (pool.Kernel, pool.Kernel), (pool.Stride, pool.Stride), (pool.Padding, pool.Padding));
}

/// <summary>A 1-D convolution layer over [N, C, L]: weight [out, in/groups, k], bias [out] (PyTorch's initialisation).</summary>
public sealed class Conv1d<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or groups do not divide the channels.</exception>
    public Conv1d(int inChannels, int outChannels, int kernel, int stride = 1, ConvPadding padding = default, int dilation = 1, int groups = 1, bool bias = true, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"Conv1d: {groups} groups must divide the {inChannels} input and {outChannels} output channels.");
        random ??= new Random(0);
        (InChannels, OutChannels, Kernel, Stride, Padding, Dilation, Groups) = (inChannels, outChannels, kernel, stride, padding, dilation, groups);
        double bound = 1 / Math.Sqrt(inChannels / groups * kernel);
        Weight = RegisterParameter("weight", Tensor.RandomUniform<T>([outChannels, inChannels / groups, kernel], random, -bound, bound));
        if (bias) Bias = RegisterParameter("bias", Tensor.RandomUniform<T>([outChannels], random, -bound, bound));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }
    /// <summary>Output channels.</summary>
    public int OutChannels { get; }
    /// <summary>Kernel length.</summary>
    public int Kernel { get; }
    /// <summary>Stride.</summary>
    public int Stride { get; }
    /// <summary>Zero padding (its left and right counts are used).</summary>
    public ConvPadding Padding { get; }
    /// <summary>Dilation.</summary>
    public int Dilation { get; }
    /// <summary>Channel groups.</summary>
    public int Groups { get; }
    /// <summary>The filters, [out, in/groups, K].</summary>
    public Tensor<T> Weight { get; }
    /// <summary>The bias, [out], or null.</summary>
    public Tensor<T>? Bias { get; }

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input) => Tensor<T>.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
}

/// <summary>Max pooling over the last two axes (<see cref="Tensor{T}.MaxPool2d(int, int?, int)"/>).</summary>
public sealed class MaxPool2d<T>(int kernel, int? stride = null, int padding = 0) : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Window size.</summary>
    public int Kernel { get; } = kernel;
    /// <summary>Stride (the kernel by default).</summary>
    public int Stride { get; } = stride ?? kernel;
    /// <summary>Padding (never the maximum).</summary>
    public int Padding { get; } = padding;

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input) => input.MaxPool2d(Kernel, Stride, Padding);
}

/// <summary>Average pooling over the last two axes (<see cref="Tensor{T}.AvgPool2d(int, int?, int)"/>).</summary>
public sealed class AvgPool2d<T>(int kernel, int? stride = null, int padding = 0) : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Window size.</summary>
    public int Kernel { get; } = kernel;
    /// <summary>Stride (the kernel by default).</summary>
    public int Stride { get; } = stride ?? kernel;
    /// <summary>Padding (zeros, counted in the mean).</summary>
    public int Padding { get; } = padding;

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input) => input.AvgPool2d(Kernel, Stride, Padding);
}

/// <summary>Adaptive average pooling to a fixed output size; (1, 1) is global average pooling.</summary>
public sealed class AdaptiveAvgPool2d<T>(int outH, int outW) : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Output height.</summary>
    public int OutH { get; } = outH;
    /// <summary>Output width.</summary>
    public int OutW { get; } = outW;

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input) => input.AdaptiveAvgPool2d(OutH, OutW);
}

/// <summary>Flattens every axis after the first: [N, …] → [N, product of the rest].</summary>
public sealed class Flatten<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 1) throw new ShapeException("Flatten: needs at least a batch axis; got a scalar.");
        return input.Reshape(input.Shape[0], -1);
    }
}

/// <summary>
/// Reshapes rows of features [N, C·H·W] into images [N, C, H, W] (and leaves [N, C, H, W] input as it is): the first
/// layer of a convolutional network fed by a table of pixels (MNIST-style data).
/// </summary>
public sealed class Unflatten<T>(int channels, int height, int width) : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Channels.</summary>
    public int Channels { get; } = channels;
    /// <summary>Height.</summary>
    public int Height { get; } = height;
    /// <summary>Width.</summary>
    public int Width { get; } = width;

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int size = Channels * Height * Width;
        if (input.Rank == 4 && input.Shape[1] == Channels && input.Shape[2] == Height && input.Shape[3] == Width) return input;
        if (input.Rank < 1 || input.Size != input.Shape[0] * size)
            throw new ShapeException($"The model reads images of {Channels}×{Height}×{Width} = {size} values per example, but the input has shape {Shapes.Format(input.Shape)}.");
        return input.Reshape(input.Shape[0], Channels, Height, Width);
    }
}

/// <summary>
/// Batch normalisation with learned scale γ and shift β per channel and running statistics kept as buffers
/// (<c>running_mean</c>, <c>running_var</c>; saved in checkpoints and model files): training mode normalises with the
/// batch's statistics and updates the running ones, evaluation mode uses the running ones. As PyTorch's
/// <c>nn.BatchNorm1d</c> (input [N, C] or [N, C, L]) and <c>nn.BatchNorm2d</c> ([N, C, H, W]).
/// </summary>
public class BatchNorm<T> : Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly int _rank;

    /// <summary>Creates the layer for inputs of rank <paramref name="ranks"/> (any of them).</summary>
    private protected BatchNorm(int channels, double momentum, double eps, bool affine, int[] ranks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (!(momentum is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "BatchNorm: momentum must be in [0, 1].");
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "BatchNorm: eps must be positive.");
        (Channels, Momentum, Eps) = (channels, momentum, eps);
        Ranks = ranks;
        _rank = ranks[0];
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones<T>(channels));
            Bias = RegisterParameter("bias", Tensor.Zeros<T>(channels));
        }
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros<T>(channels));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones<T>(channels));
    }

    /// <summary>Channels.</summary>
    public int Channels { get; }
    /// <summary>The running statistics' update rate.</summary>
    public double Momentum { get; }
    /// <summary>Added to the variance.</summary>
    public double Eps { get; }
    /// <summary>The input ranks accepted.</summary>
    public IReadOnlyList<int> Ranks { get; }
    /// <summary>γ, [C], or null without the affine map.</summary>
    public Tensor<T>? Weight { get; }
    /// <summary>β, [C], or null without the affine map.</summary>
    public Tensor<T>? Bias { get; }
    /// <summary>The running mean, [C].</summary>
    public Tensor<T> RunningMean { get; }
    /// <summary>The running (unbiased) variance, [C].</summary>
    public Tensor<T> RunningVar { get; }

    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!Ranks.Contains(input.Rank) || input.Shape[1] != Channels)
            throw new ShapeException($"{GetType().Name.Split('`')[0]} of {Channels} channels expects input of rank {string.Join(" or ", Ranks)} with {Channels} channels on axis 1, but got shape {Shapes.Format(input.Shape)}.");
        return Tensor<T>.BatchNorm(input, Weight, Bias, RunningMean, RunningVar, IsTraining, Momentum, Eps);
    }
}

/// <summary>Batch normalisation of [N, C] or [N, C, L] (PyTorch's <c>nn.BatchNorm1d</c>); see <see cref="BatchNorm{T}"/>.</summary>
public sealed class BatchNorm1d<T>(int channels, double momentum = 0.1, double eps = 1e-5, bool affine = true)
    : BatchNorm<T>(channels, momentum, eps, affine, [2, 3]) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>Batch normalisation of [N, C, H, W] (PyTorch's <c>nn.BatchNorm2d</c>); see <see cref="BatchNorm{T}"/>.</summary>
public sealed class BatchNorm2d<T>(int channels, double momentum = 0.1, double eps = 1e-5, bool affine = true)
    : BatchNorm<T>(channels, momentum, eps, affine, [4]) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// Dropout of whole channels (PyTorch's <c>nn.Dropout2d</c>): in training each [H, W] feature map of each example is
/// zeroed with probability p and the rest scaled by 1/(1−p); the identity in evaluation mode. Seeded and resumable.
/// </summary>
/// <param name="p">The probability of zeroing a feature map, in [0, 1).</param>
/// <param name="seed">The seed of the masks.</param>
/// <exception cref="ArgumentOutOfRangeException">p is not in [0, 1).</exception>
public sealed class Dropout2d<T>(double p = 0.5, int seed = 0) : DropoutBase<T>(p, seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public override Tensor<T> Forward(Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsTraining || Probability == 0) return input;
        if (input.Rank < 3) throw new ShapeException($"Dropout2d: needs [N, C, H, W] (or [N, C, L]); got shape {Shapes.Format(input.Shape)}.");
        var maskShape = input.ShapeArray;
        for (int i = 2; i < maskShape.Length; i++) maskShape[i] = 1;
        return input * Mask(maskShape);
    }
}
