using Descent.Kernels;

namespace Descent;

/// <summary>
/// Zero padding of a convolution's input: rows added at the top and bottom, columns at the left and right.
/// <see cref="Same"/> pads so that a stride-1 convolution keeps the input's size (PyTorch's <c>padding="same"</c>: the
/// odd element, if any, goes at the bottom/right). An integer converts to equal padding on every side.
/// </summary>
public readonly record struct ConvPadding(int Top, int Bottom, int Left, int Right)
{
    /// <summary>Padding that keeps the size of a stride-1 convolution's input.</summary>
    public static ConvPadding Same { get; } = new(-1, -1, -1, -1);

    /// <summary>True for <see cref="Same"/>.</summary>
    public bool IsSame => this == Same;

    /// <summary><paramref name="height"/> rows above and below, <paramref name="width"/> columns left and right.</summary>
    public static ConvPadding Symmetric(int height, int width) => new(height, height, width, width);

    /// <summary>Equal padding on every side.</summary>
    public static implicit operator ConvPadding(int padding) => new(padding, padding, padding, padding);

    /// <summary>Equal padding on every side.</summary>
    public static ConvPadding FromInt32(int padding) => padding;

    /// <inheritdoc />
    public override string ToString() => IsSame ? "same" : Top == Bottom && Left == Right && Top == Left ? Top.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"({Top}, {Bottom}, {Left}, {Right})";
}

