using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Kernels;

/// <summary>A binary element-wise operator, specialised by the JIT per struct (no virtual calls in the loops).</summary>
internal interface IBinaryOperator<T>
{
    static abstract T Invoke(T a, T b);
    static abstract void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d);
    static abstract void Invoke(ReadOnlySpan<T> a, T b, Span<T> d);
    static abstract void Invoke(T a, ReadOnlySpan<T> b, Span<T> d);
}

/// <summary>
/// Element-wise kernels with NumPy broadcasting. Equal shapes and scalar operands go straight to SIMD span loops
/// (TensorPrimitives); other broadcasts iterate over the outer index and run the SIMD loop on the innermost run.
/// </summary>
internal static class ElementWise
{
    /// <summary>Work below this many elements stays on one thread.</summary>
    public const int ParallelThreshold = 1 << 18;

    public static Tensor<T> Unary<T>(Tensor<T> x, SpanAction<T> kernel) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = new Tensor<T>(x.ShapeRef);
        Run(x.Buffer, result.Buffer, kernel);
        return result;
    }

    public delegate void SpanAction<T>(ReadOnlySpan<T> x, Span<T> y);

    public static void Run<T>(T[] x, T[] y, SpanAction<T> kernel)
    {
        int n = x.Length;
        if (n < ParallelThreshold) { kernel(x, y); return; }
        int chunks = Environment.ProcessorCount;
        int size = (n + chunks - 1) / chunks;
        Parallel.For(0, chunks, c =>
        {
            int start = c * size, len = Math.Min(size, n - start);
            if (len > 0) kernel(x.AsSpan(start, len), y.AsSpan(start, len));
        });
    }

    public static Tensor<T> Binary<T, TOp>(Tensor<T> a, Tensor<T> b, string operation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IBinaryOperator<T>
    {
        if (Shapes.Equal(a.Shape, b.Shape))
        {
            var r = new Tensor<T>(a.ShapeRef);
            Same<T, TOp>(a.Buffer, b.Buffer, r.Buffer);
            return r;
        }
        if (b.Size == 1 && b.Rank <= a.Rank)
        {
            var r = new Tensor<T>(a.ShapeRef);
            TOp.Invoke(a.Buffer, b.Buffer[0], r.Buffer);
            return r;
        }
        if (a.Size == 1 && a.Rank <= b.Rank)
        {
            var r = new Tensor<T>(b.ShapeRef);
            TOp.Invoke(a.Buffer[0], b.Buffer, r.Buffer);
            return r;
        }
        var shape = Shapes.Broadcast(a.Shape, b.Shape, operation);
        var result = new Tensor<T>(shape);
        Broadcast<T, TOp>(a.Buffer, a.ShapeRef, b.Buffer, b.ShapeRef, result.Buffer, shape);
        return result;
    }

    private static void Same<T, TOp>(T[] a, T[] b, T[] d) where TOp : IBinaryOperator<T>
    {
        int n = d.Length;
        if (n < ParallelThreshold) { TOp.Invoke(a, b, d); return; }
        int chunks = Environment.ProcessorCount;
        int size = (n + chunks - 1) / chunks;
        Parallel.For(0, chunks, c =>
        {
            int start = c * size, len = Math.Min(size, n - start);
            if (len > 0) TOp.Invoke(a.AsSpan(start, len), b.AsSpan(start, len), d.AsSpan(start, len));
        });
    }

    /// <summary>Strides of <paramref name="shape"/> aligned to <paramref name="outShape"/>, 0 where broadcast.</summary>
    public static int[] BroadcastStrides(int[] shape, int[] outShape)
    {
        var strides = new int[outShape.Length];
        int offset = outShape.Length - shape.Length;
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i + offset] = shape[i] == 1 ? 0 : s;
            s *= shape[i];
        }
        return strides;
    }

    private static void Broadcast<T, TOp>(T[] a, int[] aShape, T[] b, int[] bShape, T[] d, int[] shape)
        where TOp : IBinaryOperator<T>
    {
        int rank = shape.Length;
        if (d.Length == 0) return;
        var sa = BroadcastStrides(aShape, shape);
        var sb = BroadcastStrides(bShape, shape);
        int inner = shape[rank - 1];
        int ia = sa[rank - 1], ib = sb[rank - 1];
        int outer = d.Length / inner;
        Span<int> idx = stackalloc int[rank];
        int offA = 0, offB = 0;
        for (int o = 0; o < outer; o++)
        {
            var dst = d.AsSpan(o * inner, inner);
            if (ia == 1 && ib == 1) TOp.Invoke(a.AsSpan(offA, inner), b.AsSpan(offB, inner), dst);
            else if (ia == 1) TOp.Invoke(a.AsSpan(offA, inner), b[offB], dst);
            else if (ib == 1) TOp.Invoke(a[offA], b.AsSpan(offB, inner), dst);
            else dst.Fill(TOp.Invoke(a[offA], b[offB]));
            // Advance the outer index (all dimensions but the last), like an odometer.
            for (int k = rank - 2; k >= 0; k--)
            {
                idx[k]++;
                offA += sa[k];
                offB += sb[k];
                if (idx[k] < shape[k]) break;
                offA -= sa[k] * shape[k];
                offB -= sb[k] * shape[k];
                idx[k] = 0;
            }
        }
    }

    /// <summary>Materialises <paramref name="x"/> broadcast to <paramref name="shape"/>.</summary>
    public static T[] BroadcastTo<T>(T[] x, int[] xShape, int[] shape) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var d = new T[Shapes.Size(shape)];
        if (d.Length == 0) return d;
        if (x.Length == 1) { Array.Fill(d, x[0]); return d; }
        int rank = shape.Length;
        var sx = BroadcastStrides(xShape, shape);
        int inner = shape[rank - 1], ix = sx[rank - 1];
        int outer = d.Length / inner;
        Span<int> idx = stackalloc int[rank];
        int off = 0;
        for (int o = 0; o < outer; o++)
        {
            var dst = d.AsSpan(o * inner, inner);
            if (ix == 1) x.AsSpan(off, inner).CopyTo(dst); else dst.Fill(x[off]);
            for (int k = rank - 2; k >= 0; k--)
            {
                idx[k]++;
                off += sx[k];
                if (idx[k] < shape[k]) break;
                off -= sx[k] * shape[k];
                idx[k] = 0;
            }
        }
        return d;
    }
}

