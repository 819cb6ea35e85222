using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Descent.Kernels;

/// <summary>
/// The GEMM paths for products whose operands fit in cache — the shapes of a training step on a 64-row batch.
/// </summary>
/// <remarks>
/// <para><b>Direct</b> (A and B together ≤ <see cref="DirectMaxBytes"/> with at most <see cref="DirectMaxRows"/> rows, or ≤ <see cref="DirectAlwaysBytes"/>; B not transposed): the micro-kernel reads A
/// and B where they are — A with its own row and column strides (so Aᵀ costs nothing: for Xᵀ·G its eight values per
/// step are contiguous), B row by row — and runs the whole k at once, so C is written once (or added to once). Only an
/// edge sliver (m or n not a multiple of the tile) is packed, zero-padded. Row strips are shared with a second core
/// through <see cref="GemmTeam"/>. Measured (minimum per call, against the packed single-core path it replaced):
/// X·W1 64×784·784×128 95 → 56 µs, Xᵀ·G1 82 → 58 µs, 256³ 210 → 100 µs.</para>
/// <para><b>Small n</b> (fewer columns than the micro-kernel's width, with AVX-512): a classifier head's 10 columns.
/// A·B (and A·Bᵀ) as register-blocked dot products, 4 rows of A against 4 rows of Bᵀ (16 accumulators, 8 loads per
/// 16 multiply-adds); Aᵀ·B as Cᵀ built from vectors along m (A's rows are contiguous in m), 4 vectors × 4 columns.
/// Measured against the TensorPrimitives loops they replaced: H·W2 64×128·128×10 9.2 → 3.6 µs, Hᵀ·G2 17 → 1.8 µs,
/// X·W 64×784·784×10 34 → 12.5 µs, Xᵀ·G 39 → 11 µs.</para>
/// </remarks>
internal static unsafe partial class Gemm
{
    /// <summary>Multiply-adds per team task in the direct path: claims are cheap against this (~10⁴ cycles).</summary>
    private const long DirectTaskWork = 1L << 18;

    private static void Direct<T>(SimdIsa isa, T* a, bool transA, T* b, T* c, int m, int k, int n, int mr, int nr, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rowTiles = (m + mr - 1) / mr;
        long tileWork = (long)mr * k * n;
        int tilesPerTask = (int)Math.Clamp(DirectTaskWork / tileWork, 1, rowTiles);
        int tasks = (rowTiles + tilesPerTask - 1) / tilesPerTask;
        var job = DirectJob<T>.ForThread();
        job.Set(isa, a, transA, b, c, m, k, n, mr, nr, acc, tilesPerTask * mr);
        job.Reset(tasks);
        // The kernel's work is the padded tile's (a 10-column head runs 16 columns): X·W of softmax regression,
        // 64×784·784×10, is 0.5 M multiply-adds but 0.8 M of the kernel's, ~25 µs on one core.
        if (tasks > 1 && (long)m * k * ((n + nr - 1) / nr * nr) >= TeamThreshold) GemmTeam.Run(job);
        else job.Drain();
    }

