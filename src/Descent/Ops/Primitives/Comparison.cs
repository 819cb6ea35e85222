using System.Numerics;
using Descent.Kernels;

namespace Descent.Ops;

// Element-wise extremes and clipping (comparisons themselves are constants, not recorded).

/// <summary>max(a, b) with broadcasting. The gradient goes to the larger input; ties split it evenly (as PyTorch).</summary>
internal sealed record Maximum<T> : BinaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Maximum<T> Instance = new();
    public override string Name => "maximum";
    public override Tensor<T> Forward(Tensor<T> a, Tensor<T> b) => TensorKernels.Binary<T, MaxOp<T>>(a, b, Name);
    public override Tensor<T> VjpA(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g * (a.GreaterThan(b) + a.EqualTo(b) * Cv(0.5));
    public override Tensor<T> VjpB(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g * (b.GreaterThan(a) + a.EqualTo(b) * Cv(0.5));
}

/// <summary>min(a, b) with broadcasting; ties split the gradient evenly.</summary>
internal sealed record Minimum<T> : BinaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Minimum<T> Instance = new();
    public override string Name => "minimum";
    public override Tensor<T> Forward(Tensor<T> a, Tensor<T> b) => TensorKernels.Binary<T, MinOp<T>>(a, b, Name);
    public override Tensor<T> VjpA(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g * (b.GreaterThan(a) + a.EqualTo(b) * Cv(0.5));
    public override Tensor<T> VjpB(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g * (a.GreaterThan(b) + a.EqualTo(b) * Cv(0.5));
}

/// <summary>Every element limited to [<see cref="Min"/>, <see cref="Max"/>]. ∂/∂x = 1 inside (bounds included), 0 outside.</summary>
internal sealed record Clip<T>(T Min, T Max) : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "clip";
    public override string Label => $"clip({Min}, {Max})";

    public override Tensor<T> Forward(Tensor<T> x)
    {
        var result = new Tensor<T>(x.ShapeArray);
        System.Numerics.Tensors.TensorPrimitives.Clamp(x.Buffer, Min, Max, result.Buffer);
        return result;
    }

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y)
        => g * x.GreaterOrEqual(Tensor.Scalar(Min)) * x.LessOrEqual(Tensor.Scalar(Max));
}
