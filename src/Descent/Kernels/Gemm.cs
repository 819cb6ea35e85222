using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Descent.Kernels;

/// <summary>
/// Matrix multiply of contiguous row-major matrices: C[m×n] = op(A)[m×k] · op(B)[k×n], where op is the identity or the
/// transpose (so the backward pass of MatMul needs no transpose copies).
/// </summary>
/// <remarks>
/// Tiny products use a simple loop (rows of B scaled and added with SIMD, or dot products for A·Bᵀ); products with a
/// few output columns and products whose operands fit in cache have their own paths (GemmSmall.cs). Larger ones
/// use the classic Goto/BLIS scheme: C is cut into KC-deep slabs; a KC×NC panel of B is packed into NR-wide
/// slivers, an MC×KC block of A into MR-tall slivers, and a register-blocked micro-kernel (MR×NR accumulators, one
/// fused multiply-add per register per step; one kernel per instruction set, chosen at run time: GemmKernels.cs,
/// <see cref="Isa"/>) computes each MR×NR tile of C. The block sizes come from the cache sizes (<see cref="Blocking"/>).
/// Packing pads edges with zeros, so the micro-kernel never branches on sizes inside its loop, and it is also where
/// the transposes are absorbed. Large products share one packed B panel and spread the row blocks over the cores
/// (two cores: the caller and <see cref="GemmTeam"/>'s helper). Every path can add to C instead of overwriting it.
/// </remarks>
internal static unsafe partial class Gemm
{
    /// <summary>Multiply-adds below this count use the simple loop (packing does not pay for itself there).</summary>
    public const long PackedThreshold = 24L * 24 * 24;

    /// <summary>
    /// Multiply-adds below this count (256³) stay off the thread pool in the packed path. Measured on a quiet machine:
    /// the MLP's 64×784×128 products ran faster on one core than through <c>Parallel.For</c> (step 0.62 ms versus
    /// 1.1 ms on two), while 512³ and up gain from both cores. Smaller products use <see cref="GemmTeam"/> instead.
    /// </summary>
    public const long ParallelThreshold = 1L << 24;

    /// <summary>
    /// The direct path (operands read in place, no packing) is taken when A and B together fit in this many bytes, so
    /// they stay in a core's L2 cache (1 MB per Zen 5 core) across the whole product.
    /// </summary>
    public const long DirectMaxBytes = 1024 * 1024;

    /// <summary>
    /// The direct path re-reads B from L2 once per row strip of MR rows, the packed one once per MC-row block from a
    /// contiguous panel in L1: with more than this many rows (and operands over <see cref="DirectAlwaysBytes"/>), packing
    /// wins. Measured on an Intel Ice Lake core pair, direct → packed, interleaved builds: 256³ sgemm 203 → 165 µs,
    /// dgemm 509 → 327 µs (OpenBLAS 150 / 348); the MLP's 64-row products and Xᵀ·G1 (784×64·64×128) unchanged.
    /// </summary>
    public const int DirectMaxRows = 128;

    /// <summary>Operands (A and B together) this small take the direct path whatever the number of rows.</summary>
    public const long DirectAlwaysBytes = 256 * 1024;

    /// <summary>
    /// Multiply-adds from which a product is split between two cores (<see cref="GemmTeam"/>): about 3 µs of work on
    /// one core, against well under a microsecond to hand tasks to an awake helper.
    /// </summary>
    public const long TeamThreshold = 1L << 19;


