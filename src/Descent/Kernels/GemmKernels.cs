using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using X86 = System.Runtime.Intrinsics.X86;

namespace Descent.Kernels;

/// <summary>
/// The GEMM's register-blocked micro-kernels, one per instruction set (chosen at run time, see <see cref="Isa"/>).
/// </summary>
/// <remarks>
/// Each computes one MR×NR tile of C over kc steps: per step it loads NR values of B (two vectors), broadcasts MR
/// values of A one at a time and issues 2·MR fused multiply-adds into MR×2 accumulator registers — the layout of the
/// BLIS and OpenBLAS Haswell/SkylakeX kernels (an outer-product update with B vectors reused across the rows).
/// <list type="bullet">
/// <item>AVX-512: 8×(2 Vector512) — 16 of the 32 zmm registers accumulate (8×32 floats, 8×16 doubles).</item>
/// <item>AVX2 + FMA: 6×(2 Vector256) — 12 of the 16 ymm registers accumulate, 2 hold B, 1 the broadcast
/// (6×16 floats, 6×8 doubles).</item>
/// <item>Vector128 with fused multiply-add (Arm64 NEON): 6×(2 Vector128) — 12 accumulators again (6×8 floats, 6×4
/// doubles).</item>
/// <item>Vector128 without it (x86 SSE): 4×(2 Vector128), multiply then add — with 6 rows the products' temporaries
/// pushed the JIT past the 16 xmm registers and it kept B and the broadcasts on the stack (a third of the speed).</item>
/// </list>
/// Operands: op(A)[i, p] at a[i·ars + p·acs] (a packed sliver: ars = 1, acs = MR; A read in place: its own row and
/// column strides), B's row p at b + p·ldb (NR contiguous values, readable even past the tile's <c>nr</c> columns:
/// packed and padded, or a full-width slice of B). Only the first <c>mr</c>×<c>nr</c> results are written (or added).
/// </remarks>
internal static unsafe partial class Gemm
{
    /// <summary>Runs the micro-kernel of <paramref name="isa"/> on one tile (see the class remarks for the operands).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Micro<T>(SimdIsa isa, int tileRows, int kc, T* a, nint ars, nint acs, T* b, nint ldb, T* c, int ldc, int mr, int nr, bool add)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (isa == SimdIsa.Avx512)
        {
            if (tileRows == 16) Kernel16x1(kc, a, ars, acs, b, ldb, c, ldc, mr, nr, add);
            else Kernel8(kc, a, ars, acs, b, ldb, c, ldc, mr, nr, add);
        }
        else if (isa == SimdIsa.Avx2) Kernel6(kc, a, ars, acs, b, ldb, c, ldc, mr, nr, add);
        else if (Isa.HasFma128) Kernel6x128(kc, a, ars, acs, b, ldb, c, ldc, mr, nr, add);
        else Kernel4x128(kc, a, ars, acs, b, ldb, c, ldc, mr, nr, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> acc)
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
        return x * y + acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> acc)
    {
        if (X86.Fma.IsSupported)
        {
            if (typeof(T) == typeof(float)) return X86.Fma.MultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double)) return X86.Fma.MultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
        }
        return x * y + acc;
    }

    /// <summary>x·y + acc, fused where the hardware fuses it (a software fused multiply-add would be far slower).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Fma<T>(Vector128<T> x, Vector128<T> y, Vector128<T> acc)
    {
        if (Isa.HasFma128)
        {
            if (typeof(T) == typeof(float)) return Vector128.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double)) return Vector128.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
        }
        return x * y + acc;
    }

    /// <summary>
    /// Asks for the C tile's cache lines (<paramref name="rows"/> rows of <paramref name="bytes"/> from
    /// <paramref name="c"/>, <paramref name="stride"/> bytes apart) before the k loop, so that the read-modify-write
    /// after it does not wait on L3 or memory: the loads overlap the loop's arithmetic, as the BLIS and OpenBLAS
    /// kernels do it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(byte* c, nint stride, int rows, int bytes)
    {
        if (!X86.Sse.IsSupported) return;
        for (int r = 0; r < rows; r++, c += stride)
        {
            X86.Sse.Prefetch0(c);
            X86.Sse.Prefetch0(c + bytes - 1);
            if (bytes > 64) X86.Sse.Prefetch0(c + 64);
        }
    }

    /// <summary>8 × (2 Vector512) micro-kernel (AVX-512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Kernel8<T>(int kc, T* a, nint ars, nint acs, T* b, nint ldb, T* c, int ldc, int mr, int nr, bool add)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        // Scratch for an edge tile, reserved before the loop: a stack allocation after it (a helper call that clobbers
        // every vector register) can make the JIT keep the accumulators in memory during the loop.
        T* tmp = stackalloc T[8 * 2 * Vector512<T>.Count];
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        nint r1 = ars, r2 = 2 * ars, r3 = 3 * ars;
        T* a4 = a + 4 * ars;
        PrefetchTile((byte*)c, ldc * sizeof(T), 8, 2 * 64);
        for (int p = 0; p < kc; p++)
        {
            // The A sliver streams from L2 (a cache line every step for doubles): ask for it 512 bytes ahead. One Ice
            // Lake core, interleaved A/B: dgemm 1024 36-39 -> 50-54 GFLOP/s, sgemm 99-106 -> 108-114.
            if (X86.Sse.IsSupported) X86.Sse.Prefetch0((byte*)a + 512);
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + w);
            Vector512<T> x;
            x = Vector512.Create(a[0]); c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector512.Create(a[r1]); c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector512.Create(a[r2]); c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector512.Create(a[r3]); c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector512.Create(a4[0]); c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector512.Create(a4[r1]); c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            x = Vector512.Create(a4[r2]); c60 = Fma(x, b0, c60); c61 = Fma(x, b1, c61);
            x = Vector512.Create(a4[r3]); c70 = Fma(x, b0, c70); c71 = Fma(x, b1, c71);
            a += acs;
            a4 += acs;
            b += ldb;
        }
        if (mr == 8 && nr == 2 * w)
        {
            Store(c, add, c00, c01, w); c += ldc;
            Store(c, add, c10, c11, w); c += ldc;
            Store(c, add, c20, c21, w); c += ldc;
            Store(c, add, c30, c31, w); c += ldc;
            Store(c, add, c40, c41, w); c += ldc;
            Store(c, add, c50, c51, w); c += ldc;
            Store(c, add, c60, c61, w); c += ldc;
            Store(c, add, c70, c71, w);
            return;
        }
        int ld = 2 * w;
        c00.Store(tmp); c01.Store(tmp + w); c10.Store(tmp + ld); c11.Store(tmp + ld + w);
        c20.Store(tmp + 2 * ld); c21.Store(tmp + 2 * ld + w); c30.Store(tmp + 3 * ld); c31.Store(tmp + 3 * ld + w);
        c40.Store(tmp + 4 * ld); c41.Store(tmp + 4 * ld + w); c50.Store(tmp + 5 * ld); c51.Store(tmp + 5 * ld + w);
        c60.Store(tmp + 6 * ld); c61.Store(tmp + 6 * ld + w); c70.Store(tmp + 7 * ld); c71.Store(tmp + 7 * ld + w);
        Partial(tmp, ld, c, ldc, mr, nr, add);
    }

    /// <summary>
    /// 16 × (1 Vector512) micro-kernel (AVX-512) for narrow products — a classifier head's 10 columns fill 10 of 16
    /// lanes here, against 10 of 32 in the 8×32 tile: 16 accumulators, one B load and 16 broadcasts per step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Kernel16x1<T>(int kc, T* a, nint ars, nint acs, T* b, nint ldb, T* c, int ldc, int mr, int nr, bool add)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        T* tmp = stackalloc T[16 * Vector512<T>.Count];
        Vector512<T> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<T> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        nint r1 = ars, r2 = 2 * ars, r3 = 3 * ars;
        T* a4 = a + 4 * ars, a8 = a + 8 * ars, a12 = a + 12 * ars;
        for (int p = 0; p < kc; p++)
        {
            var y = Vector512.Load(b);
            c0 = Fma(Vector512.Create(a[0]), y, c0); c1 = Fma(Vector512.Create(a[r1]), y, c1);
            c2 = Fma(Vector512.Create(a[r2]), y, c2); c3 = Fma(Vector512.Create(a[r3]), y, c3);
            c4 = Fma(Vector512.Create(a4[0]), y, c4); c5 = Fma(Vector512.Create(a4[r1]), y, c5);
            c6 = Fma(Vector512.Create(a4[r2]), y, c6); c7 = Fma(Vector512.Create(a4[r3]), y, c7);
            c8 = Fma(Vector512.Create(a8[0]), y, c8); c9 = Fma(Vector512.Create(a8[r1]), y, c9);
            c10 = Fma(Vector512.Create(a8[r2]), y, c10); c11 = Fma(Vector512.Create(a8[r3]), y, c11);
            c12 = Fma(Vector512.Create(a12[0]), y, c12); c13 = Fma(Vector512.Create(a12[r1]), y, c13);
            c14 = Fma(Vector512.Create(a12[r2]), y, c14); c15 = Fma(Vector512.Create(a12[r3]), y, c15);
            a += acs; a4 += acs; a8 += acs; a12 += acs;
            b += ldb;
        }
        c0.Store(tmp); c1.Store(tmp + w); c2.Store(tmp + 2 * w); c3.Store(tmp + 3 * w);
        c4.Store(tmp + 4 * w); c5.Store(tmp + 5 * w); c6.Store(tmp + 6 * w); c7.Store(tmp + 7 * w);
        c8.Store(tmp + 8 * w); c9.Store(tmp + 9 * w); c10.Store(tmp + 10 * w); c11.Store(tmp + 11 * w);
        c12.Store(tmp + 12 * w); c13.Store(tmp + 13 * w); c14.Store(tmp + 14 * w); c15.Store(tmp + 15 * w);
        Partial(tmp, w, c, ldc, mr, nr, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* c, bool add, Vector512<T> v0, Vector512<T> v1, int w)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (add) { v0 += Vector512.Load(c); v1 += Vector512.Load(c + w); }
        v0.Store(c);
        v1.Store(c + w);
    }

    /// <summary>6 × (2 Vector256) micro-kernel (AVX2 + FMA), as the BLIS/OpenBLAS Haswell kernels block it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Kernel6<T>(int kc, T* a, nint ars, nint acs, T* b, nint ldb, T* c, int ldc, int mr, int nr, bool add)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        T* tmp = stackalloc T[6 * 2 * Vector256<T>.Count];
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint r1 = ars, r2 = 2 * ars;
        T* a3 = a + 3 * ars;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            Vector256<T> x;
            x = Vector256.Create(a[0]); c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector256.Create(a[r1]); c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector256.Create(a[r2]); c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector256.Create(a3[0]); c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector256.Create(a3[r1]); c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector256.Create(a3[r2]); c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            a += acs;
            a3 += acs;
            b += ldb;
        }
        if (mr == 6 && nr == 2 * w)
        {
            Store(c, add, c00, c01, w); c += ldc;
            Store(c, add, c10, c11, w); c += ldc;
            Store(c, add, c20, c21, w); c += ldc;
            Store(c, add, c30, c31, w); c += ldc;
            Store(c, add, c40, c41, w); c += ldc;
            Store(c, add, c50, c51, w);
            return;
        }
        int ld = 2 * w;
        c00.Store(tmp); c01.Store(tmp + w); c10.Store(tmp + ld); c11.Store(tmp + ld + w);
        c20.Store(tmp + 2 * ld); c21.Store(tmp + 2 * ld + w); c30.Store(tmp + 3 * ld); c31.Store(tmp + 3 * ld + w);
        c40.Store(tmp + 4 * ld); c41.Store(tmp + 4 * ld + w); c50.Store(tmp + 5 * ld); c51.Store(tmp + 5 * ld + w);
        Partial(tmp, ld, c, ldc, mr, nr, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* c, bool add, Vector256<T> v0, Vector256<T> v1, int w)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (add) { v0 += Vector256.Load(c); v1 += Vector256.Load(c + w); }
        v0.Store(c);
        v1.Store(c + w);
    }

    /// <summary>6 × (2 Vector128) micro-kernel (Arm64 NEON; x86 without AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Kernel6x128<T>(int kc, T* a, nint ars, nint acs, T* b, nint ldb, T* c, int ldc, int mr, int nr, bool add)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector128<T>.Count;
        T* tmp = stackalloc T[6 * 2 * Vector128<T>.Count];
        Vector128<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector128<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint r1 = ars, r2 = 2 * ars;
        T* a3 = a + 3 * ars;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + w);
            Vector128<T> x;
            x = Vector128.Create(a[0]); c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector128.Create(a[r1]); c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector128.Create(a[r2]); c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector128.Create(a3[0]); c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector128.Create(a3[r1]); c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector128.Create(a3[r2]); c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            a += acs;
            a3 += acs;
            b += ldb;
        }
        if (mr == 6 && nr == 2 * w)
        {
            Store(c, add, c00, c01, w); c += ldc;
            Store(c, add, c10, c11, w); c += ldc;
            Store(c, add, c20, c21, w); c += ldc;
            Store(c, add, c30, c31, w); c += ldc;
            Store(c, add, c40, c41, w); c += ldc;
            Store(c, add, c50, c51, w);
            return;
        }
        int ld = 2 * w;
        c00.Store(tmp); c01.Store(tmp + w); c10.Store(tmp + ld); c11.Store(tmp + ld + w);
        c20.Store(tmp + 2 * ld); c21.Store(tmp + 2 * ld + w); c30.Store(tmp + 3 * ld); c31.Store(tmp + 3 * ld + w);
        c40.Store(tmp + 4 * ld); c41.Store(tmp + 4 * ld + w); c50.Store(tmp + 5 * ld); c51.Store(tmp + 5 * ld + w);
        Partial(tmp, ld, c, ldc, mr, nr, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* c, bool add, Vector128<T> v0, Vector128<T> v1, int w)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (add) { v0 += Vector128.Load(c); v1 += Vector128.Load(c + w); }
        v0.Store(c);
        v1.Store(c + w);
    }

    /// <summary>4 × (2 Vector128) micro-kernel, multiply then add (x86 without AVX2 and FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Kernel4x128<T>(int kc, T* a, nint ars, nint acs, T* b, nint ldb, T* c, int ldc, int mr, int nr, bool add)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector128<T>.Count;
        T* tmp = stackalloc T[4 * 2 * Vector128<T>.Count];
        Vector128<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        nint r1 = ars, r2 = 2 * ars, r3 = 3 * ars;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + w);
            Vector128<T> x;
            x = Vector128.Create(a[0]); c00 += x * b0; c01 += x * b1;
            x = Vector128.Create(a[r1]); c10 += x * b0; c11 += x * b1;
            x = Vector128.Create(a[r2]); c20 += x * b0; c21 += x * b1;
            x = Vector128.Create(a[r3]); c30 += x * b0; c31 += x * b1;
            a += acs;
            b += ldb;
        }
        if (mr == 4 && nr == 2 * w)
        {
            Store(c, add, c00, c01, w); c += ldc;
            Store(c, add, c10, c11, w); c += ldc;
            Store(c, add, c20, c21, w); c += ldc;
            Store(c, add, c30, c31, w);
            return;
        }
        int ld = 2 * w;
        c00.Store(tmp); c01.Store(tmp + w); c10.Store(tmp + ld); c11.Store(tmp + ld + w);
        c20.Store(tmp + 2 * ld); c21.Store(tmp + 2 * ld + w); c30.Store(tmp + 3 * ld); c31.Store(tmp + 3 * ld + w);
        Partial(tmp, ld, c, ldc, mr, nr, add);
    }

    private static void Partial<T>(T* tmp, int ld, T* c, int ldc, int mr, int nr, bool add)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < mr; i++)
        {
            T* src = tmp + i * ld;
            T* dst = c + (long)i * ldc;
            if (add) for (int j = 0; j < nr; j++) dst[j] += src[j];
            else for (int j = 0; j < nr; j++) dst[j] = src[j];
        }
    }
}
