using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Descent.Kernels;

/// <summary>The packing routines' vector parts: transposing row panels into the micro-kernels' sliver layout.</summary>
internal static unsafe partial class Gemm
{
    /// <summary>Whether the 128-bit interleaves (x86 unpack, Arm64 zip) are available.</summary>
    private static bool CanInterleave => Sse2.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>
    /// dst[p·width + i] = src[i·ld + p] for i &lt; rows, p &lt; kc: <paramref name="rows"/> rows of a row-major matrix
    /// written column by column (the packed layout of an A sliver, or of a B sliver read from a transposed B). Full
    /// slivers go through 4×4 (float) or 2×2 (double) register transposes; rows past <paramref name="rows"/> are not
    /// written.
    /// </summary>
    private static void Interleave<T>(T* src, nint ld, int rows, int kc, T* dst, int width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int p = 0;
        if (Avx.IsSupported && rows == width && width % 8 == 0 && typeof(T) == typeof(float))
            p = InterleaveFloat8((float*)src, ld, width, kc, (float*)dst);
        else if (Avx.IsSupported && rows == width && width % 4 == 0 && typeof(T) == typeof(double))
            p = InterleaveDouble4((double*)src, ld, width, kc, (double*)dst);
        else if (CanInterleave && rows == width)
        {
            if (typeof(T) == typeof(float) && width % 2 == 0)
                p = InterleaveFloat((float*)src, ld, width, kc, (float*)dst);
            else if (typeof(T) == typeof(double) && width % 2 == 0)
                p = InterleaveDouble((double*)src, ld, width, kc, (double*)dst);
        }
        for (int i = 0; i < rows; i++)
        {
            T* s = src + i * ld;
            for (int q = p; q < kc; q++) dst[q * width + i] = s[q];
        }
    }

    /// <summary>
    /// The float transposes with 256-bit registers (AVX): columns [0, returned) done, 8 at a time, rows in 8s — an 8×8
    /// block is 8 loads, 24 shuffles and 8 stores, half the loads and stores of the 4×4 transposes (AVX-512's 8-row A
    /// slivers; packing A was ~3.5% of a single-core sgemm 1024 on Emerald Rapids).
    /// </summary>
    private static int InterleaveFloat8(float* src, nint ld, int width, int kc, float* dst)
    {
        int p = 0;
        for (; p <= kc - 8; p += 8)
        {
            float* d = dst + (nint)p * width;
            for (int i = 0; i < width; i += 8)
            {
                float* s = src + i * ld + p;
                var r0 = Avx.LoadVector256(s);
                var r1 = Avx.LoadVector256(s + ld);
                var r2 = Avx.LoadVector256(s + 2 * ld);
                var r3 = Avx.LoadVector256(s + 3 * ld);
                var r4 = Avx.LoadVector256(s + 4 * ld);
                var r5 = Avx.LoadVector256(s + 5 * ld);
                var r6 = Avx.LoadVector256(s + 6 * ld);
                var r7 = Avx.LoadVector256(s + 7 * ld);
                // Per 128-bit lane: pairs of rows interleaved, then quads, then the lanes exchanged.
                var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
                var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
                var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
                var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
                var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
                var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
                var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
                var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
                Avx.Store(d + i, Avx.Permute2x128(u0, u4, 0x20));
                Avx.Store(d + width + i, Avx.Permute2x128(u1, u5, 0x20));
                Avx.Store(d + 2 * width + i, Avx.Permute2x128(u2, u6, 0x20));
                Avx.Store(d + 3 * width + i, Avx.Permute2x128(u3, u7, 0x20));
                Avx.Store(d + 4 * width + i, Avx.Permute2x128(u0, u4, 0x31));
                Avx.Store(d + 5 * width + i, Avx.Permute2x128(u1, u5, 0x31));
                Avx.Store(d + 6 * width + i, Avx.Permute2x128(u2, u6, 0x31));
                Avx.Store(d + 7 * width + i, Avx.Permute2x128(u3, u7, 0x31));
            }
        }
        return p;
    }

    /// <summary>The double transposes with 256-bit registers (AVX): columns [0, returned) done, 4 at a time, rows in 4s.</summary>
    private static int InterleaveDouble4(double* src, nint ld, int width, int kc, double* dst)
    {
        int p = 0;
        for (; p <= kc - 4; p += 4)
        {
            double* d = dst + (nint)p * width;
            for (int i = 0; i < width; i += 4)
            {
                double* s = src + i * ld + p;
                var r0 = Avx.LoadVector256(s);
                var r1 = Avx.LoadVector256(s + ld);
                var r2 = Avx.LoadVector256(s + 2 * ld);
                var r3 = Avx.LoadVector256(s + 3 * ld);
                var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
                var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
                Avx.Store(d + i, Avx.Permute2x128(t0, t2, 0x20));
                Avx.Store(d + width + i, Avx.Permute2x128(t1, t3, 0x20));
                Avx.Store(d + 2 * width + i, Avx.Permute2x128(t0, t2, 0x31));
                Avx.Store(d + 3 * width + i, Avx.Permute2x128(t1, t3, 0x31));
            }
        }
        return p;
    }

