using Descent.Kernels;

namespace Descent;

// Pooling over the last two axes of NCHW data (any leading axes are planes); the primitives are in Ops/Primitives/Pooling.cs.
public sealed partial class Tensor<T>
{
    /// <summary>
    /// Max pooling of [N, C, H, W] (or [C, H, W]) with a square window of <paramref name="kernel"/>, moved by
    /// <paramref name="stride"/> (default: the kernel) over the input padded by <paramref name="padding"/> (padding never
    /// wins). ∂/∂x routes each output's gradient to the element that was largest (the first, if tied).
    /// </summary>
    /// <exception cref="ShapeException">Fewer than three axes, or the window does not fit.</exception>
    public Tensor<T> MaxPool2d(int kernel, int? stride = null, int padding = 0)
        => MaxPool2d((kernel, kernel), (stride ?? kernel, stride ?? kernel), (padding, padding));

    /// <summary>Max pooling with separate vertical and horizontal sizes (see the other overload).</summary>
    /// <exception cref="ShapeException">Fewer than three axes, or the window does not fit.</exception>
    public Tensor<T> MaxPool2d((int H, int W) kernel, (int H, int W) stride, (int H, int W) padding)
    {
        var (planes, windows) = SlidingWindows("MaxPool2d", kernel, stride, padding);
        var (y, op) = Ops.MaxPool2d<T>.Run(this, windows, planes, new Ops.PoolSpec(kernel, stride, padding, false));
        return op.Record(y, this);
    }

    /// <summary>
    /// Average pooling of [N, C, H, W] (or [C, H, W]): the mean of each <paramref name="kernel"/>-square window moved by
    /// <paramref name="stride"/> (default: the kernel). Padded zeros count in the mean, as PyTorch's default
    /// (<c>count_include_pad=True</c>).
    /// </summary>
    /// <exception cref="ShapeException">Fewer than three axes, or the window does not fit.</exception>
    public Tensor<T> AvgPool2d(int kernel, int? stride = null, int padding = 0)
        => AvgPool2d((kernel, kernel), (stride ?? kernel, stride ?? kernel), (padding, padding));

    /// <summary>Average pooling with separate vertical and horizontal sizes (see the other overload).</summary>
    /// <exception cref="ShapeException">Fewer than three axes, or the window does not fit.</exception>
    public Tensor<T> AvgPool2d((int H, int W) kernel, (int H, int W) stride, (int H, int W) padding)
    {
        var (planes, windows) = SlidingWindows("AvgPool2d", kernel, stride, padding);
        return new Ops.AvgPool2d<T>(windows, planes, new Ops.PoolSpec(kernel, stride, padding, false)).Apply(this);
    }

    /// <summary>
    /// Adaptive average pooling to an <paramref name="outH"/>×<paramref name="outW"/> output whatever the input size
    /// (PyTorch's windows: output r of n over L averages rows ⌊rL/n⌋ to ⌈(r+1)L/n⌉). (1, 1) is global average pooling.
    /// </summary>
    /// <exception cref="ShapeException">Fewer than three axes.</exception>
    public Tensor<T> AdaptiveAvgPool2d(int outH, int outW)
    {
        if (Rank < 3) throw new ShapeException($"AdaptiveAvgPool2d: needs [N, C, H, W] or [C, H, W]; got shape {Shapes.Format(Shape)}.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outH);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outW);
        int h = ShapeRef[^2], w = ShapeRef[^1];
        return new Ops.AvgPool2d<T>(PoolWindows.Adaptive(h, w, outH, outW), Size / Math.Max(1, h * w), new Ops.PoolSpec(default, default, default, true)).Apply(this);
    }

    /// <summary>The mean over the last two axes, keeping them as 1×1 (global average pooling).</summary>
    public Tensor<T> GlobalAvgPool2d() => AdaptiveAvgPool2d(1, 1);

    private (int Planes, PoolWindows Windows) SlidingWindows(string op, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding)
    {
        if (Rank < 3) throw new ShapeException($"{op}: needs [N, C, H, W] or [C, H, W]; got shape {Shapes.Format(Shape)}.");
        if (kernel.H < 1 || kernel.W < 1 || stride.H < 1 || stride.W < 1)
            throw new ArgumentOutOfRangeException(nameof(kernel), $"{op}: the kernel and stride must be at least 1 (kernel {kernel}, stride {stride}).");
        if (padding.H < 0 || padding.W < 0 || 2 * padding.H > kernel.H || 2 * padding.W > kernel.W)
            throw new ArgumentOutOfRangeException(nameof(padding), $"{op}: the padding {padding} must be between 0 and half the kernel {kernel}.");
        int h = ShapeRef[^2], w = ShapeRef[^1];
        if (h + 2 * padding.H < kernel.H || w + 2 * padding.W < kernel.W)
            throw new ShapeException($"{op}: the {kernel.H}×{kernel.W} window does not fit the {h}×{w} input (padding {padding}; shape {Shapes.Format(Shape)}).");
        return (Size / Math.Max(1, h * w), PoolWindows.Sliding(h, w, kernel, stride, padding));
    }
}