    /// <summary>C[m×n] = A[m×k] · B[k×n] (row-major, C overwritten).</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* pa = a, pb = b, pc = c) Run(pa, false, pb, false, pc, m, k, n, false);
    }

    /// <summary>C[m×n] = A[m×k] · B[k×n] on arrays at the given offsets (row-major, C overwritten).</summary>
    public static void Multiply<T>(T[] a, int aOffset, T[] b, int bOffset, T[] c, int cOffset, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Multiply(a, aOffset, false, b, bOffset, false, c, cOffset, m, k, n, false);

    /// <summary>
    /// C[m×n] = op(A) · op(B): with <paramref name="transA"/> A is stored k×m (and Aᵀ used), with
    /// <paramref name="transB"/> B is stored n×k (and Bᵀ used). C is overwritten.
    /// </summary>
    public static void Multiply<T>(T[] a, int aOffset, bool transA, T[] b, int bOffset, bool transB, T[] c, int cOffset, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Multiply(a, aOffset, transA, b, bOffset, transB, c, cOffset, m, k, n, false);

    /// <summary>
    /// C[m×n] = op(A) · op(B), or C += op(A) · op(B) when <paramref name="accumulate"/> (β = 1: a gradient added
    /// straight into an existing buffer, with no temporary). With <paramref name="transA"/> A is stored k×m (and Aᵀ
    /// used), with <paramref name="transB"/> B is stored n×k (and Bᵀ used).
    /// </summary>
    public static void Multiply<T>(T[] a, int aOffset, bool transA, T[] b, int bOffset, bool transB, T[] c, int cOffset,
        int m, int k, int n, bool accumulate)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(aOffset + (long)m * k, a.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bOffset + (long)k * n, b.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cOffset + (long)m * n, c.Length);
        fixed (T* pa = a, pb = b, pc = c) Run(pa + aOffset, transA, pb + bOffset, transB, pc + cOffset, m, k, n, accumulate);
    }

    private static void Run<T>(T* a, bool transA, T* b, bool transB, T* c, int m, int k, int n, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0) { if (!acc) new Span<T>(c, m * n).Clear(); return; }
        long work = (long)m * k * n;
        SimdIsa isa = Isa.Current;
        var bl = Blocking.For(isa, sizeof(T));
        int mr = bl.MR, nr = bl.NR;
        bool v512 = isa == SimdIsa.Avx512;
        if (n < nr && v512 && !transA && !transB && work >= PackedThreshold && ((long)m * k + (long)k * n) * sizeof(T) <= DirectMaxBytes)
        {
            // A few output columns (a classifier head, n = 10) with A's rows contiguous: the 16×16 tile (measured
            // against the dot-product path: H·W2 3.4 → 2.1 µs, X·W 12.2 → 10.8 µs; for Aᵀ the column path stays faster).
            Direct(isa, a, transA, b, c, m, k, n, 16, Vector512<T>.Count, acc);
            return;
        }
        if (n < nr && v512)
        {
            // A few output columns (a classifier head, n = 10): the micro-kernel would waste most of its width.
            if (!transA && k >= Vector512<T>.Count) { SmallNDots(a, b, transB, c, m, k, n, acc); return; }
            if (transA && m >= Vector512<T>.Count) { SmallNColumns(a, b, transB, c, m, k, n, acc); return; }
        }
        if (isa == SimdIsa.Scalar || work < PackedThreshold || m < 4 || n < 4)
        {
            Simple(a, transA, b, transB, c, m, k, n, acc);
            return;
        }
        long operandBytes = ((long)m * k + (long)k * n) * sizeof(T);
        if (!transB && operandBytes <= DirectMaxBytes && (m <= DirectMaxRows || operandBytes <= DirectAlwaysBytes))
        {
            Direct(isa, a, transA, b, c, m, k, n, mr, nr, acc);
            return;
        }

        // Two cores: the caller and GemmTeam's helper, which also pack B between them (no pool hand-off, and B's
        // packing — ~5% of a 512³ product — no longer runs on one core). More cores, or the helper switched off:
        // Parallel.For for the largest products.
        bool alone = GemmTeam.IsAlone;
        bool pool = !alone && Environment.ProcessorCount > 1 && work >= ParallelThreshold
            && (Environment.ProcessorCount > 2 || !GemmTeam.Available);
        int threads = pool ? Environment.ProcessorCount : !alone && GemmTeam.Available && work >= TeamThreshold ? 2 : 1;
        // Row blocks: at most MC rows, and on several cores a multiple of the thread count, at least 2 per thread with the
        // helper, 4 with the pool (dynamic balancing copes with a busy machine better than one fixed region per core; 11
        // blocks of 96 rows for m = 1024 left one core a block short at the end). Two blocks per core, not four, on the
        // caller-and-helper pair: half as many passes over the B panel (m = 1024: blocks of 256 rows, not 128) —
        // sgemm 1024 2.5–4% faster, 512 and dgemm 1024 1–5% (Emerald Rapids, medians of alternated runs).
        int MC = bl.MC, KC = bl.KC, NC = bl.NC(k, sizeof(T));
        int mc = MC;
        if (threads > 1)
        {
            int perThread = pool ? 4 : 2;
            int target = threads * Math.Max(perThread, (m + threads * MC - 1) / (threads * MC));
            mc = Math.Clamp(((m + target - 1) / target + mr - 1) / mr * mr, mr, MC);
        }
        int blocks = (m + mc - 1) / mc;
        if (blocks < 2) threads = 1;
        var tile = new Tile(isa, mr, nr, KC);

        // The whole k×NC panel of B is packed once (KC-deep slabs one after another), so the cores need to meet only
        // once per panel; each then walks its row blocks through all the slabs. On two cores the blocks pack the panel
        // as they reach it (PackedJob); otherwise it is packed before them.
        int ncMax = Math.Min(NC, n);
        int ncPad = (ncMax + nr - 1) / nr * nr;
        var bufs = Buffers<T>.Get(MC * KC, k * ncPad);
        fixed (T* packBRaw = bufs.B)
        {
            T* packB = Align(packBRaw);
            nint pa = (nint)a, pb = (nint)packB, pc = (nint)c;
            for (int j0 = 0; j0 < n; j0 += NC)
            {
                int nc = Math.Min(NC, n - j0);
                int ncp = (nc + nr - 1) / nr * nr;
                if (threads == 2 && !pool)
                {
                    var job = PackedJob<T>.ForThread();
                    job.Set(tile, MC, a, transA, b, transB, packB, c, m, k, n, j0, nc, ncp, mc, acc);
                    job.Reset(blocks);
                    GemmTeam.Run(job);
                    continue;
                }
                for (int p0 = 0, kc; p0 < k; p0 += kc)
                {
                    kc = SlabDepth(k, p0, KC);
                    PackB(b, transB, k, n, p0, kc, j0, nc, nr, packB + (long)p0 * ncp);
                }
                if (threads == 1)
                {
                    fixed (T* packA = bufs.A)
                        for (int ic = 0; ic < m; ic += mc)
                            RowBlock(tile, a, transA, Align(packA), packB, c, m, k, n, ic, Math.Min(mc, m - ic), j0, nc, ncp, acc);
                }
                else
                {
                    int j0c = j0, ncc = nc, ncpc = ncp, mcc = mc, aLength = MC * KC;
                    Parallel.For(0, blocks, blk =>
                    {
                        int ic = blk * mcc;
                        var own = Buffers<T>.Get(aLength, 0);
                        fixed (T* packA = own.A)
                            RowBlock(tile, (T*)pa, transA, Align(packA), (T*)pb, (T*)pc, m, k, n, ic, Math.Min(mcc, m - ic), j0c, ncc, ncpc, acc);
                    });
                }
            }
        }
    }

    /// <summary>
    /// The depth of the KC slab that starts at <paramref name="p0"/>: KC, except that the last stretch between KC and 2·KC
    /// deep is cut in two halves (as OpenBLAS's driver does) instead of a full slab and a sliver — 2048 = 9·224 + 32
    /// left a 32-deep last slab whose C tile loads and stores cost as much as its multiply-adds.
    /// </summary>
    internal static int SlabDepth(int k, int p0, int KC)
    {
        int rest = k - p0;
        if (rest >= 2 * KC) return KC;
        return rest > KC ? (rest + 1) / 2 : rest;
    }

    /// <summary>The micro-kernel to run and its register tile (MR×NR) and slab depth KC.</summary>
    private readonly record struct Tile(SimdIsa Isa, int MR, int NR, int KC);

    /// <summary>
    /// One NC panel of the packed path on two cores: the row blocks are the tasks, and B is packed as the blocks need
    /// it, in chunks of <see cref="SliversPerTask"/> slivers of one KC slab. A thread that reaches a chunk nobody has
    /// claimed packs it and multiplies it at once, while it is still in its caches; a thread that reaches one the
    /// other is packing waits for it (a few microseconds; longer only if the packer is descheduled mid-chunk, and the
    /// waiter yields its core meanwhile). Odd blocks walk each slab's chunks from the middle, so the first two blocks,
    /// which start together, pack disjoint halves. A helper that never joins leaves the caller to pack everything.
    /// </summary>
    /// <remarks>
    /// Packing the whole panel first (one phase on both cores, then the blocks) cost a phase of memory-bound copying
    /// plus ~12% on each core's first block (sgemm 1024 on Emerald Rapids: 220 µs + 200 µs of 7 ms, measured with a
    /// timestamp per task; write-backs of the freshly packed panel, or lines moving between the cores — no hardware
    /// counters here to tell). Packing inside the blocks: sgemm 1024 2.5–4.5% faster (medians of alternated runs),
    /// 2048, doubles, smaller products and AVX2 within the noise. One core keeps the packing phase (this scheme was
    /// 5–10% slower there at 2048). The tiles each thread computes, and so the bits of C, are the same in either order.
    /// </remarks>
    private sealed class PackedJob<T> : TeamJob where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private const int SliversPerTask = 4;
        private const int Unpacked = 0, Packing = 1, Packed = 2;
        [ThreadStatic] private static PackedJob<T>? t_job;
        private T* _a, _b, _packB, _c;
        private bool _transA, _transB, _acc;
        private Tile _tile;
        private int _m, _k, _n, _j0, _nc, _ncp, _mc, _mcMax, _chunks;
        private int[] _state = [];

        public static PackedJob<T> ForThread() => t_job ??= new PackedJob<T>();

        public void Set(Tile tile, int mcMax, T* a, bool transA, T* b, bool transB, T* packB, T* c, int m, int k, int n,
            int j0, int nc, int ncp, int mc, bool acc)
        {
            _a = a; _b = b; _packB = packB; _c = c; _tile = tile; _mcMax = mcMax;
            (_transA, _transB, _m, _k, _n, _j0, _nc, _ncp, _mc, _acc) = (transA, transB, m, k, n, j0, nc, ncp, mc, acc);
            _chunks = (nc + SliversPerTask * tile.NR - 1) / (SliversPerTask * tile.NR);
            int slabs = 0;
            for (int p0 = 0; p0 < k; p0 += SlabDepth(k, p0, tile.KC)) slabs++;
            if (_state.Length < slabs * _chunks) _state = new int[slabs * _chunks];
            else Array.Clear(_state, 0, slabs * _chunks);
        }

        protected override void Execute(int index)
        {
            int KC = _tile.KC, mr = _tile.MR, width = SliversPerTask * _tile.NR;
            int ic = index * _mc, mc = Math.Min(_mc, _m - ic);
            int first = index % 2 == 1 ? _chunks / 2 : 0;
            fixed (T* packARaw = Buffers<T>.Get(_mcMax * KC, 0).A)
            {
                T* packA = Align(packARaw);
                for (int p0 = 0, kc, slab = 0; p0 < _k; p0 += kc, slab++)
                {
                    kc = SlabDepth(_k, p0, KC);
                    PackA(_a, _transA, _m, _k, ic, mc, p0, kc, mr, packA);
                    for (int q = 0; q < _chunks; q++)
                    {
                        int chunk = (q + first) % _chunks, from = chunk * width;
                        EnsurePacked(slab, chunk, p0, kc);
                        Panel(_tile, packA, _packB + (long)p0 * _ncp, _c, _n, ic, mc, kc, _j0, from, Math.Min(_nc, from + width),
                            add: _acc || p0 > 0);
                    }
                }
            }
        }

        /// <summary>Packs chunk <paramref name="chunk"/> of the slab at <paramref name="p0"/> unless another thread
        /// has claimed it, in which case it waits until that thread is done.</summary>
        private void EnsurePacked(int slab, int chunk, int p0, int kc)
        {
            ref int state = ref _state[slab * _chunks + chunk];
            if (Volatile.Read(ref state) == Packed) return;
            if (Interlocked.CompareExchange(ref state, Packing, Unpacked) == Unpacked)
            {
                int nr = _tile.NR, s0 = chunk * SliversPerTask * nr;
                PackB(_b, _transB, _k, _n, p0, kc, _j0 + s0, Math.Min(SliversPerTask * nr, _nc - s0), nr,
                    _packB + (long)p0 * _ncp + (long)s0 * kc);
                Volatile.Write(ref state, Packed);
                return;
            }
            var spin = new SpinWait();
            while (Volatile.Read(ref state) != Packed) spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Rows [ic, ic+mc) × columns [j0, j0+nc) of C through every KC slab of the packed B panel.</summary>
    private static void RowBlock<T>(Tile tile, T* a, bool transA, T* packA, T* packB, T* c, int m, int k, int n,
        int ic, int mc, int j0, int nc, int ncp, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int KC = tile.KC;
        for (int p0 = 0, kc; p0 < k; p0 += kc)
        {
            kc = SlabDepth(k, p0, KC);
            Block(tile, a, transA, packA, packB + (long)p0 * ncp, c, m, k, n, ic, mc, p0, kc, j0, nc, add: acc || p0 > 0);
        }
    }

    /// <summary>Packs one MC×KC block of A and multiplies it with the packed KC×NC panel of B into C.</summary>
    private static void Block<T>(Tile tile, T* a, bool transA, T* packA, T* packB, T* c, int m, int k, int n,
        int ic, int mc, int p0, int kc, int j0, int nc, bool add)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        PackA(a, transA, m, k, ic, mc, p0, kc, tile.MR, packA);
        Panel(tile, packA, packB, c, n, ic, mc, kc, j0, 0, nc, add);
    }

    /// <summary>
    /// Rows [ic, ic+mc) × columns [j0+jFrom, j0+jTo) of C from a packed A block and a packed KC slab of B
    /// (<paramref name="jFrom"/> a multiple of NR).
    /// </summary>
    private static void Panel<T>(Tile tile, T* packA, T* packB, T* c, int n, int ic, int mc, int kc, int j0, int jFrom, int jTo, bool add)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int mr = tile.MR, nr = tile.NR;
        for (int jr = jFrom; jr < jTo; jr += nr)
        {
            int nrr = Math.Min(nr, jTo - jr);
            T* bs = packB + (long)jr * kc;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int mrr = Math.Min(mr, mc - ir);
                T* cs = c + (long)(ic + ir) * n + j0 + jr;
                T* asl = packA + (long)ir * kc;
                Micro(tile.Isa, mr, kc, asl, 1, mr, bs, nr, cs, n, mrr, nrr, add);
            }
        }
    }

    /// <summary>Packs op(A)[ic..ic+mc, p0..p0+kc] into MR-row slivers, each stored column by column (zero-padded).</summary>
    private static void PackA<T>(T* a, bool transA, int m, int k, int ic, int mc, int p0, int kc, int mr, T* dst)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int s = 0; s < mc; s += mr)
        {
            int rows = Math.Min(mr, mc - s);
            T* d = dst + (long)s * kc;
            if (!transA)
                Interleave(a + (long)(ic + s) * k + p0, k, rows, kc, d, mr);
            else if (rows == mr && (mr == 8 || mr == 6 || mr == 4))
            {
                // A stored k×m: op(A)[i, p] = A[p, i], so each packed column is a contiguous run of MR values.
                T* src = a + (long)p0 * m + ic + s;
                for (int p = 0; p < kc; p++, src += m, d += mr) CopyRun(src, d, mr);
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    T* src = a + (long)(p0 + p) * m + ic + s;
                    for (int i = 0; i < rows; i++) d[p * mr + i] = src[i];
                }
            }
            if (rows < mr)
                for (int p = 0; p < kc; p++)
                    for (int i = rows; i < mr; i++) d[p * mr + i] = T.Zero;
        }
    }

    /// <summary>Packs op(B)[p0..p0+kc, j0..j0+nc] into NR-column slivers, each stored row by row (zero-padded).</summary>
    private static void PackB<T>(T* b, bool transB, int k, int n, int p0, int kc, int j0, int nc, int nr, T* dst)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int s = 0; s < nc; s += nr)
        {
            int cols = Math.Min(nr, nc - s);
            T* d = dst + (long)s * kc;
            if (!transB && cols == nr && nr * sizeof(T) % 16 == 0)
            {
                T* src = b + (long)p0 * n + j0 + s;
                for (int p = 0; p < kc; p++, src += n) CopyRun(src, d + p * nr, nr);
            }
            else if (!transB)
            {
                for (int p = 0; p < kc; p++)
                {
                    T* src = b + (long)(p0 + p) * n + j0 + s;
                    new ReadOnlySpan<T>(src, cols).CopyTo(new Span<T>(d + p * nr, cols));
                    if (cols < nr) new Span<T>(d + p * nr + cols, nr - cols).Clear();
                }
            }
            else
            {
                // B stored n×k: op(B)[p, j] = B[j, p].
                Interleave(b + (long)(j0 + s) * k + p0, k, cols, kc, d, nr);
                if (cols < nr)
                    for (int p = 0; p < kc; p++) new Span<T>(d + p * nr + cols, nr - cols).Clear();
            }
        }
    }

    /// <summary>The unpacked path for small products.</summary>
    private static void Simple<T>(T* a, bool transA, T* b, bool transB, T* c, int m, int k, int n, bool acc)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (transB)
        {
            // C[i, j] = A[i, :] · B[j, :] (B stored n×k); op(A) row i gathered when A is transposed.
            T[]? row = transA ? new T[k] : null;
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<T> ar;
                if (row is null) ar = new ReadOnlySpan<T>(a + (long)i * k, k);
                else { for (int p = 0; p < k; p++) row[p] = a[(long)p * m + i]; ar = row; }
                for (int j = 0; j < n; j++)
                {
                    T d = TensorPrimitives.Dot(ar, new ReadOnlySpan<T>(b + (long)j * k, k));
                    c[(long)i * n + j] = acc ? c[(long)i * n + j] + d : d;
                }
            }
            return;
        }
        for (int i = 0; i < m; i++)
        {
            var cRow = new Span<T>(c + (long)i * n, n);
            if (n == 1 && !transA)
            {
                T d = TensorPrimitives.Dot(new ReadOnlySpan<T>(a + (long)i * k, k), new ReadOnlySpan<T>(b, k));
                cRow[0] = acc ? cRow[0] + d : d;
                continue;
            }
            if (!acc) cRow.Clear();
            for (int p = 0; p < k; p++)
            {
                T s = transA ? a[(long)p * m + i] : a[(long)i * k + p];
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(b + (long)p * n, n), s, cRow, cRow);
            }
        }
    }

    /// <summary>
    /// The first 64-byte boundary at or after <paramref name="p"/> (the packing buffers have room for it): a packed
    /// sliver's rows then start on cache lines, so no 512-bit load of the micro-kernel splits a line. Intel cores pay
    /// for split loads where Zen 5 hardly does (measured on an Ice Lake Xeon, one core: see docs/performance.md).
    /// </summary>
    internal static T* Align<T>(T* p) where T : unmanaged => (T*)(((nint)p + 63) & ~(nint)63);

    /// <summary>Per-thread packing buffers, pinned so the kernels can hold raw pointers into them (64 bytes over the
    /// length asked, for <see cref="Align{T}"/>).</summary>
    private static class Buffers<T> where T : unmanaged
    {
        [ThreadStatic] private static (T[] A, T[] B)? t_buffers;
        [ThreadStatic] private static T[]? t_transposed;
        [ThreadStatic] private static T[]? t_edgeA;
        [ThreadStatic] private static T[]? t_edgeB;

        /// <summary>A per-thread scratch array for a packed edge sliver of A (direct path).</summary>
        public static T[] EdgeA(int length) => Scratch(ref t_edgeA, length);

        /// <summary>A per-thread scratch array for a packed edge sliver of B (direct path).</summary>
        public static T[] EdgeB(int length) => Scratch(ref t_edgeB, length);

        private static T[] Scratch(ref T[]? slot, int length)
        {
            if (slot is { } s && s.Length >= length) return s;
            return slot = GC.AllocateUninitializedArray<T>(Math.Max(length, 1), pinned: true);
        }

        /// <summary>A per-thread scratch array of at least <paramref name="length"/> elements for a transposed operand.</summary>
        public static T[] Transposed(int length)
        {
            if (t_transposed is { } t && t.Length >= length) return t;
            return t_transposed = GC.AllocateUninitializedArray<T>(length, pinned: true);
        }

        public static (T[] A, T[] B) Get(int aLength, int bLength)
        {
            int pad = 64 / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            if (t_buffers is { } bufs && bufs.A.Length >= aLength + pad && bufs.B.Length >= bLength + pad) return bufs;
            var created = (GC.AllocateUninitializedArray<T>(aLength + pad, pinned: true), GC.AllocateUninitializedArray<T>(bLength + pad, pinned: true));
            t_buffers = created;
            return created;
        }
    }
}
