using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using X86 = System.Runtime.Intrinsics.X86;

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
/// (TensorPrimitives); other broadcasts iterate over the outer index and run the SIMD loop on the innermost run, so a
/// row or column pattern (bias rows, per-row scales) needs no broadcast temporary. Work from <see cref="Split.Threshold"/>
/// elements on is split into one contiguous chunk per core; results are allocated uninitialised (every element is written).
/// </summary>
internal static class ElementWise
{
    public delegate void SpanAction<T>(ReadOnlySpan<T> x, Span<T> y);

    public static void Run<T>(T[] x, T[] y, SpanAction<T> kernel)
    {
        int chunks = Split.Chunks(x.Length);
        if (chunks == 1) kernel(x, y);
        else RunSplit(x, y, kernel, chunks);
    }

    // Separate from Run so that the closure is allocated only for split work.
    private static void RunSplit<T>(T[] x, T[] y, SpanAction<T> kernel, int chunks)
        => Split.For(x.Length, chunks, (x, y, kernel), static (st, s, n) => st.kernel(st.x.AsSpan(s, n), st.y.AsSpan(s, n)));

    /// <summary>
    /// d = a ∘ b with NumPy broadcasting: <paramref name="d"/> has <paramref name="shape"/>, the broadcast of the operands'
    /// shapes. Equal shapes and one-element operands take the plain span loops; the rest the broadcast loops.
    /// </summary>
    public static void Binary<T, TOp>(T[] a, int[] aShape, T[] b, int[] bShape, T[] d, int[] shape)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IBinaryOperator<T>
    {
        int chunks = Split.Chunks(d.Length);
        if (Shapes.Equal(aShape, bShape))
        {
            if (chunks == 1) TOp.Invoke(a, b, d);
            else SameSplit<T, TOp>(a, b, d, chunks);
        }
        else if (b.Length == 1 && bShape.Length <= aShape.Length)
        {
            if (chunks == 1) TOp.Invoke(a, b[0], d);
            else ScalarSplit<T, TOp>(a, b[0], d, scalarFirst: false, chunks);
        }
        else if (a.Length == 1 && aShape.Length <= bShape.Length)
        {
            if (chunks == 1) TOp.Invoke(a[0], b, d);
            else ScalarSplit<T, TOp>(b, a[0], d, scalarFirst: true, chunks);
        }
        else Broadcast<T, TOp>(a, aShape, b, bShape, d, shape);
    }

    /// <summary>The result shape of <see cref="Binary{T, TOp}"/>: an operand's own shape on the fast paths, else the broadcast.</summary>
    public static int[] BinaryShape(int[] aShape, int aSize, int[] bShape, int bSize, string operation)
    {
        if (Shapes.Equal(aShape, bShape)) return aShape;
        if (bSize == 1 && bShape.Length <= aShape.Length) return aShape;
        if (aSize == 1 && aShape.Length <= bShape.Length) return bShape;
        return Shapes.Broadcast(aShape, bShape, operation);
    }

    /// <summary>+, −, ×, ÷: correctly rounded, so the scalar operation equals the vector loop's bit for bit.</summary>
    public static bool IsArithmetic<T, TOp>() where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IBinaryOperator<T>
        => typeof(TOp) == typeof(AddOp<T>) || typeof(TOp) == typeof(SubtractOp<T>)
        || typeof(TOp) == typeof(MultiplyOp<T>) || typeof(TOp) == typeof(DivideOp<T>);

    private static void SameSplit<T, TOp>(T[] a, T[] b, T[] d, int chunks) where TOp : IBinaryOperator<T>
        => Split.For(d.Length, chunks, (a, b, d), static (st, s, n) => TOp.Invoke(st.a.AsSpan(s, n), st.b.AsSpan(s, n), st.d.AsSpan(s, n)));

    private static void ScalarSplit<T, TOp>(T[] x, T scalar, T[] d, bool scalarFirst, int chunks) where TOp : IBinaryOperator<T>
        => Split.For(d.Length, chunks, (x, scalar, d, scalarFirst), static (st, s, n) =>
        {
            if (st.scalarFirst) TOp.Invoke(st.scalar, st.x.AsSpan(s, n), st.d.AsSpan(s, n));
            else TOp.Invoke(st.x.AsSpan(s, n), st.scalar, st.d.AsSpan(s, n));
        });

