using System.Collections.Immutable;
using System.Numerics;
using Descent.Kernels;

namespace Descent.Ops;

// Pooling primitives over the last two axes of NCHW data (any leading axes are planes). Max pooling gathers each window's
// largest element; its gradient scatters back to those positions, and the scatter's gradient is the same gather — so the
// pair is closed under differentiation. Average pooling is linear: its gradient spreads each output over its window, and
// that spread's gradient is the average again.

/// <summary>How a pooling's windows were asked for: a sliding window (kernel, stride, padding), or adaptive (output size).</summary>
internal readonly record struct PoolSpec((int H, int W) Kernel, (int H, int W) Stride, (int H, int W) Padding, bool Adaptive);

/// <summary>
/// Max pooling; <see cref="Index"/> is, per output element, the position in its plane of the input element that won (the
/// first, if tied) — what the forward pass found, kept as PyTorch keeps <c>max_pool2d</c>'s indices.
/// ∂/∂x scatters g to those positions.
/// </summary>
internal sealed record MaxPool2d<T>(PoolWindows Windows, int Planes, PoolSpec Spec, ImmutableArray<int> Index) : UnaryOp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "max_pool2d";

    public override string Label => $"max_pool2d(k={Spec.Kernel.H}x{Spec.Kernel.W}, stride={Spec.Stride.H}x{Spec.Stride.W}, pad={Spec.Padding.H}x{Spec.Padding.W})";

    /// <summary>Pools <paramref name="x"/>, finding the winners; the record returned holds them for the backward pass.</summary>
    public static (Tensor<T> Result, MaxPool2d<T> Op) Run(Tensor<T> x, PoolWindows windows, int planes, PoolSpec spec)
    {
        var y = new Tensor<T>(Pooled(x.ShapeRef, windows));
        var index = new int[y.Size];
        Pooling.MaxForward(x.Buffer, y.Buffer, index, planes, windows);
        return (y, new MaxPool2d<T>(windows, planes, spec, Own(index)));
    }

    public override Tensor<T> Forward(Tensor<T> x) => Run(x, Windows, Planes, Spec).Result;

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y)
        => new MaxPool2dScatter<T>(Index, Own(x.ShapeArray), Planes, Windows.Height * Windows.Width, Windows.OutH * Windows.OutW).Apply(g);

    /// <summary>Linear once the winners are known: the tangent's values at the winners.</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y)
        => new MaxPool2dGather<T>(Index, Own(y.ShapeArray), Planes, Windows.Height * Windows.Width, Windows.OutH * Windows.OutW).Apply(t);

    /// <summary>The input's shape with the last two axes replaced by the windows' output size.</summary>
    internal static int[] Pooled(int[] shape, PoolWindows windows)
    {
        var result = (int[])shape.Clone();
        result[^2] = windows.OutH;
        result[^1] = windows.OutW;
        return result;
    }
}

/// <summary>g scattered to the winners' positions (the gradient of max pooling); its VJP is the gather at the same positions.</summary>
internal sealed record MaxPool2dScatter<T>(ImmutableArray<int> Index, ImmutableArray<int> InputShape, int Planes, int InPlane, int OutPlane) : UnaryOp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "max_pool2d_grad";

    public override Tensor<T> Forward(Tensor<T> g)
    {
        var gx = new Tensor<T>(Raw(InputShape));
        Pooling.Scatter(g.Buffer, gx.Buffer, Raw(Index), Planes, InPlane, OutPlane);
        return gx;
    }

    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => Apply(t);   // linear

    public override Tensor<T> Vjp(Tensor<T> h, Tensor<T> g, Tensor<T> y)
        => new MaxPool2dGather<T>(Index, Own(g.ShapeArray), Planes, InPlane, OutPlane).Apply(h);
}

/// <summary>The winners' values picked from h (the scatter's gradient); its VJP is the scatter.</summary>
internal sealed record MaxPool2dGather<T>(ImmutableArray<int> Index, ImmutableArray<int> OutputShape, int Planes, int InPlane, int OutPlane) : UnaryOp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "max_pool2d_gather";

    public override Tensor<T> Forward(Tensor<T> h)
    {
        var y = new Tensor<T>(Raw(OutputShape));
        Pooling.Gather(h.Buffer, y.Buffer, Raw(Index), Planes, InPlane, OutPlane);
        return y;
    }

    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => Apply(t);   // linear

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> h, Tensor<T> y)
        => new MaxPool2dScatter<T>(Index, Own(h.ShapeArray), Planes, InPlane, OutPlane).Apply(g);
}

/// <summary>Average pooling (sliding or adaptive windows; padded zeros count, as PyTorch's default). ∂/∂x spreads g/count over each window.</summary>
internal sealed record AvgPool2d<T>(PoolWindows Windows, int Planes, PoolSpec Spec) : UnaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "avg_pool2d";

    public override string Label => Spec.Adaptive
        ? $"adaptive_avg_pool2d({Windows.OutH}x{Windows.OutW})"
        : $"avg_pool2d(k={Spec.Kernel.H}x{Spec.Kernel.W}, stride={Spec.Stride.H}x{Spec.Stride.W}, pad={Spec.Padding.H}x{Spec.Padding.W})";

    public override Tensor<T> Forward(Tensor<T> x)
    {
        var y = new Tensor<T>(MaxPool2d<T>.Pooled(x.ShapeRef, Windows));
        Pooling.AvgForward(x.Buffer, y.Buffer, Planes, Windows);
        return y;
    }

    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => Apply(t);   // linear

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => new AvgPool2dGrad<T>(Windows, Planes, Own(x.ShapeArray)).Apply(g);
}

/// <summary>g spread over each window (the gradient of average pooling); its VJP is the average again.</summary>
internal sealed record AvgPool2dGrad<T>(PoolWindows Windows, int Planes, ImmutableArray<int> InputShape) : UnaryOp<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "avg_pool2d_grad";

    public override Tensor<T> Forward(Tensor<T> g)
    {
        var gx = new Tensor<T>(Raw(InputShape));
        Pooling.AvgBackward(g.Buffer, gx.Buffer, Planes, Windows);
        return gx;
    }

    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => Apply(t);   // linear

    public override Tensor<T> Vjp(Tensor<T> h, Tensor<T> g, Tensor<T> y) => new AvgPool2d<T>(Windows, Planes, new PoolSpec(default, default, default, true)).Apply(h);
}
