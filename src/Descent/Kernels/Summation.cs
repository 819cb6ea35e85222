using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using X86 = System.Runtime.Intrinsics.X86;

namespace Descent.Kernels;

/// <summary>
/// The sum of a long span, with an association fixed by the element indices alone (never by the address), so the same
/// values sum to the same bits wherever the array happens to sit in memory — a resumed run must repeat an uninterrupted
/// one bit for bit.
/// </summary>
/// <remarks>
/// <para>
/// TensorPrimitives' sum loads vectors at the span's own (unaligned) addresses: a .NET array's data is 8-byte aligned,
/// so with AVX-512 nearly every 64-byte load straddles two cache lines, and a sum of 256K floats from L2 took 17–18 µs on
/// one Emerald Rapids core. Here the AVX-512 loop loads aligned vectors and rebuilds each index-aligned vector from two
/// neighbours with one two-source permute (<c>vpermt2ps</c>/<c>vpermt2pd</c>): 7.4–7.7 µs, the speed of a loop that
/// sums aligned vectors directly (7.1) — which would tie the association to the address. The first aligned vector may
/// start before the span and the last end after it; they stay within the span's first and last cache lines (so within
/// mapped pages), and the lanes outside the span are never added.
/// </para>
/// <para>
/// Association: in blocks of four vectors, vector m (elements [mW, mW + W), W lanes) goes into accumulator m mod 4; the
/// whole vectors after the last block into the first; the accumulators are added as (a0 + a1) + (a2 + a3), the lanes
/// by <c>Vector.Sum</c>, then the elements past the last whole vector one by one.
/// Narrower vectors (AVX2, 128-bit) use the same rule with eight accumulators and unaligned loads (a 32-byte load
/// splits a line far less often). Spans shorter than <see cref="MinLength"/> keep TensorPrimitives' sum (and its bits).
/// </para>
/// </remarks>
internal static class Summation
{
    /// <summary>Spans shorter than this take TensorPrimitives.Sum.</summary>
    public const int MinLength = 256;

    /// <summary>The sum of <paramref name="x"/> with vectors no wider than <paramref name="isa"/>.</summary>
    public static T Of<T>(ReadOnlySpan<T> x, SimdIsa isa) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (x.Length < MinLength) return TensorPrimitives.Sum(x);
        if (isa >= SimdIsa.Avx512 && X86.Avx512F.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double)))
            return Permuted512(x);
        if (isa >= SimdIsa.Avx2 && Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            return Wide256(x);
        if (isa >= SimdIsa.Vector128 && Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
            return Wide128(x);
        return TensorPrimitives.Sum(x);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe T Permuted512<T>(ReadOnlySpan<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = x.Length, w = Vector512<T>.Count;
        fixed (T* p = x)
        {
            // p = base + s elements, base 64-byte aligned; index-aligned vector m = lanes s.. of aligned vector m and
            // lanes ..s-1 of aligned vector m + 1.
            int s = (int)(((nint)p & 63) / sizeof(T));
            T* b = p - s;
            // The permute's lane indices (integers), carried in a Vector512<T> and reinterpreted back in Pair.
            var index = typeof(T) == typeof(float)
                ? (Vector512<int>.Indices + Vector512.Create(s)).As<int, T>()
                : (Vector512<long>.Indices + Vector512.Create((long)s)).As<long, T>();
            Vector512<T> a0 = default, a1 = default, a2 = default, a3 = default;
            int i = 0;
            var prev = Vector512.LoadAligned(b);
            // A block adds index-aligned vectors i/w .. i/w + 3; their last lanes come from the aligned vector at
            // b + i + 4w. A block that ends the span exactly with s = 0 needs no lane of it (it would lie wholly past
            // the span, maybe on an unmapped page), so l3 stands in: the blocks depend on the indices alone.
            for (; i + 4 * w <= n; i += 4 * w)
            {
                var l1 = Vector512.LoadAligned(b + i + w);
                var l2 = Vector512.LoadAligned(b + i + 2 * w);
                var l3 = Vector512.LoadAligned(b + i + 3 * w);
                var l4 = i + 4 * w - s < n ? Vector512.LoadAligned(b + i + 4 * w) : l3;
                a0 += Pair(prev, index, l1);
                a1 += Pair(l1, index, l2);
                a2 += Pair(l2, index, l3);
                a3 += Pair(l3, index, l4);
                prev = l4;
            }
            for (; i + w <= n; i += w) a0 += Vector512.Load(p + i);
            T sum = Vector512.Sum((a0 + a1) + (a2 + a3));
            for (; i < n; i++) sum += p[i];
            return sum;
        }
    }

    /// <summary>Lanes s.. of <paramref name="lo"/> followed by lanes ..s−1 of <paramref name="hi"/> (index = s + lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Pair<T>(Vector512<T> lo, Vector512<T> index, Vector512<T> hi) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return X86.Avx512F.PermuteVar16x32x2(lo.AsSingle(), index.AsInt32(), hi.AsSingle()).As<float, T>();
        return X86.Avx512F.PermuteVar8x64x2(lo.AsDouble(), index.AsInt64(), hi.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T Wide256<T>(ReadOnlySpan<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T r = ref MemoryMarshal.GetReference(x);
        int n = x.Length, w = Vector256<T>.Count, i = 0;
        Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (; i <= n - 8 * w; i += 8 * w)
        {
            a0 += Vector256.LoadUnsafe(ref r, (nuint)i);
            a1 += Vector256.LoadUnsafe(ref r, (nuint)(i + w));
            a2 += Vector256.LoadUnsafe(ref r, (nuint)(i + 2 * w));
            a3 += Vector256.LoadUnsafe(ref r, (nuint)(i + 3 * w));
            a4 += Vector256.LoadUnsafe(ref r, (nuint)(i + 4 * w));
            a5 += Vector256.LoadUnsafe(ref r, (nuint)(i + 5 * w));
            a6 += Vector256.LoadUnsafe(ref r, (nuint)(i + 6 * w));
            a7 += Vector256.LoadUnsafe(ref r, (nuint)(i + 7 * w));
        }
        for (; i <= n - w; i += w) a0 += Vector256.LoadUnsafe(ref r, (nuint)i);
        T sum = Vector256.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
        for (; i < n; i++) sum += Unsafe.Add(ref r, i);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T Wide128<T>(ReadOnlySpan<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T r = ref MemoryMarshal.GetReference(x);
        int n = x.Length, w = Vector128<T>.Count, i = 0;
        Vector128<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (; i <= n - 8 * w; i += 8 * w)
        {
            a0 += Vector128.LoadUnsafe(ref r, (nuint)i);
            a1 += Vector128.LoadUnsafe(ref r, (nuint)(i + w));
            a2 += Vector128.LoadUnsafe(ref r, (nuint)(i + 2 * w));
            a3 += Vector128.LoadUnsafe(ref r, (nuint)(i + 3 * w));
            a4 += Vector128.LoadUnsafe(ref r, (nuint)(i + 4 * w));
            a5 += Vector128.LoadUnsafe(ref r, (nuint)(i + 5 * w));
            a6 += Vector128.LoadUnsafe(ref r, (nuint)(i + 6 * w));
            a7 += Vector128.LoadUnsafe(ref r, (nuint)(i + 7 * w));
        }
        for (; i <= n - w; i += w) a0 += Vector128.LoadUnsafe(ref r, (nuint)i);
        T sum = Vector128.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
        for (; i < n; i++) sum += Unsafe.Add(ref r, i);
        return sum;
    }
}