    /// <summary>In place <c>y += scale · x</c> (the update step of the optimizers), split across cores when large.</summary>
    public static void MultiplyAddInPlace<T>(T[] x, T scale, T[] y) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (y.Length == 1 && x.Length == 1)
        {
            y[0] = x[0] * scale + y[0]; // TensorPrimitives.MultiplyAdd rounds the product, then the sum (not fused)
            return;
        }
        int chunks = Split.Chunks(y.Length, Split.InPlaceThreshold);
        if (chunks == 1) TensorPrimitives.MultiplyAdd(x, scale, y, y);
        else MultiplyAddSplit(x, scale, y, chunks);
    }

    /// <summary>
    /// The optimizer's update in two passes, split across the cores from <see cref="Split.InPlaceThreshold"/> elements:
    /// <paramref name="update"/> = <paramref name="gradient"/> · <paramref name="factor"/>, then (when
    /// <paramref name="values"/> is not empty) <paramref name="values"/> += <paramref name="update"/>, chunk by chunk —
    /// the same two roundings per element as the two whole passes, so the same bits however it is split.
    /// </summary>
    public static unsafe void ScaleThenAdd<T>(ReadOnlySpan<T> gradient, T factor, Span<T> update, Span<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = update.Length;
        int chunks = Split.Chunks(n, Split.InPlaceThreshold);
        if (chunks == 1)
        {
            TensorPrimitives.Multiply(gradient, factor, update);
            if (!values.IsEmpty) TensorPrimitives.Add(values, update, values);
            return;
        }
        bool add = !values.IsEmpty;
        fixed (T* g = gradient, u = update, v = values)
            Split.For(n, chunks, ((nint)g, factor, (nint)u, (nint)v, add), static (st, s, count) =>
            {
                var u = new Span<T>((T*)st.Item3 + s, count);
                TensorPrimitives.Multiply(new ReadOnlySpan<T>((T*)st.Item1 + s, count), st.factor, u);
                if (st.add)
                {
                    var v = new Span<T>((T*)st.Item4 + s, count);
                    TensorPrimitives.Add(v, u, v);
                }
            });
    }

    /// <summary><paramref name="values"/> += <paramref name="update"/>, split as <see cref="ScaleThenAdd{T}"/>.</summary>
    public static unsafe void AddInPlace<T>(Span<T> values, ReadOnlySpan<T> update) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = values.Length;
        int chunks = Split.Chunks(n, Split.InPlaceThreshold);
        if (chunks == 1)
        {
            TensorPrimitives.Add(values, update, values);
            return;
        }
        fixed (T* v = values, u = update)
            Split.For(n, chunks, ((nint)v, (nint)u), static (st, s, count) =>
            {
                var v = new Span<T>((T*)st.Item1 + s, count);
                TensorPrimitives.Add(v, new ReadOnlySpan<T>((T*)st.Item2 + s, count), v);
            });
    }

    private static void MultiplyAddSplit<T>(T[] x, T scale, T[] y, int chunks) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Split.For(y.Length, chunks, (x, scale, y), static (st, s, n) => TensorPrimitives.MultiplyAdd(st.x.AsSpan(s, n), st.scale, st.y.AsSpan(s, n), st.y.AsSpan(s, n)));

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
        int outer = d.Length / shape[rank - 1];
        int chunks = Math.Min(Split.Chunks(d.Length), outer);
        if (chunks == 1) BroadcastRows<T, TOp>(a, sa, b, sb, d, shape, 0, outer);
        else Split.For(outer, chunks, (o, count) => BroadcastRows<T, TOp>(a, sa, b, sb, d, shape, o, o + count), align: 1);
    }

    /// <summary>Output rows (all dimensions but the last) <paramref name="first"/> to <paramref name="end"/> of a broadcast.</summary>
    private static void BroadcastRows<T, TOp>(T[] a, int[] sa, T[] b, int[] sb, T[] d, int[] shape, int first, int end)
        where TOp : IBinaryOperator<T>
    {
        int rank = shape.Length;
        int inner = shape[rank - 1];
        int ia = sa[rank - 1], ib = sb[rank - 1];
        Span<int> idx = stackalloc int[rank];
        int offA = 0, offB = 0;
        // The odometer position of the first row.
        for (int k = rank - 2, rem = first; k >= 0; k--)
        {
            idx[k] = rem % shape[k];
            rem /= shape[k];
            offA += idx[k] * sa[k];
            offB += idx[k] * sb[k];
        }
        for (int o = first; o < end; o++)
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
        var d = GC.AllocateUninitializedArray<T>(Shapes.Size(shape));
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

/// <summary>Comparison operators give 1 where the relation holds and 0 elsewhere (false for NaN, as the scalar relation).</summary>
internal abstract class CompareOp<T, TSelf> where T : unmanaged, IBinaryFloatingPointIeee754<T> where TSelf : ICompare<T>
{
    public static void Loop(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => Run(a, false, b, false, d);
    public static void Loop(ReadOnlySpan<T> a, T b, Span<T> d) => Run(a, false, new ReadOnlySpan<T>(in b), true, d);
    public static void Loop(T a, ReadOnlySpan<T> b, Span<T> d) => Run(new ReadOnlySpan<T>(in a), true, b, false, d);

    /// <summary>The SIMD loop: an operand flagged scalar is its single element, broadcast. The mask ANDed with 1.0 gives 1 or 0.</summary>
    private static void Run(ReadOnlySpan<T> a, bool aScalar, ReadOnlySpan<T> b, bool bScalar, Span<T> d)
    {
        int n = d.Length, i = 0;
        if (n == 0) return;
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T rd = ref MemoryMarshal.GetReference(d);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            var one = Vector512<T>.One;
            var va = Vector512.Create(ra);
            var vb = Vector512.Create(rb);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                var x = aScalar ? va : Vector512.LoadUnsafe(ref ra, (nuint)i);
                var y = bScalar ? vb : Vector512.LoadUnsafe(ref rb, (nuint)i);
                (TSelf.Test(x, y) & one).StoreUnsafe(ref rd, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            var one = Vector256<T>.One;
            var va = Vector256.Create(ra);
            var vb = Vector256.Create(rb);
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var x = aScalar ? va : Vector256.LoadUnsafe(ref ra, (nuint)i);
                var y = bScalar ? vb : Vector256.LoadUnsafe(ref rb, (nuint)i);
                (TSelf.Test(x, y) & one).StoreUnsafe(ref rd, (nuint)i);
            }
        }
        for (; i < n; i++)
            d[i] = TSelf.Test(aScalar ? a[0] : a[i], bScalar ? b[0] : b[i]) ? T.One : T.Zero;
    }
}

internal interface ICompare<T>
{
    static abstract bool Test(T a, T b);
    static abstract Vector512<T> Test(Vector512<T> a, Vector512<T> b);
    static abstract Vector256<T> Test(Vector256<T> a, Vector256<T> b);
}

internal readonly struct GreaterOp<T> : IBinaryOperator<T>, ICompare<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool Test(T a, T b) => a > b;
    public static Vector512<T> Test(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThan(a, b);
    public static Vector256<T> Test(Vector256<T> a, Vector256<T> b) => Vector256.GreaterThan(a, b);
    public static T Invoke(T a, T b) => a > b ? T.One : T.Zero;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => CompareOp<T, GreaterOp<T>>.Loop(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => CompareOp<T, GreaterOp<T>>.Loop(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => CompareOp<T, GreaterOp<T>>.Loop(a, b, d);
}

internal readonly struct GreaterEqualOp<T> : IBinaryOperator<T>, ICompare<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool Test(T a, T b) => a >= b;
    public static Vector512<T> Test(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThanOrEqual(a, b);
    public static Vector256<T> Test(Vector256<T> a, Vector256<T> b) => Vector256.GreaterThanOrEqual(a, b);
    public static T Invoke(T a, T b) => a >= b ? T.One : T.Zero;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => CompareOp<T, GreaterEqualOp<T>>.Loop(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => CompareOp<T, GreaterEqualOp<T>>.Loop(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => CompareOp<T, GreaterEqualOp<T>>.Loop(a, b, d);
}

internal readonly struct EqualOp<T> : IBinaryOperator<T>, ICompare<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool Test(T a, T b) => a == b;
    public static Vector512<T> Test(Vector512<T> a, Vector512<T> b) => Vector512.Equals(a, b);
    public static Vector256<T> Test(Vector256<T> a, Vector256<T> b) => Vector256.Equals(a, b);
    public static T Invoke(T a, T b) => a == b ? T.One : T.Zero;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => CompareOp<T, EqualOp<T>>.Loop(a, b, d);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> d) => CompareOp<T, EqualOp<T>>.Loop(a, b, d);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> d) => CompareOp<T, EqualOp<T>>.Loop(a, b, d);
}

/// <summary>
/// An activation's derivative written with its output y (the VJP is Apply(g, y)), at every vector width so that
/// <see cref="GradFromOutput"/> runs the widest the machine has (and tests can narrow it).
/// </summary>
internal interface IGradFromOutput<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract T Apply(T g, T y);
    static abstract Vector512<T> Apply(Vector512<T> g, Vector512<T> y);
    static abstract Vector256<T> Apply(Vector256<T> g, Vector256<T> y);
    static abstract Vector128<T> Apply(Vector128<T> g, Vector128<T> y);
}

/// <summary>
/// d = TOp.Apply(g, y) element by element (an activation's backward pass from its output): one SIMD pass, split across
/// cores when large. Each element's arithmetic is the same at every width, so the result does not depend on the
/// instruction set or the split.
/// </summary>
internal static class GradFromOutput
{
    /// <summary>Runs over whole arrays of equal length, with the calling thread's instruction set (<see cref="Isa.Current"/>).</summary>
    public static void Run<T, TOp>(T[] g, T[] y, T[] d) where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IGradFromOutput<T>
    {
        var isa = Isa.Current;
        int chunks = Split.Chunks(d.Length);
        if (chunks == 1) RunChunk<T, TOp>(g, y, d, isa);
        else RunSplit<T, TOp>(g, y, d, isa, chunks);
    }

    private static void RunSplit<T, TOp>(T[] g, T[] y, T[] d, SimdIsa isa, int chunks)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IGradFromOutput<T>
        => Split.For(d.Length, chunks, (g, y, d, isa), static (st, s, n) => RunChunk<T, TOp>(st.g.AsSpan(s, n), st.y.AsSpan(s, n), st.d.AsSpan(s, n), st.isa));

    /// <summary>One chunk: non-temporal stores for a destination of <see cref="NonTemporalBytes"/> or more (AVX-512 or AVX2), else <see cref="Run{T, TOp}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, SimdIsa)"/>.</summary>
    private static void RunChunk<T, TOp>(ReadOnlySpan<T> g, ReadOnlySpan<T> y, Span<T> d, SimdIsa isa)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IGradFromOutput<T>
    {
        int i = 0;
        if ((long)d.Length * Unsafe.SizeOf<T>() >= NonTemporalBytes && g.Length >= d.Length && y.Length >= d.Length)
        {
            if (isa >= SimdIsa.Avx512 && Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
                i = NonTemporal512<T, TOp>(ref MemoryMarshal.GetReference(g), ref MemoryMarshal.GetReference(y), d);
            else if (isa >= SimdIsa.Avx2 && Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
                i = NonTemporal256<T, TOp>(ref MemoryMarshal.GetReference(g), ref MemoryMarshal.GetReference(y), d);
        }
        Run<T, TOp>(g[i..], y[i..], d[i..], isa);
    }

    /// <summary>One span, on this thread, with vectors no wider than <paramref name="isa"/>.</summary>
    public static void Run<T, TOp>(ReadOnlySpan<T> g, ReadOnlySpan<T> y, Span<T> d, SimdIsa isa)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IGradFromOutput<T>
    {
        int n = d.Length, i = 0;
        if (g.Length < n || y.Length < n) throw new ArgumentException("The gradient and the output must be as long as the destination.");
        if (n == 0) return;
        ref T rg = ref MemoryMarshal.GetReference(g);
        ref T ry = ref MemoryMarshal.GetReference(y);
        ref T rd = ref MemoryMarshal.GetReference(d);
        if (isa >= SimdIsa.Avx512 && Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            for (; i <= n - 2 * Vector512<T>.Count; i += 2 * Vector512<T>.Count)
            {
                nuint j = (nuint)i, k = (nuint)(i + Vector512<T>.Count);
                var a = TOp.Apply(Vector512.LoadUnsafe(ref rg, j), Vector512.LoadUnsafe(ref ry, j));
                var b = TOp.Apply(Vector512.LoadUnsafe(ref rg, k), Vector512.LoadUnsafe(ref ry, k));
                a.StoreUnsafe(ref rd, j);
                b.StoreUnsafe(ref rd, k);
            }
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                TOp.Apply(Vector512.LoadUnsafe(ref rg, (nuint)i), Vector512.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        if (isa >= SimdIsa.Avx2 && Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            for (; i <= n - 2 * Vector256<T>.Count; i += 2 * Vector256<T>.Count)
            {
                nuint j = (nuint)i, k = (nuint)(i + Vector256<T>.Count);
                var a = TOp.Apply(Vector256.LoadUnsafe(ref rg, j), Vector256.LoadUnsafe(ref ry, j));
                var b = TOp.Apply(Vector256.LoadUnsafe(ref rg, k), Vector256.LoadUnsafe(ref ry, k));
                a.StoreUnsafe(ref rd, j);
                b.StoreUnsafe(ref rd, k);
            }
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                TOp.Apply(Vector256.LoadUnsafe(ref rg, (nuint)i), Vector256.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        if (isa >= SimdIsa.Vector128 && Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
        {
            for (; i <= n - Vector128<T>.Count; i += Vector128<T>.Count)
                TOp.Apply(Vector128.LoadUnsafe(ref rg, (nuint)i), Vector128.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref rd, i) = TOp.Apply(Unsafe.Add(ref rg, i), Unsafe.Add(ref ry, i));
    }

    /// <summary>
    /// Destinations from this size on (per chunk) are written with non-temporal stores: a result far larger than the
    /// caches is not read for ownership first (a third less memory traffic) and does not evict the inputs, as
    /// TensorPrimitives does for its large element-wise outputs.
    /// </summary>
    internal const long NonTemporalBytes = 8L << 20;

    /// <summary>
    /// The AVX-512 loop with non-temporal stores from the first 64-byte boundary of <paramref name="d"/>; returns the
    /// index up to which it wrote (the caller finishes the rest, and writes nothing before the boundary twice).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its pinned local would otherwise slow the caller's loops
    private static unsafe int NonTemporal512<T, TOp>(ref T rg, ref T ry, Span<T> d)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IGradFromOutput<T>
    {
        int n = d.Length, w = Vector512<T>.Count;
        fixed (T* pd = d)
        {
            int i = 0;
            // Up to the boundary element by element (at most 15 floats), then whole aligned vectors.
            int head = (int)((64 - ((nint)pd & 63)) & 63) / sizeof(T);
            if (((nint)pd & (sizeof(T) - 1)) != 0) return 0; // not element-aligned: leave it to the ordinary loop
            for (; i < head && i < n; i++) pd[i] = TOp.Apply(Unsafe.Add(ref rg, i), Unsafe.Add(ref ry, i));
            for (; i <= n - w; i += w)
                TOp.Apply(Vector512.LoadUnsafe(ref rg, (nuint)i), Vector512.LoadUnsafe(ref ry, (nuint)i)).StoreAlignedNonTemporal(pd + i);
            // Non-temporal stores are weakly ordered: drain them before another thread may read the result.
            X86.Sse.StoreFence();
            return i;
        }
    }

    /// <summary>
    /// <see cref="NonTemporal512{T, TOp}"/> with 256-bit vectors (AVX2 machines): the fused ReLU gradient of 16M floats
    /// wrote at 0.61× a copy's rate with ordinary stores (AVX-512 switched off on Emerald Rapids).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe int NonTemporal256<T, TOp>(ref T rg, ref T ry, Span<T> d)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IGradFromOutput<T>
    {
        int n = d.Length, w = Vector256<T>.Count;
        fixed (T* pd = d)
        {
            int i = 0;
            int head = (int)((32 - ((nint)pd & 31)) & 31) / sizeof(T);
            if (((nint)pd & (sizeof(T) - 1)) != 0) return 0;
            for (; i < head && i < n; i++) pd[i] = TOp.Apply(Unsafe.Add(ref rg, i), Unsafe.Add(ref ry, i));
            for (; i <= n - w; i += w)
                TOp.Apply(Vector256.LoadUnsafe(ref rg, (nuint)i), Vector256.LoadUnsafe(ref ry, (nuint)i)).StoreAlignedNonTemporal(pd + i);
            X86.Sse.StoreFence();
            return i;
        }
    }
}
