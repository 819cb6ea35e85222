using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Descent.Kernels;

/// <summary>
/// The maximum (or minimum) of contiguous rows, with <c>TensorPrimitives.Max</c>'s semantics bit for bit: NaN if any
/// element is NaN, and +0 above −0 (−0 below +0 for the minimum). The loop keeps four vector accumulators with the
/// hardware's max instruction (<c>MaxNative</c>: no NaN or signed-zero fix-ups per vector, and no dependency chain on
/// one register) and ORs a NaN mask on the side; a result of zero is resolved by the rare second look for the sign.
/// </summary>
internal static class Extreme
{
    /// <summary>Rows shorter than this take TensorPrimitives (the vector set-up would not pay).</summary>
    public const int MinLength = 32;

    /// <summary>dst[o] = max (or min) of row o of <paramref name="src"/> (rows of <paramref name="n"/>), for o in [first, end).</summary>
    public static void Rows<T>(T[] src, int n, int first, int end, bool max, T[] dst, SimdIsa isa) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int o = first; o < end; o++)
            dst[o] = max ? Of<T, MaxSelect<T>>(src.AsSpan(o * n, n), isa) : Of<T, MinSelect<T>>(src.AsSpan(o * n, n), isa);
    }

    /// <summary>The maximum (or minimum) of a non-empty span, with vectors no wider than <paramref name="isa"/>.</summary>
    public static T Of<T, TOp>(ReadOnlySpan<T> x, SimdIsa isa) where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IExtreme<T>
    {
        int n = x.Length;
        if (n == 0) throw new ArgumentException("The maximum or minimum of an empty span is undefined.", nameof(x));
        ref T r = ref MemoryMarshal.GetReference(x);
        T acc;
        bool nan;
        if (isa >= SimdIsa.Avx512 && Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && n >= Vector512<T>.Count)
            (acc, nan) = Wide512<T, TOp>(ref r, n);
        else if (isa >= SimdIsa.Avx2 && Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && n >= Vector256<T>.Count)
            (acc, nan) = Wide256<T, TOp>(ref r, n);
        else if (isa >= SimdIsa.Vector128 && Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported && n >= Vector128<T>.Count)
            (acc, nan) = Wide128<T, TOp>(ref r, n);
        else
        {
            acc = r;
            nan = T.IsNaN(acc);
            for (int i = 1; i < n; i++)
            {
                T v = Unsafe.Add(ref r, i);
                nan |= T.IsNaN(v);
                acc = TOp.Pick(acc, v);
            }
        }
        if (nan) return T.NaN;
        if (acc == T.Zero) return ZeroSign<T, TOp>(x);
        return acc;
    }

    /// <summary>An extreme equal to zero: +0 if any element is +0 (max) — the hardware max may keep either zero.</summary>
    private static T ZeroSign<T, TOp>(ReadOnlySpan<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IExtreme<T>
    {
        foreach (var v in x)
            if (v == T.Zero && T.IsNegative(v) != TOp.PrefersPositiveZero) return v;
        return TOp.PrefersPositiveZero ? T.NegativeZero : T.Zero;
    }

    /// <summary>
    /// Where the vector loop starts after the first vector (loaded at element 0): the first element on a
    /// <paramref name="bytes"/> boundary, in (0, w] — the loads then never straddle a cache line (the max of 256K floats
    /// from L2: every 64-byte load of an 8-byte-aligned array split two lines). Elements the first vector already saw
    /// are seen again: max and min are idempotent. The address only moves the start, never the result; a collection
    /// that moves the array mid-loop only costs the alignment.
    /// </summary>
    private static unsafe int AlignedStart<T>(ref T r, int bytes, int w) where T : unmanaged
    {
        int skew = (int)((nint)Unsafe.AsPointer(ref r) & (bytes - 1)) / sizeof(T);
        return skew == 0 ? w : w - skew;
    }

    private static (T, bool) Wide512<T, TOp>(ref T r, int n) where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IExtreme<T>
    {
        int w = Vector512<T>.Count, i = AlignedStart<T>(ref r, 64, w);
        var a0 = Vector512.LoadUnsafe(ref r);
        Vector512<T> a1 = a0, a2 = a0, a3 = a0;
        var bad = ~Vector512.Equals(a0, a0);
        for (; i <= n - 4 * w; i += 4 * w)
        {
            var v0 = Vector512.LoadUnsafe(ref r, (nuint)i);
            var v1 = Vector512.LoadUnsafe(ref r, (nuint)(i + w));
            var v2 = Vector512.LoadUnsafe(ref r, (nuint)(i + 2 * w));
            var v3 = Vector512.LoadUnsafe(ref r, (nuint)(i + 3 * w));
            bad |= ~(Vector512.Equals(v0, v0) & Vector512.Equals(v1, v1) & Vector512.Equals(v2, v2) & Vector512.Equals(v3, v3));
            a0 = TOp.Pick(a0, v0);
            a1 = TOp.Pick(a1, v1);
            a2 = TOp.Pick(a2, v2);
            a3 = TOp.Pick(a3, v3);
        }
        for (; i <= n - w; i += w)
        {
            var v = Vector512.LoadUnsafe(ref r, (nuint)i);
            bad |= ~Vector512.Equals(v, v);
            a0 = TOp.Pick(a0, v);
        }
        if (i < n)
        {
            // The last full vector, overlapping elements already seen (max and min are idempotent).
            var v = Vector512.LoadUnsafe(ref r, (nuint)(n - w));
            bad |= ~Vector512.Equals(v, v);
            a1 = TOp.Pick(a1, v);
        }
        var a = TOp.Pick(TOp.Pick(a0, a1), TOp.Pick(a2, a3));
        return (Horizontal<T, TOp>(a.GetLower(), a.GetUpper()), bad != Vector512<T>.Zero);
    }

    private static (T, bool) Wide256<T, TOp>(ref T r, int n) where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IExtreme<T>
    {
        int w = Vector256<T>.Count, i = AlignedStart<T>(ref r, 32, w);
        var a0 = Vector256.LoadUnsafe(ref r);
        Vector256<T> a1 = a0, a2 = a0, a3 = a0;
        var bad = ~Vector256.Equals(a0, a0);
        for (; i <= n - 4 * w; i += 4 * w)
        {
            var v0 = Vector256.LoadUnsafe(ref r, (nuint)i);
            var v1 = Vector256.LoadUnsafe(ref r, (nuint)(i + w));
            var v2 = Vector256.LoadUnsafe(ref r, (nuint)(i + 2 * w));
            var v3 = Vector256.LoadUnsafe(ref r, (nuint)(i + 3 * w));
            bad |= ~(Vector256.Equals(v0, v0) & Vector256.Equals(v1, v1) & Vector256.Equals(v2, v2) & Vector256.Equals(v3, v3));
            a0 = TOp.Pick(a0, v0);
            a1 = TOp.Pick(a1, v1);
            a2 = TOp.Pick(a2, v2);
            a3 = TOp.Pick(a3, v3);
        }
        for (; i <= n - w; i += w)
        {
            var v = Vector256.LoadUnsafe(ref r, (nuint)i);
            bad |= ~Vector256.Equals(v, v);
            a0 = TOp.Pick(a0, v);
        }
        if (i < n)
        {
            var v = Vector256.LoadUnsafe(ref r, (nuint)(n - w));
            bad |= ~Vector256.Equals(v, v);
            a1 = TOp.Pick(a1, v);
        }
        var a = TOp.Pick(TOp.Pick(a0, a1), TOp.Pick(a2, a3));
        return (Horizontal<T, TOp>(TOp.Pick(a.GetLower(), a.GetUpper())), bad != Vector256<T>.Zero);
    }

    private static (T, bool) Wide128<T, TOp>(ref T r, int n) where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IExtreme<T>
    {
        int w = Vector128<T>.Count, i = w;
        var a0 = Vector128.LoadUnsafe(ref r);
        Vector128<T> a1 = a0;
        var bad = ~Vector128.Equals(a0, a0);
        for (; i <= n - 2 * w; i += 2 * w)
        {
            var v0 = Vector128.LoadUnsafe(ref r, (nuint)i);
            var v1 = Vector128.LoadUnsafe(ref r, (nuint)(i + w));
            bad |= ~(Vector128.Equals(v0, v0) & Vector128.Equals(v1, v1));
            a0 = TOp.Pick(a0, v0);
            a1 = TOp.Pick(a1, v1);
        }
        for (; i <= n - w; i += w)
        {
            var v = Vector128.LoadUnsafe(ref r, (nuint)i);
            bad |= ~Vector128.Equals(v, v);
            a0 = TOp.Pick(a0, v);
        }
        if (i < n)
        {
            var v = Vector128.LoadUnsafe(ref r, (nuint)(n - w));
            bad |= ~Vector128.Equals(v, v);
            a1 = TOp.Pick(a1, v);
        }
        return (Horizontal<T, TOp>(TOp.Pick(a0, a1)), bad != Vector128<T>.Zero);
    }

    private static T Horizontal<T, TOp>(Vector256<T> lo, Vector256<T> hi) where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IExtreme<T>
    {
        var a = TOp.Pick(lo, hi);
        return Horizontal<T, TOp>(TOp.Pick(a.GetLower(), a.GetUpper()));
    }

    private static T Horizontal<T, TOp>(Vector128<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T> where TOp : IExtreme<T>
    {
        T acc = a.GetElement(0);
        for (int k = 1; k < Vector128<T>.Count; k++) acc = TOp.Pick(acc, a.GetElement(k));
        return acc;
    }
}

/// <summary>
/// The larger or smaller of two values by the hardware instruction: for NaN and for a pair of zeros either operand may
/// come back (<see cref="Extreme"/> tracks NaN and the zero's sign itself).
/// </summary>
internal interface IExtreme<T>
{
    static abstract bool PrefersPositiveZero { get; }
    static abstract T Pick(T a, T b);
    static abstract Vector512<T> Pick(Vector512<T> a, Vector512<T> b);
    static abstract Vector256<T> Pick(Vector256<T> a, Vector256<T> b);
    static abstract Vector128<T> Pick(Vector128<T> a, Vector128<T> b);
}

internal readonly struct MaxSelect<T> : IExtreme<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool PrefersPositiveZero => true;
    public static T Pick(T a, T b) => a > b ? a : b;
    public static Vector512<T> Pick(Vector512<T> a, Vector512<T> b) => Vector512.MaxNative(a, b);
    public static Vector256<T> Pick(Vector256<T> a, Vector256<T> b) => Vector256.MaxNative(a, b);
    public static Vector128<T> Pick(Vector128<T> a, Vector128<T> b) => Vector128.MaxNative(a, b);
}

internal readonly struct MinSelect<T> : IExtreme<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static bool PrefersPositiveZero => false;
    public static T Pick(T a, T b) => a < b ? a : b;
    public static Vector512<T> Pick(Vector512<T> a, Vector512<T> b) => Vector512.MinNative(a, b);
    public static Vector256<T> Pick(Vector256<T> a, Vector256<T> b) => Vector256.MinNative(a, b);
    public static Vector128<T> Pick(Vector128<T> a, Vector128<T> b) => Vector128.MinNative(a, b);
}
