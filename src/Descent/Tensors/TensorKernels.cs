using System.Numerics;
using Descent.Kernels;

namespace Descent;

/// <summary>
/// The tensor layer's side of the kernel seam: allocates each result and calls the kernels, which work on storage and
/// shapes only (<c>T[]</c>/spans plus <c>int[]</c> shapes) and know nothing of <see cref="Tensor{T}"/> or gradients.
/// A second backend (a GPU buffer) implements the same entry points on its own storage.
/// </summary>
internal static class TensorKernels
{
    /// <summary>An element-wise map into a new tensor of the same shape (split across cores when large).</summary>
    public static Tensor<T> Unary<T>(Tensor<T> x, ElementWise.SpanAction<T> kernel) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = Tensor<T>.Uninitialized(x.ShapeRef);
        ElementWise.Run(x.Buffer, result.Buffer, kernel);
        return result;
    }

    /// <summary>a ∘ b with broadcasting into a new tensor.</summary>
    public static Tensor<T> Binary<T, TOp>(Tensor<T> a, Tensor<T> b, string operation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IBinaryOperator<T>
    {
        if (a.Size == 1 && b.Size == 1 && ElementWise.IsArithmetic<T, TOp>() && Shapes.Equal(a.ShapeRef, b.ShapeRef))
        {
            // One element each (scalar problems): the IEEE operation itself, exactly what the span loop computes.
            return new Tensor<T>(a.ShapeRef, [TOp.Invoke(a.Buffer[0], b.Buffer[0])]);
        }
        var shape = ElementWise.BinaryShape(a.ShapeRef, a.Size, b.ShapeRef, b.Size, operation);
        var result = Tensor<T>.Uninitialized(shape);
        ElementWise.Binary<T, TOp>(a.Buffer, a.ShapeRef, b.Buffer, b.ShapeRef, result.Buffer, shape);
        return result;
    }

    /// <summary>
    /// a ∘ b with broadcasting into <paramref name="destination"/>, which must have the result's shape (it may be one of
    /// the operands: every kernel reads an element before it writes the same index). Not recorded.
    /// </summary>
    public static Tensor<T> BinaryInto<T, TOp>(Tensor<T> a, Tensor<T> b, Tensor<T> destination, string operation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IBinaryOperator<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(destination);
        RefuseRecording(a, b, destination, operation);
        var shape = ElementWise.BinaryShape(a.ShapeRef, a.Size, b.ShapeRef, b.Size, operation);
        RequireShape(destination, shape, operation);
        ElementWise.Binary<T, TOp>(a.Buffer, a.ShapeRef, b.Buffer, b.ShapeRef, destination.Buffer, shape);
        return destination;
    }

    /// <summary>An element-wise map into <paramref name="destination"/> (same shape; may be <paramref name="x"/> itself). Not recorded.</summary>
    public static Tensor<T> UnaryInto<T>(Tensor<T> x, Tensor<T> destination, ElementWise.SpanAction<T> kernel, string operation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(destination);
        RefuseRecording(x, x, destination, operation);
        RequireShape(destination, x.ShapeRef, operation);
        ElementWise.Run(x.Buffer, destination.Buffer, kernel);
        return destination;
    }

    internal static void RefuseRecording<T>(Tensor<T> a, Tensor<T> b, Tensor<T> destination, string operation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Tensor<T>.ShouldRecord(a, b) || Tensor<T>.ShouldRecord(destination))
            throw new InvalidOperationException(
                $"{operation} into a destination is not recorded for gradients, and an operand or the destination requires a gradient here: " +
                "use the allocating form (a differentiable result), or call it inside Autograd.NoGrad() or on detached tensors.");
    }

    private static void RequireShape<T>(Tensor<T> destination, int[] shape, string operation) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!Shapes.Equal(destination.ShapeRef, shape))
            throw new ShapeException($"{operation}: the destination has shape {Shapes.Format(destination.Shape)}, the result {Shapes.Format(shape)}; pass a destination of the result's shape.");
    }

    /// <summary>The axes permuted (a copy): result axis k is axis perm[k] of <paramref name="x"/>.</summary>
    public static Tensor<T> Permute<T>(Tensor<T> x, int[] perm) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = Tensor<T>.Uninitialized(Copy.PermutedShape(x.ShapeRef, perm));
        Copy.Permute(x.Buffer, x.ShapeRef, perm, result.Buffer);
        return result;
    }

    /// <summary>One axis reduced; the result keeps it with size 1.</summary>
    public static Tensor<T> ReduceAxis<T>(Tensor<T> x, int axis, Reduction op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var shape = x.ShapeArray;
        shape[axis] = 1;
        var result = Tensor<T>.Uninitialized(shape);
        Reduce.Axis(x.Buffer, x.ShapeRef, axis, op, result.Buffer);
        return result;
    }

    /// <summary>Indices of the extremes along one axis (a constant); the result keeps the axis with size 1.</summary>
    public static Tensor<T> ArgExtreme<T>(Tensor<T> x, int axis, bool max) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var shape = x.ShapeArray;
        shape[axis] = 1;
        var result = new Tensor<T>(shape);
        Reduce.ArgExtreme<T>(x.Buffer, x.ShapeRef, axis, max, result.Buffer);
        return result;
    }

    /// <summary>Fused softmax or log-softmax along an axis with inner size 1 (unrecorded).</summary>
    public static Tensor<T> Softmax<T>(Tensor<T> x, int axis, bool log) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = Tensor<T>.Uninitialized(x.ShapeRef);
        Kernels.Softmax.Run(x.Buffer, x.ShapeRef, axis, log, result.Buffer);
        return result;
    }
}