// Convolutions (NCHW, as PyTorch). Conv2d is a primitive (Ops/Primitives/Convolution.cs) computed by im2col and the GEMM;
// its two gradients are primitives too, and the three are closed under differentiation.
public sealed partial class Tensor<T>
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as PyTorch's <c>conv2d</c>) of <paramref name="input"/> [N, C, H, W] with
    /// <paramref name="weight"/> [O, C/groups, KH, KW], plus <paramref name="bias"/> [O] when given. The output is
    /// [N, O, OH, OW] with OH = ⌊(H + pad − dilation·(KH−1) − 1)/stride⌋ + 1. <paramref name="groups"/> splits the
    /// channels into independent groups (groups = C is a depthwise convolution).
    /// </summary>
    /// <exception cref="ShapeException">The shapes do not fit each other or the settings.</exception>
    public static Tensor<T> Conv2d(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias = null, int stride = 1, ConvPadding padding = default, int dilation = 1, int groups = 1)
        => Conv2d(input, weight, bias, (stride, stride), padding, (dilation, dilation), groups);

    /// <summary>2-D convolution with separate vertical and horizontal strides and dilations (see the other overload).</summary>
    /// <exception cref="ShapeException">The shapes do not fit each other or the settings.</exception>
    public static Tensor<T> Conv2d(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias, (int H, int W) stride, ConvPadding padding, (int H, int W) dilation, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var g = Geometry(input.ShapeRef, weight.ShapeRef, bias?.ShapeRef, stride, padding, dilation, groups);
        return Conv2dCore(input, weight, bias, g);
    }

    /// <summary>
    /// 1-D convolution of <paramref name="input"/> [N, C, L] with <paramref name="weight"/> [O, C/groups, K] (plus
    /// <paramref name="bias"/> [O]): a 2-D convolution of height 1. Padding is on both ends (or <see cref="ConvPadding.Same"/>).
    /// </summary>
    /// <exception cref="ShapeException">The shapes do not fit each other or the settings.</exception>
    public static Tensor<T> Conv1d(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias = null, int stride = 1, ConvPadding padding = default, int dilation = 1, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank != 3) throw new ShapeException($"Conv1d: the input must be [batch, channels, length]; got shape {Shapes.Format(input.Shape)}.");
        if (weight.Rank != 3) throw new ShapeException($"Conv1d: the weight must be [out channels, in channels/groups, kernel]; got shape {Shapes.Format(weight.Shape)}.");
        var pad = padding.IsSame ? padding : new ConvPadding(0, 0, padding.Left, padding.Right);
        int[] x = input.ShapeRef, w = weight.ShapeRef;
        var y = Conv2d(input.Reshape(x[0], x[1], 1, x[2]), weight.Reshape(w[0], w[1], 1, w[2]), bias, (1, stride), pad, (1, dilation), groups);
        return y.Reshape(y.ShapeRef[0], y.ShapeRef[1], y.ShapeRef[3]);
    }

    /// <summary>Checks the shapes and settings of a convolution and works out its output size.</summary>
    internal static ConvGeometry Geometry(int[] x, int[] w, int[]? b, (int H, int W) stride, ConvPadding padding, (int H, int W) dilation, int groups)
    {
        if (x.Length != 4) throw new ShapeException($"Conv2d: the input must be [batch, channels, height, width]; got shape {Shapes.Format(x)}.");
        if (w.Length != 4) throw new ShapeException($"Conv2d: the weight must be [out channels, in channels/groups, kernel height, kernel width]; got shape {Shapes.Format(w)}.");
        if (stride.H < 1 || stride.W < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "Conv2d: the stride must be at least 1.");
        if (dilation.H < 1 || dilation.W < 1) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, "Conv2d: the dilation must be at least 1.");
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "Conv2d: groups must be at least 1.");
        int c = x[1], o = w[0], kh = w[2], kw = w[3];
        if (kh < 1 || kw < 1) throw new ShapeException($"Conv2d: the kernel must be at least 1×1; the weight has shape {Shapes.Format(w)}.");
        if (c % groups != 0 || o % groups != 0)
            throw new ShapeException($"Conv2d: {groups} groups must divide both the {c} input channels and the {o} output channels.");
        if (w[1] * groups != c)
            throw new ShapeException($"Conv2d: the weight {Shapes.Format(w)} reads {w[1]} channels per group × {groups} groups = {w[1] * groups}, but the input {Shapes.Format(x)} has {c} channels.");
        if (b is not null && (b.Length != 1 || b[0] != o))
            throw new ShapeException($"Conv2d: the bias must be [{o}] (one per output channel); got shape {Shapes.Format(b)}.");
        int spanH = dilation.H * (kh - 1) + 1, spanW = dilation.W * (kw - 1) + 1;
        if (padding.IsSame)
        {
            if (stride.H != 1 || stride.W != 1) throw new ArgumentException("Conv2d: padding \"same\" needs stride 1 (as in PyTorch); give the padding as a number instead.", nameof(padding));
            padding = new ConvPadding((spanH - 1) / 2, spanH - 1 - (spanH - 1) / 2, (spanW - 1) / 2, spanW - 1 - (spanW - 1) / 2);
        }
        if (padding.Top < 0 || padding.Bottom < 0 || padding.Left < 0 || padding.Right < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "Conv2d: padding cannot be negative.");
        int oh = (x[2] + padding.Top + padding.Bottom - spanH) / stride.H + 1;
        int ow = (x[3] + padding.Left + padding.Right - spanW) / stride.W + 1;
        if (x[2] + padding.Top + padding.Bottom < spanH || x[3] + padding.Left + padding.Right < spanW)
            throw new ShapeException($"Conv2d: the kernel spans {spanH}×{spanW} (with dilation) but the padded input is only {x[2] + padding.Top + padding.Bottom}×{x[3] + padding.Left + padding.Right} (input {Shapes.Format(x)}).");
        return new ConvGeometry(x[0], c, x[2], x[3], o, kh, kw, stride.H, stride.W, padding.Top, padding.Left, dilation.H, dilation.W, groups, oh, ow);
    }

    private static Tensor<T> Conv2dCore(Tensor<T> x, Tensor<T> w, Tensor<T>? b, ConvGeometry g, bool relu = false)
        => b is null ? new Ops.Conv2d<T>(g, relu).Apply(x, w) : new Ops.Conv2d<T>(g, relu).Apply(x, w, b);

    /// <summary>
    /// <c>Conv2d(input, weight, bias, …).Relu()</c> as one primitive (the layer stacks fuse a convolution followed by a
    /// ReLU): the same values and gradients, without the pre-activation and its gradient as tensors of their own.
    /// </summary>
    internal static Tensor<T> Conv2dRelu(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias, (int H, int W) stride, ConvPadding padding, (int H, int W) dilation, int groups)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var g = Geometry(input.ShapeRef, weight.ShapeRef, bias?.ShapeRef, stride, padding, dilation, groups);
        return Conv2dCore(input, weight, bias, g, relu: true);
    }

    /// <summary>
    /// <c>Conv2d(input, weight, bias, …).Relu().MaxPool2d(poolKernel, poolStride, poolPadding)</c> as one primitive (the
    /// layer stacks fuse "conv relu maxpool"): the same values and gradients, without the convolution's output and its
    /// gradient as tensors. Falls back to the composition when an image's convolution is too large to fuse (or the
    /// pooling does not fit, which the composition then reports).
    /// </summary>
    internal static Tensor<T> Conv2dReluMaxPool(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias, (int H, int W) stride, ConvPadding padding,
        (int H, int W) dilation, int groups, (int H, int W) poolKernel, (int H, int W) poolStride, (int H, int W) poolPadding)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var g = Geometry(input.ShapeRef, weight.ShapeRef, bias?.ShapeRef, stride, padding, dilation, groups);
        bool poolFits = poolKernel.H >= 1 && poolKernel.W >= 1 && poolStride.H >= 1 && poolStride.W >= 1
            && poolPadding.H >= 0 && poolPadding.W >= 0 && 2 * poolPadding.H <= poolKernel.H && 2 * poolPadding.W <= poolKernel.W
            && g.OutH + 2 * poolPadding.H >= poolKernel.H && g.OutW + 2 * poolPadding.W >= poolKernel.W;
        if (!poolFits || !Convolution.CanFusePool(g))
            return Conv2dCore(input, weight, bias, g, relu: true).MaxPool2d(poolKernel, poolStride, poolPadding);
        var windows = PoolWindows.Sliding(g.OutH, g.OutW, poolKernel, poolStride, poolPadding);
        Tensor<T>[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        var (y, op) = Ops.Conv2dReluMaxPool<T>.Run(inputs, g, windows, new Ops.PoolSpec(poolKernel, poolStride, poolPadding, false));
        return op.Record(y, inputs);
    }
}