    /// <summary>The float transposes: columns [0, returned) done, 4 at a time (rows in 4s, then a pair).</summary>
    private static int InterleaveFloat(float* src, nint ld, int width, int kc, float* dst)
    {
        int p = 0;
        for (; p <= kc - 4; p += 4)
        {
            float* d = dst + (nint)p * width;
            int i = 0;
            for (; i <= width - 4; i += 4)
            {
                float* s = src + i * ld + p;
                var r0 = Vector128.Load(s);
                var r1 = Vector128.Load(s + ld);
                var r2 = Vector128.Load(s + 2 * ld);
                var r3 = Vector128.Load(s + 3 * ld);
                var t0 = Lo(r0, r1).AsDouble();
                var t1 = Lo(r2, r3).AsDouble();
                var t2 = Hi(r0, r1).AsDouble();
                var t3 = Hi(r2, r3).AsDouble();
                Lo(t0, t1).AsSingle().Store(d + i);
                Hi(t0, t1).AsSingle().Store(d + width + i);
                Lo(t2, t3).AsSingle().Store(d + 2 * width + i);
                Hi(t2, t3).AsSingle().Store(d + 3 * width + i);
            }
            if (i < width)
            {
                // Two rows left (width 6): their values interleave in pairs, one 64-bit store per column.
                float* s = src + i * ld + p;
                var r0 = Vector128.Load(s);
                var r1 = Vector128.Load(s + ld);
                var u0 = Lo(r0, r1).AsDouble();
                var u1 = Hi(r0, r1).AsDouble();
                *(double*)(d + i) = u0.ToScalar();
                *(double*)(d + width + i) = u0.GetElement(1);
                *(double*)(d + 2 * width + i) = u1.ToScalar();
                *(double*)(d + 3 * width + i) = u1.GetElement(1);
            }
        }
        return p;
    }

    /// <summary>The double transposes: columns [0, returned) done, 2 at a time, rows in pairs.</summary>
    private static int InterleaveDouble(double* src, nint ld, int width, int kc, double* dst)
    {
        int p = 0;
        for (; p <= kc - 2; p += 2)
        {
            double* d = dst + (nint)p * width;
            for (int i = 0; i < width; i += 2)
            {
                double* s = src + i * ld + p;
                var r0 = Vector128.Load(s);
                var r1 = Vector128.Load(s + ld);
                Lo(r0, r1).Store(d + i);
                Hi(r0, r1).Store(d + width + i);
            }
        }
        return p;
    }

    /// <summary>
    /// Copies a run of 4, 6 or 8 values (a packed column of a transposed A) or of NR values (a packed row of a B
    /// sliver: 128 bytes with AVX-512, 64 with AVX2) — a few vector moves where a span copy paid a call per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun<T>(T* src, T* dst, int count) where T : unmanaged
    {
        int bytes = count * sizeof(T);
        byte* s = (byte*)src, d = (byte*)dst;
        if (bytes % 64 == 0 && Vector512.IsHardwareAccelerated)
        {
            for (int o = 0; o < bytes; o += 64) Vector512.Load(s + o).Store(d + o);
            return;
        }
        if (bytes % 32 == 0 && Vector256.IsHardwareAccelerated)
        {
            for (int o = 0; o < bytes; o += 32) Vector256.Load(s + o).Store(d + o);
            return;
        }
        if (bytes % 16 == 0 && Vector128.IsHardwareAccelerated)
        {
            for (int o = 0; o < bytes; o += 16) Vector128.Load(s + o).Store(d + o);
            return;
        }
        for (int i = 0; i < count; i++) dst[i] = src[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Lo(Vector128<float> x, Vector128<float> y) =>
        Sse.IsSupported ? Sse.UnpackLow(x, y) : AdvSimd.Arm64.ZipLow(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Hi(Vector128<float> x, Vector128<float> y) =>
        Sse.IsSupported ? Sse.UnpackHigh(x, y) : AdvSimd.Arm64.ZipHigh(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> Lo(Vector128<double> x, Vector128<double> y) =>
        Sse2.IsSupported ? Sse2.UnpackLow(x, y) : AdvSimd.Arm64.ZipLow(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> Hi(Vector128<double> x, Vector128<double> y) =>
        Sse2.IsSupported ? Sse2.UnpackHigh(x, y) : AdvSimd.Arm64.ZipHigh(x, y);
}