    /// <summary>
    /// Copies B's last <c>n − nFull</c> columns (fewer than <paramref name="nr"/>) into <paramref name="edge"/> as a
    /// k×nr sliver, zero-padded: one masked vector per row where reading nr elements stays inside B (the lanes past
    /// the row are cleared bitwise, so whatever they held — the next row, a NaN — becomes +0), element by element
    /// for the last rows.
    /// </summary>
    internal static void PackEdgeB<T>(T* b, int k, int n, int nFull, int nr, T* edge) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int width = n - nFull;
        long total = (long)k * n;
        int p = 0;
        if (Vector512.IsHardwareAccelerated && nr % Vector512<T>.Count == 0)
        {
            int w = Vector512<T>.Count;
            for (; p < k && (long)p * n + nFull + nr <= total; p++)
                for (int j = 0; j < nr; j += w)
                    Vector512.BitwiseAnd(Vector512.Load((byte*)(b + (long)p * n + nFull + j)), EdgeMask512<T>(width - j))
                        .Store((byte*)(edge + (long)p * nr + j));
        }
        else if (Vector256.IsHardwareAccelerated && nr % Vector256<T>.Count == 0)
        {
            int w = Vector256<T>.Count;
            for (; p < k && (long)p * n + nFull + nr <= total; p++)
                for (int j = 0; j < nr; j += w)
                    Vector256.BitwiseAnd(Vector256.Load((byte*)(b + (long)p * n + nFull + j)), EdgeMask256<T>(width - j))
                        .Store((byte*)(edge + (long)p * nr + j));
        }
        for (; p < k; p++)
        {
            new ReadOnlySpan<T>(b + (long)p * n + nFull, width).CopyTo(new Span<T>(edge + (long)p * nr, width));
            new Span<T>(edge + (long)p * nr + width, nr - width).Clear();
        }
    }

    /// <summary><see cref="PackEdgeB{T}(T*, int, int, int, int, T*)"/> on spans (B is k×n, the sliver k×nr).</summary>
    internal static void PackEdgeB<T>(ReadOnlySpan<T> b, int k, int n, int nFull, int nr, Span<T> edge) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(b.Length, k * n);
        ArgumentOutOfRangeException.ThrowIfLessThan(edge.Length, k * nr);
        fixed (T* pb = b, pe = edge) PackEdgeB(pb, k, n, nFull, nr, pe);
    }

    /// <summary>All-ones bytes in the first <paramref name="lanes"/> elements of T, zeros after.</summary>
    private static Vector512<byte> EdgeMask512<T>(int lanes) where T : unmanaged
        => Vector512.LessThan(Vector512<byte>.Indices, Vector512.Create((byte)Math.Clamp(lanes * sizeof(T), 0, 64)));

    /// <summary>All-ones bytes in the first <paramref name="lanes"/> elements of T, zeros after.</summary>
    private static Vector256<byte> EdgeMask256<T>(int lanes) where T : unmanaged
        => Vector256.LessThan(Vector256<byte>.Indices, Vector256.Create((byte)Math.Clamp(lanes * sizeof(T), 0, 32)));

    /// <summary>
    /// The direct path's task list: task t is the row strip [t·rows, (t+1)·rows) across all columns. B's last columns
    /// (when n is not a multiple of the tile) are packed by each thread that runs a task, into its own buffer, once per
    /// product: the helper core then reads B where it is instead of pulling the caller's freshly written sliver out of
    /// the other core's cache (measured on an Emerald Rapids pair, X·W 64×784·784×10: 32 µs on two cores with one
    /// shared sliver, against 18 µs on one).
    /// </summary>
    private sealed class DirectJob<T> : TeamJob where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [ThreadStatic] private static DirectJob<T>? t_job;
        [ThreadStatic] private static DirectJob<T>? t_edgeJob;
        [ThreadStatic] private static int t_edgeRun;
        private T* _a, _b, _c;
        private bool _transA, _acc;
        private SimdIsa _isa;
        private int _m, _k, _n, _mr, _nr, _rows, _run;

        public static DirectJob<T> ForThread() => t_job ??= new DirectJob<T>();

        public void Set(SimdIsa isa, T* a, bool transA, T* b, T* c, int m, int k, int n, int mr, int nr, bool acc, int rows)
        {
            _isa = isa;
            _a = a; _b = b; _c = c;
            (_transA, _m, _k, _n, _mr, _nr, _acc, _rows) = (transA, m, k, n, mr, nr, acc, rows);
            _run++; // a job belongs to its caller's thread: (job, run) names this product for the edge buffers
        }

        /// <summary>This thread's packed copy of B's last columns for this product (packed on its first task).</summary>
        private T* EdgeB()
        {
            T[] edge = Buffers<T>.EdgeB(_k * _nr);
            T* p = (T*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(edge)); // pinned
            if (!ReferenceEquals(t_edgeJob, this) || t_edgeRun != _run)
            {
                int nFull = _n / _nr * _nr;
                PackEdgeB(_b, _k, _n, nFull, _nr, p);
                t_edgeJob = this;
                t_edgeRun = _run;
            }
            return p;
        }

        protected override void Execute(int index)
        {
            int m = _m, k = _k, n = _n, mr = _mr, nr = _nr;
            nint ars = _transA ? 1 : k, acs = _transA ? m : 1;
            int nFull = n / nr * nr;
            T* edgeB = nFull < n ? EdgeB() : null;
            int end = Math.Min(m, (index + 1) * _rows);
            for (int ir = index * _rows; ir < end; ir += mr)
            {
                int mrr = Math.Min(mr, m - ir);
                T* ap = _a + ir * ars;
                nint rs = ars, cs = acs;
                if (mrr < mr)
                {
                    // The last rows: pack them zero-padded so the kernel never reads past A.
                    T[] scratch = Buffers<T>.EdgeA(k * mr);
                    fixed (T* pa = scratch)
                    {
                        PackA(_a, _transA, m, k, ir, mrr, 0, k, mr, pa);
                        Strip(pa, 1, mr, ir, mrr, nFull, edgeB);
                    }
                    continue;
                }
                Strip(ap, rs, cs, ir, mrr, nFull, edgeB);
            }
        }

        private void Strip(T* ap, nint ars, nint acs, int ir, int mrr, int nFull, T* edgeB)
        {
            int k = _k, n = _n, nr = _nr;
            T* crow = _c + (long)ir * n;
            for (int jr = 0; jr < nFull; jr += nr)
            {
                Micro(_isa, _mr, k, ap, ars, acs, _b + jr, n, crow + jr, n, mrr, nr, _acc);
            }
            if (nFull < n)
            {
                Micro(_isa, _mr, k, ap, ars, acs, edgeB, nr, crow + nFull, n, mrr, n - nFull, _acc);
            }
        }
    }

    /// <summary>C (+)= A·op(B) for n &lt; the micro-kernel's width: dot products of A's rows with Bᵀ's rows.</summary>
    private static void SmallNDots<T>(T* a, T* b, bool transB, T* c, int m, int k, int n, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[]? copy = null;
        if (!transB)
        {
            copy = Buffers<T>.Transposed(n * k);
            fixed (T* pbt = copy)
                for (int p = 0; p < k; p++)
                {
                    T* src = b + (long)p * n;
                    for (int j = 0; j < n; j++) pbt[(long)j * k + p] = src[j];
                }
        }
        fixed (T* pcopy = copy)
        {
            T* bt = transB ? b : pcopy;
            for (int i0 = 0; i0 < m; i0 += 4)
            {
                int mi = Math.Min(4, m - i0);
                // Rows past the edge repeat the last one (their results are dropped), so the kernel never branches.
                T* a0 = a + (long)i0 * k;
                T* a1 = a + (long)(i0 + Math.Min(1, mi - 1)) * k;
                T* a2 = a + (long)(i0 + Math.Min(2, mi - 1)) * k;
                T* a3 = a + (long)(i0 + Math.Min(3, mi - 1)) * k;
                for (int j0 = 0; j0 < n; j0 += 4)
                {
                    int nj = Math.Min(4, n - j0);
                    Dots4x4(a0, a1, a2, a3, bt + (long)j0 * k, bt + (long)(j0 + Math.Min(1, nj - 1)) * k,
                        bt + (long)(j0 + Math.Min(2, nj - 1)) * k, bt + (long)(j0 + Math.Min(3, nj - 1)) * k,
                        k, c + (long)i0 * n + j0, n, mi, nj, acc);
                }
            }
        }
    }

    /// <summary>The 4×4 block of dot products aᵢ·bⱼ over k, written (or added) to C[0..mi, 0..nj].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Dots4x4<T>(T* a0, T* a1, T* a2, T* a3, T* b0, T* b1, T* b2, T* b3, int k, T* c, int ldc, int mi, int nj, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        T* r = stackalloc T[16];
        Vector512<T> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<T> s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        int p = 0;
        for (; p <= k - w; p += w)
        {
            var y0 = Vector512.Load(b0 + p);
            var y1 = Vector512.Load(b1 + p);
            var y2 = Vector512.Load(b2 + p);
            var y3 = Vector512.Load(b3 + p);
            var x = Vector512.Load(a0 + p);
            s00 = Fma(x, y0, s00); s01 = Fma(x, y1, s01); s02 = Fma(x, y2, s02); s03 = Fma(x, y3, s03);
            x = Vector512.Load(a1 + p);
            s10 = Fma(x, y0, s10); s11 = Fma(x, y1, s11); s12 = Fma(x, y2, s12); s13 = Fma(x, y3, s13);
            x = Vector512.Load(a2 + p);
            s20 = Fma(x, y0, s20); s21 = Fma(x, y1, s21); s22 = Fma(x, y2, s22); s23 = Fma(x, y3, s23);
            x = Vector512.Load(a3 + p);
            s30 = Fma(x, y0, s30); s31 = Fma(x, y1, s31); s32 = Fma(x, y2, s32); s33 = Fma(x, y3, s33);
        }
        r[0] = Vector512.Sum(s00); r[1] = Vector512.Sum(s01); r[2] = Vector512.Sum(s02); r[3] = Vector512.Sum(s03);
        r[4] = Vector512.Sum(s10); r[5] = Vector512.Sum(s11); r[6] = Vector512.Sum(s12); r[7] = Vector512.Sum(s13);
        r[8] = Vector512.Sum(s20); r[9] = Vector512.Sum(s21); r[10] = Vector512.Sum(s22); r[11] = Vector512.Sum(s23);
        r[12] = Vector512.Sum(s30); r[13] = Vector512.Sum(s31); r[14] = Vector512.Sum(s32); r[15] = Vector512.Sum(s33);
        if (p < k)
        {
            T** ar = stackalloc T*[4] { a0, a1, a2, a3 };
            T** br = stackalloc T*[4] { b0, b1, b2, b3 };
            for (int i = 0; i < mi; i++)
                for (int j = 0; j < nj; j++)
                {
                    T s = r[i * 4 + j];
                    for (int q = p; q < k; q++) s += ar[i][q] * br[j][q];
                    r[i * 4 + j] = s;
                }
        }
        for (int i = 0; i < mi; i++)
        {
            T* ci = c + (long)i * ldc;
            for (int j = 0; j < nj; j++) ci[j] = acc ? ci[j] + r[i * 4 + j] : r[i * 4 + j];
        }
    }

    /// <summary>
    /// C (+)= Aᵀ·op(B) for n &lt; the micro-kernel's width, A stored k×m: Cᵀ's rows built from vectors along m (A's rows),
    /// each op(B)[p, j] broadcast, then written transposed into C.
    /// </summary>
    private static void SmallNColumns<T>(T* a, T* b, bool transB, T* c, int m, int k, int n, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int blocks = m / (4 * Vector512<T>.Count), tasks = blocks + (m % (4 * Vector512<T>.Count) > 0 ? 1 : 0);
        // Blocks of 4 vectors along m are independent: two cores share them when the kernel's work (columns padded to
        // 4) is worth it — Xᵀ·G of softmax regression, 784×64·64×10.
        if (tasks > 1 && (long)m * k * ((n + 3) / 4 * 4) >= TeamThreshold)
        {
            var job = ColumnsJob<T>.ForThread();
            job.Set(a, b, transB, c, m, k, n, acc, blocks);
            job.Reset(tasks);
            GemmTeam.Run(job);
            return;
        }
        for (int t = 0; t < tasks; t++) SmallNColumnsTask(a, b, transB, c, m, k, n, acc, blocks, t);
    }

    /// <summary>Task <paramref name="task"/> of <see cref="SmallNColumns"/>: one block of 4 vectors along m, or the rows after the last.</summary>
    private static void SmallNColumnsTask<T>(T* a, T* b, bool transB, T* c, int m, int k, int n, bool acc, int blocks, int task)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        nint sp = transB ? 1 : n, sj = transB ? k : 1; // op(B)[p, j] = b[p·sp + j·sj]
        if (task < blocks)
        {
            int ib = task * 4 * w;
            for (int j0 = 0; j0 < n; j0 += 4)
                Columns4<T>(a + ib, m, b + j0 * sj, sp, sj, Math.Min(4, n - j0), k, c + (long)ib * n + j0, n, acc);
            return;
        }
        int i0 = blocks * 4 * w;
        for (; i0 + w <= m; i0 += w)
            for (int j0 = 0; j0 < n; j0 += 4)
                Columns1<T>(a + i0, m, b + j0 * sj, sp, sj, Math.Min(4, n - j0), k, c + (long)i0 * n + j0, n, acc);
        for (; i0 < m; i0++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++) s += a[(long)p * m + i0] * b[p * sp + j * sj];
                T* ci = c + (long)i0 * n + j;
                *ci = acc ? *ci + s : s;
            }
    }

    /// <summary><see cref="SmallNColumns"/>'s task list for two cores.</summary>
    private sealed class ColumnsJob<T> : TeamJob where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [ThreadStatic] private static ColumnsJob<T>? t_job;
        private T* _a, _b, _c;
        private bool _transB, _acc;
        private int _m, _k, _n, _blocks;

        public static ColumnsJob<T> ForThread() => t_job ??= new ColumnsJob<T>();

        public void Set(T* a, T* b, bool transB, T* c, int m, int k, int n, bool acc, int blocks)
        {
            _a = a; _b = b; _c = c;
            (_transB, _m, _k, _n, _acc, _blocks) = (transB, m, k, n, acc, blocks);
        }

        protected override void Execute(int index) => SmallNColumnsTask(_a, _b, _transB, _c, _m, _k, _n, _acc, _blocks, index);
    }

    /// <summary>
    /// C[0..4w, 0..nj] (+)= Σₚ A[p, 0..4w]ᵀ ⊗ op(B)[p, 0..nj]: 4 vectors along m × up to 4 columns (a missing column
    /// repeats the last one; its results are dropped).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Columns4<T>(T* a, nint lda, T* b, nint sp, nint sj, int nj, int k, T* c, int ldc, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        // t will hold Cᵀ (column j of this block at t[j·4w ..]). Allocated before the loop: a later stackalloc (a
        // helper call, which clobbers every vector register) made the JIT spill all 16 accumulators in the loop.
        int ld = 4 * w;
        T* t = stackalloc T[4 * ld];
        nint j1 = Math.Min(1, nj - 1) * sj, j2 = Math.Min(2, nj - 1) * sj, j3 = Math.Min(3, nj - 1) * sj;
        Vector512<T> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<T> s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        for (int p = 0; p < k; p++)
        {
            var x0 = Vector512.Load(a);
            var x1 = Vector512.Load(a + w);
            var x2 = Vector512.Load(a + 2 * w);
            var x3 = Vector512.Load(a + 3 * w);
            var y = Vector512.Create(b[0]);
            s00 = Fma(x0, y, s00); s10 = Fma(x1, y, s10); s20 = Fma(x2, y, s20); s30 = Fma(x3, y, s30);
            y = Vector512.Create(b[j1]);
            s01 = Fma(x0, y, s01); s11 = Fma(x1, y, s11); s21 = Fma(x2, y, s21); s31 = Fma(x3, y, s31);
            y = Vector512.Create(b[j2]);
            s02 = Fma(x0, y, s02); s12 = Fma(x1, y, s12); s22 = Fma(x2, y, s22); s32 = Fma(x3, y, s32);
            y = Vector512.Create(b[j3]);
            s03 = Fma(x0, y, s03); s13 = Fma(x1, y, s13); s23 = Fma(x2, y, s23); s33 = Fma(x3, y, s33);
            a += lda;
            b += sp;
        }
        s00.Store(t); s01.Store(t + ld); s02.Store(t + 2 * ld); s03.Store(t + 3 * ld);
        s10.Store(t + w); s11.Store(t + ld + w); s12.Store(t + 2 * ld + w); s13.Store(t + 3 * ld + w);
        s20.Store(t + 2 * w); s21.Store(t + ld + 2 * w); s22.Store(t + 2 * ld + 2 * w); s23.Store(t + 3 * ld + 2 * w);
        s30.Store(t + 3 * w); s31.Store(t + ld + 3 * w); s32.Store(t + 2 * ld + 3 * w); s33.Store(t + 3 * ld + 3 * w);
        StoreTransposed(t, ld, c, ldc, 4 * w, nj, acc);
    }

    /// <summary>As <see cref="Columns4"/> with one vector along m (the rows left over).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void Columns1<T>(T* a, nint lda, T* b, nint sp, nint sj, int nj, int k, T* c, int ldc, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        T* t = stackalloc T[4 * w];
        nint j1 = Math.Min(1, nj - 1) * sj, j2 = Math.Min(2, nj - 1) * sj, j3 = Math.Min(3, nj - 1) * sj;
        Vector512<T> s0 = default, s1 = default, s2 = default, s3 = default;
        for (int p = 0; p < k; p++)
        {
            var x = Vector512.Load(a);
            s0 = Fma(x, Vector512.Create(b[0]), s0);
            s1 = Fma(x, Vector512.Create(b[j1]), s1);
            s2 = Fma(x, Vector512.Create(b[j2]), s2);
            s3 = Fma(x, Vector512.Create(b[j3]), s3);
            a += lda;
            b += sp;
        }
        s0.Store(t); s1.Store(t + w); s2.Store(t + 2 * w); s3.Store(t + 3 * w);
        StoreTransposed(t, w, c, ldc, w, nj, acc);
    }

    /// <summary>C[i, j] (+)= t[j·ld + i] for i &lt; rows, j &lt; nj.</summary>
    private static void StoreTransposed<T>(T* t, int ld, T* c, int ldc, int rows, int nj, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int done = 0;
        if (typeof(T) == typeof(float) && nj == 4 && System.Runtime.Intrinsics.X86.Sse.IsSupported)
            done = StoreTransposed4(ld, (float*)t, (float*)c, ldc, rows, acc);
        else if (typeof(T) == typeof(float) && nj == 2 && System.Runtime.Intrinsics.X86.Sse.IsSupported)
            done = StoreTransposed2(ld, (float*)t, (float*)c, ldc, rows, acc);
        for (int i = done; i < rows; i++)
        {
            T* ci = c + (long)i * ldc;
            if (acc) for (int j = 0; j < nj; j++) ci[j] += t[j * ld + i];
            else for (int j = 0; j < nj; j++) ci[j] = t[j * ld + i];
        }
    }

    /// <summary>
    /// <see cref="StoreTransposed"/> for four float columns, four rows at a time: a 4×4 register transpose (SSE unpacks)
    /// and one 16-byte store (or load, add, store) per row of C instead of four scalar ones — the same single addition
    /// per element, so the results are bit-identical. Returns the rows done (a multiple of 4).
    /// </summary>
    private static int StoreTransposed4(int ld, float* t, float* c, int ldc, int rows, bool acc)
    {
        int i = 0;
        for (; i + 4 <= rows; i += 4)
        {
            var r0 = System.Runtime.Intrinsics.X86.Sse.LoadVector128(t + i);
            var r1 = System.Runtime.Intrinsics.X86.Sse.LoadVector128(t + ld + i);
            var r2 = System.Runtime.Intrinsics.X86.Sse.LoadVector128(t + 2 * ld + i);
            var r3 = System.Runtime.Intrinsics.X86.Sse.LoadVector128(t + 3 * ld + i);
            var t0 = System.Runtime.Intrinsics.X86.Sse.UnpackLow(r0, r1);   // r0[0] r1[0] r0[1] r1[1]
            var t1 = System.Runtime.Intrinsics.X86.Sse.UnpackLow(r2, r3);   // r2[0] r3[0] r2[1] r3[1]
            var t2 = System.Runtime.Intrinsics.X86.Sse.UnpackHigh(r0, r1);  // r0[2] r1[2] r0[3] r1[3]
            var t3 = System.Runtime.Intrinsics.X86.Sse.UnpackHigh(r2, r3);  // r2[2] r3[2] r2[3] r3[3]
            var q0 = System.Runtime.Intrinsics.X86.Sse.MoveLowToHigh(t0, t1);
            var q1 = System.Runtime.Intrinsics.X86.Sse.MoveHighToLow(t1, t0);
            var q2 = System.Runtime.Intrinsics.X86.Sse.MoveLowToHigh(t2, t3);
            var q3 = System.Runtime.Intrinsics.X86.Sse.MoveHighToLow(t3, t2);
            float* c0 = c + (long)i * ldc;
            if (acc)
            {
                q0 = System.Runtime.Intrinsics.X86.Sse.Add(System.Runtime.Intrinsics.X86.Sse.LoadVector128(c0), q0);
                q1 = System.Runtime.Intrinsics.X86.Sse.Add(System.Runtime.Intrinsics.X86.Sse.LoadVector128(c0 + ldc), q1);
                q2 = System.Runtime.Intrinsics.X86.Sse.Add(System.Runtime.Intrinsics.X86.Sse.LoadVector128(c0 + 2 * ldc), q2);
                q3 = System.Runtime.Intrinsics.X86.Sse.Add(System.Runtime.Intrinsics.X86.Sse.LoadVector128(c0 + 3 * ldc), q3);
            }
            System.Runtime.Intrinsics.X86.Sse.Store(c0, q0);
            System.Runtime.Intrinsics.X86.Sse.Store(c0 + ldc, q1);
            System.Runtime.Intrinsics.X86.Sse.Store(c0 + 2 * ldc, q2);
            System.Runtime.Intrinsics.X86.Sse.Store(c0 + 3 * ldc, q3);
        }
        return i;
    }

    /// <summary>As <see cref="StoreTransposed4"/> for two float columns (the last two of a 10-class head): 8-byte halves.</summary>
    private static int StoreTransposed2(int ld, float* t, float* c, int ldc, int rows, bool acc)
    {
        int i = 0;
        for (; i + 4 <= rows; i += 4)
        {
            var r0 = System.Runtime.Intrinsics.X86.Sse.LoadVector128(t + i);
            var r1 = System.Runtime.Intrinsics.X86.Sse.LoadVector128(t + ld + i);
            var q01 = System.Runtime.Intrinsics.X86.Sse.UnpackLow(r0, r1);  // rows i, i+1: r0[0] r1[0] | r0[1] r1[1]
            var q23 = System.Runtime.Intrinsics.X86.Sse.UnpackHigh(r0, r1); // rows i+2, i+3
            float* c0 = c + (long)i * ldc;
            if (acc)
            {
                var zero = Vector128<float>.Zero;
                q01 = System.Runtime.Intrinsics.X86.Sse.Add(System.Runtime.Intrinsics.X86.Sse.LoadHigh(System.Runtime.Intrinsics.X86.Sse.LoadLow(zero, c0), c0 + ldc), q01);
                q23 = System.Runtime.Intrinsics.X86.Sse.Add(System.Runtime.Intrinsics.X86.Sse.LoadHigh(System.Runtime.Intrinsics.X86.Sse.LoadLow(zero, c0 + 2 * ldc), c0 + 3 * ldc), q23);
            }
            System.Runtime.Intrinsics.X86.Sse.StoreLow(c0, q01);
            System.Runtime.Intrinsics.X86.Sse.StoreHigh(c0 + ldc, q01);
            System.Runtime.Intrinsics.X86.Sse.StoreLow(c0 + 2 * ldc, q23);
            System.Runtime.Intrinsics.X86.Sse.StoreHigh(c0 + 3 * ldc, q23);
        }
        return i;
    }
}