internal readonly struct AddOp<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => a + b;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Add(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Add(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Add(b, a, d);
}

internal readonly struct SubtractOp<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => a - b;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Subtract(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Subtract(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Subtract(a, b, d);
}

internal readonly struct MultiplyOp<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => a * b;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Multiply(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Multiply(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Multiply(b, a, d);
}

internal readonly struct DivideOp<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => a / b;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Divide(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Divide(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Divide(a, b, d);
}

internal readonly struct PowOp<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => T.Pow(a, b);
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Pow(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Pow(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Pow(a, b, d);
}

internal readonly struct MaxOp<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => T.Max(a, b);
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Max(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Max(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Max(b, a, d);
}

internal readonly struct MinOp<T> : IBinaryOperator<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => T.Min(a, b);
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Min(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Min(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Min(b, a, d);
}

/// <summary>Comparison operators give 1 where the relation holds and 0 elsewhere.</summary>
internal abstract class CompareOp<T, TSelf> where T : unmanaged, IBinaryFloatingPointIeee754<T> where TSelf : ICompare<T>
{
    public static void Loop(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = TSelf.Test(a[i], b[i]) ? T.One : T.Zero; }
    public static void Loop(ReadOnlySpan<T> a, T b, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = TSelf.Test(a[i], b) ? T.One : T.Zero; }
    public static void Loop(T a, ReadOnlySpan<T> b, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = TSelf.Test(a, b[i]) ? T.One : T.Zero; }
}

internal interface ICompare<T> { static abstract bool Test(T a, T b); }

internal readonly struct GreaterOp<T> : IBinaryOperator<T>, ICompare<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool Test(T a, T b) => a > b;
    public static T Invoke(T a, T b) => a > b ? T.One : T.Zero;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => CompareOp<T, GreaterOp<T>>.Loop(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => CompareOp<T, GreaterOp<T>>.Loop(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => CompareOp<T, GreaterOp<T>>.Loop(a, b, d);
}

internal readonly struct GreaterEqualOp<T> : IBinaryOperator<T>, ICompare<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool Test(T a, T b) => a >= b;
    public static T Invoke(T a, T b) => a >= b ? T.One : T.Zero;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => CompareOp<T, GreaterEqualOp<T>>.Loop(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => CompareOp<T, GreaterEqualOp<T>>.Loop(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => CompareOp<T, GreaterEqualOp<T>>.Loop(a, b, d);
}

internal readonly struct EqualOp<T> : IBinaryOperator<T>, ICompare<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool Test(T a, T b) => a == b;
    public static T Invoke(T a, T b) => a == b ? T.One : T.Zero;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => CompareOp<T, EqualOp<T>>.Loop(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => CompareOp<T, EqualOp<T>>.Loop(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => CompareOp<T, EqualOp<T>>.Loop(a, b, d);
}
