using System.Buffers;
using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// The sizes of a 2-D convolution over NCHW data: input [N, C, H, W], weight [O, C/G, KH, KW], output [N, O, OH, OW].
/// Padding may differ between the two sides of an axis (PyTorch's "same" pads the extra element at the end).
/// </summary>
internal readonly record struct ConvGeometry(
    int Batch, int InChannels, int Height, int Width,
    int OutChannels, int KernelH, int KernelW,
    int StrideH, int StrideW, int PadTop, int PadLeft, int DilationH, int DilationW, int Groups,
    int OutH, int OutW)
{
    /// <summary>Input channels per group.</summary>
    public int GroupInChannels => InChannels / Groups;

    /// <summary>Output channels per group.</summary>
    public int GroupOutChannels => OutChannels / Groups;

    /// <summary>Rows of one group's column matrix: C/G · KH · KW.</summary>
    public int GroupRows => GroupInChannels * KernelH * KernelW;

    /// <summary>Output positions per image, OH · OW.</summary>
    public int Positions => OutH * OutW;

    /// <summary>The same geometry for a batch of another size.</summary>
    public ConvGeometry WithBatch(int batch) => this with { Batch = batch };
}

/// <summary>
/// Convolution as matrix products (im2col): the input patches of the whole batch are unfolded into a column matrix
/// [C·KH·KW, N·OH·OW], so one GEMM per group computes every output position of every image — large products that use
/// the packed, multi-core path of <see cref="Gemm"/>. The backward pass is the same two products transposed
/// (weight: G·colsᵀ; input: Wᵀ·G folded back by col2im). Work buffers come from <see cref="ArrayPool{T}"/>, so a
/// training step allocates only its results. Everything here reads and writes plain arrays and knows nothing of gradients.
/// </summary>
internal static class Convolution
{
    /// <summary>
    /// The most elements of scratch (the column matrix) one pass unfolds: a batch whose columns would be larger is done in
    /// chunks of images (32 MB of float32; an evaluation pass over 1000 images would otherwise unfold 225 MB at once).
    /// </summary>
    public const long MaxColumnElements = 8L << 20;

    /// <summary>Fewer rows of columns than this (C·KH·KW, e.g. 9 for one input channel) make a weight-gradient product too thin for the GEMM to split.</summary>
    private const int ThinRows = 16;

    /// <summary>Images per chunk for <paramref name="g"/>: as many as keep the column matrix within <see cref="MaxColumnElements"/>.</summary>
    private static int ChunkOf(in ConvGeometry g)
        => (int)Math.Clamp(MaxColumnElements / Math.Max(1L, (long)g.Groups * g.GroupRows * g.Positions), 1, Math.Max(1, g.Batch));

    /// <summary>y[N, O, OH, OW] = conv(x, w) (+ bias[o]), then max(·, 0) when <paramref name="relu"/> (on each output plane while it is in cache).</summary>
    public static void Forward<T>(T[] x, T[] w, T[]? bias, T[] y, in ConvGeometry g, bool relu = false) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (PerImage(g))
        {
            ForwardPerImage(x, w, bias, y, g, relu);
            return;
        }
        int chunk = ChunkOf(g);
        int rows = g.Groups * g.GroupRows, p = g.Positions, o = g.OutChannels;
        var cols = ArrayPool<T>.Shared.Rent(Math.Max(1, rows * chunk * p));
        var outT = ArrayPool<T>.Shared.Rent(Math.Max(1, o * chunk * p));
        try
        {
            for (int first = 0; first < g.Batch; first += chunk)
            {
                var part = g.WithBatch(Math.Min(chunk, g.Batch - first));
                int np = part.Batch * p;
                Im2Col(x, first, cols, part);
                int og = g.GroupOutChannels, kg = g.GroupRows;
                for (int grp = 0; grp < g.Groups; grp++)
                    Gemm.Multiply(w, grp * og * kg, false, cols, grp * kg * np, false, outT, grp * og * np, og, kg, np);
                // [O, n·P] → [n, O, P] at image first, adding the bias on the way.
                int start = first;
                Parallel(part.Batch, (long)o * p, n =>
                {
                    for (int c = 0; c < o; c++)
                    {
                        var src = outT.AsSpan(c * np + n * p, p);
                        var dst = y.AsSpan(((start + n) * o + c) * p, p);
                        if (bias is null) src.CopyTo(dst);
                        else System.Numerics.Tensors.TensorPrimitives.Add(src, bias[c], dst);
                        if (relu) System.Numerics.Tensors.TensorPrimitives.Max(dst, T.Zero, dst);
                    }
                });
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(cols);
            ArrayPool<T>.Shared.Return(outT);
        }
    }

    /// <summary>
    /// The backward pass: gx = ∂/∂x (overwritten, when not null), gw += or = ∂/∂w (<paramref name="accumulateWeight"/>),
    /// gb += or = Σ gy over batch and positions (when not null). With <paramref name="reluOutput"/> (the output y of a
    /// convolution fused with a ReLU), gy is first masked to (y &gt; 0 ? gy : 0) — as the ReLU's own backward pass — on
    /// its way into the transposed copy, so the masked gradient is never a tensor of its own.
    /// </summary>
    public static void Backward<T>(T[] x, T[] w, T[] gy, T[]? gx, T[]? gw, bool accumulateWeight, T[]? gb, bool accumulateBias, in ConvGeometry g,
        T[]? reluOutput = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (PerImage(g))
        {
            BackwardPerImage(x, w, gy, gx, gw, accumulateWeight, gb, accumulateBias, g, reluOutput);
            return;
        }
        int chunk = ChunkOf(g);
        int p = g.Positions, o = g.OutChannels;
        int og = g.GroupOutChannels, kg = g.GroupRows;
        int rows = g.Groups * kg;
        var gT = ArrayPool<T>.Shared.Rent(Math.Max(1, o * chunk * p));
        var cols = ArrayPool<T>.Shared.Rent(Math.Max(1, rows * chunk * p));
        var sums = gb is null ? null : new T[o];
        try
        {
            for (int first = 0; first < g.Batch; first += chunk)
            {
                var part = g.WithBatch(Math.Min(chunk, g.Batch - first));
                int np = part.Batch * p;
                Transpose(gy, first, gT, part.Batch, o, p, reluOutput);
                if (sums is not null)
                {
                    // Σ over images in order of the per-image sums: the same additions whatever the chunk size.
                    int images = part.Batch;
                    Parallel(o, (long)np, c =>
                    {
                        for (int n = 0; n < images; n++) sums[c] += System.Numerics.Tensors.TensorPrimitives.Sum<T>(gT.AsSpan(c * np + n * p, p));
                    });
                }
                if (gw is not null)
                {
                    Im2Col(x, first, cols, part);
                    bool add = accumulateWeight || first > 0;
                    for (int grp = 0; grp < g.Groups; grp++)
                    {
                        if (kg < ThinRows && og >= 2 && (long)og * np * kg >= Gemm.TeamThreshold)
                        {
                            // A thin product (the first layer: 9 rows of columns) takes the GEMM's one-core dot-product
                            // path; its output rows are independent, so the two halves of them go to the two cores.
                            int half = ((og + 1) / 2 + 3) / 4 * 4, gOff = grp * og;   // whole blocks of the 4-row kernel
                            Parallel(2, (long)half * np * kg, t =>
                            {
                                int r0 = t * half, count = Math.Min(half, og - r0);
                                if (count > 0) Gemm.Multiply(gT, (gOff + r0) * np, false, cols, grp * kg * np, true, gw, (gOff + r0) * kg, count, np, kg, add);
                            });
                        }
                        else Gemm.Multiply(gT, grp * og * np, false, cols, grp * kg * np, true, gw, grp * og * kg, og, np, kg, add);
                    }
                }
                if (gx is not null)
                {
                    for (int grp = 0; grp < g.Groups; grp++)
                        Gemm.Multiply(w, grp * og * kg, true, gT, grp * og * np, false, cols, grp * kg * np, kg, og, np);
                    Col2Im(cols, gx, first, part);
                }
            }
            if (gb is not null)
                for (int c = 0; c < o; c++) gb[c] = accumulateBias ? gb[c] + sums![c] : sums![c];
        }
        finally
        {
            ArrayPool<T>.Shared.Return(gT);
            ArrayPool<T>.Shared.Return(cols);
        }
    }

    /// <summary>
    /// Whether the layer runs image by image, each core on its own images: one image's column matrix (C·KH·KW × OH·OW,
    /// 225 KB for a 32-channel 14×14 layer) stays in L2 between its im2col and its product, each image's product writes
    /// its output plane in NCHW order (no transposing copies), and the two cores never wait for each other inside a
    /// product. The batched path stays for thin layers (one input channel: 9 rows, a product too thin to run alone).
    /// </summary>
    private static bool PerImage(in ConvGeometry g)
        => g.Batch >= 2 && g.GroupRows >= ThinRows && (long)g.Groups * g.GroupRows * g.Positions <= PerImageMaxColumns;

    /// <summary>The most column-matrix elements of one image for the per-image path (1 MB of float32: within L2).</summary>
    private const long PerImageMaxColumns = 1L << 18;

    /// <summary>The fixed number of parts the per-image backward pass splits a batch into (one partial weight gradient each):
    /// fixed, so that the sum of the parts, and so every result, is the same on every machine whatever its core count.</summary>
    private const int Parts = 2;

    /// <summary>
    /// Whether conv → ReLU → max pool can run as one pass per image (<see cref="ForwardReluMaxPool{T}"/>): one image's
    /// column matrix and its convolution output both fit the per-image scratch.
    /// </summary>
    public static bool CanFusePool(in ConvGeometry g)
        => (long)g.Groups * g.GroupRows * g.Positions <= PerImageMaxColumns && (long)g.OutChannels * g.Positions <= PerImageMaxColumns;

    /// <summary>
    /// pooled[N, O, PH, PW] = max pool (<paramref name="windows"/>) of max(conv(x, w) (+ bias), 0), and
    /// <paramref name="index"/> = the winners' positions in their planes — image by image, each core on its own images:
    /// an image's convolution output (O·OH·OW values, 50 KB for the default CNN's second layer) is computed, rectified
    /// and pooled while it is in cache, and is never stored (the same values and winners as the three passes one after
    /// the other). Needs <see cref="CanFusePool"/>.
    /// </summary>
    public static void ForwardReluMaxPool<T>(T[] x, T[] w, T[]? bias, T[] pooled, int[] index, in ConvGeometry g, PoolWindows windows)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = g.Groups * g.GroupRows, p = g.Positions, o = g.OutChannels, og = g.GroupOutChannels, kg = g.GroupRows;
        int outPlane = windows.OutH * windows.OutW;
        var one = g.WithBatch(1);
        Parallel(g.Batch, (long)o * rows * p, n =>
        {
            var cols = ArrayPool<T>.Shared.Rent(rows * p);
            var z = ArrayPool<T>.Shared.Rent(o * p);
            try
            {
                Im2Col(x, n, cols, one);
                for (int grp = 0; grp < one.Groups; grp++)
                    Gemm.Multiply(w, grp * og * kg, false, cols, grp * kg * p, false, z, grp * og * p, og, kg, p);
                for (int c = 0; c < o; c++)
                {
                    var plane = z.AsSpan(c * p, p);
                    if (bias is not null) System.Numerics.Tensors.TensorPrimitives.Add(plane, bias[c], plane);
                    System.Numerics.Tensors.TensorPrimitives.Max(plane, T.Zero, plane);
                }
                Pooling.MaxPlanes(z, 0, pooled, n * o * outPlane, index, o, windows);
            }
            finally
            {
                ArrayPool<T>.Shared.Return(cols);
                ArrayPool<T>.Shared.Return(z);
            }
        });
    }

    /// <summary>
    /// The backward pass of <see cref="ForwardReluMaxPool{T}"/>: <paramref name="gPooled"/> is the gradient of the pooled
    /// output <paramref name="pooled"/>; each image's gradient of the convolution output is scattered to the winners
    /// (masked by the ReLU: a winner's value is the pooled value, so the mask is pooled &gt; 0) into a scratch plane that
    /// stays in cache, then the weight, bias and input gradients are those of <see cref="Backward{T}"/> (per image, the
    /// weight gradient as <see cref="Parts"/> partial sums added in a fixed order).
    /// </summary>
    public static void BackwardReluMaxPool<T>(T[] x, T[] w, T[] gPooled, T[] pooled, int[] index, PoolWindows windows,
        T[]? gx, T[]? gw, bool accumulateWeight, T[]? gb, bool accumulateBias, in ConvGeometry g)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => BackwardPerImage(x, w, gPooled, gx, gw, accumulateWeight, gb, accumulateBias, g, pooled, index, windows.OutH * windows.OutW);

    private static void ForwardPerImage<T>(T[] x, T[] w, T[]? bias, T[] y, ConvGeometry g, bool relu) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = g.Groups * g.GroupRows, p = g.Positions, o = g.OutChannels, og = g.GroupOutChannels, kg = g.GroupRows;
        var one = g.WithBatch(1);
        Parallel(g.Batch, (long)o * rows * p, n =>
        {
            var cols = ArrayPool<T>.Shared.Rent(rows * p);
            try
            {
                Im2Col(x, n, cols, one);
                for (int grp = 0; grp < g.Groups; grp++)
                    Gemm.Multiply(w, grp * og * kg, false, cols, grp * kg * p, false, y, (n * o + grp * og) * p, og, kg, p);
                for (int c = 0; c < o; c++)
                {
                    var plane = y.AsSpan((n * o + c) * p, p);
                    if (bias is not null) System.Numerics.Tensors.TensorPrimitives.Add(plane, bias[c], plane);
                    if (relu) System.Numerics.Tensors.TensorPrimitives.Max(plane, T.Zero, plane);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(cols);
            }
        });
    }

    /// <summary>
    /// The per-image backward pass. With <paramref name="reluOutput"/> alone, gy is masked by it (a fused conv → ReLU);
    /// with <paramref name="poolIndex"/> too, gy and reluOutput are the gradient and value of the pooled output
    /// (<paramref name="poolPlane"/> values per plane), and each image's gradient is the masked scatter to the winners.
    /// </summary>
    private static void BackwardPerImage<T>(T[] x, T[] w, T[] gy, T[]? gx, T[]? gw, bool accumulateWeight, T[]? gb, bool accumulateBias,
        ConvGeometry g, T[]? reluOutput, int[]? poolIndex = null, int poolPlane = 0) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int rows = g.Groups * g.GroupRows, p = g.Positions, o = g.OutChannels, og = g.GroupOutChannels, kg = g.GroupRows;
        int n = g.Batch, per = (n + Parts - 1) / Parts;
        var one = g.WithBatch(1);
        // Per-image bias sums, added in image order afterwards: the same additions as the batched path.
        var imageSums = gb is null ? null : ArrayPool<T>.Shared.Rent(n * o);
        var partials = gw is null ? null : new T[Parts][];
        Parallel(Parts, (long)per * o * rows * p * 2, part =>
        {
            int from = part * per, to = Math.Min(n, from + per);
            if (from >= to) return;
            var cols = ArrayPool<T>.Shared.Rent(rows * p);
            var masked = reluOutput is null ? null : ArrayPool<T>.Shared.Rent(o * p);
            T[]? partial = gw is null ? null : partials![part] = new T[o * kg];
            try
            {
                for (int i = from; i < to; i++)
                {
                    T[] g1 = gy;
                    int gOff = i * o * p;
                    if (poolIndex is not null)
                    {
                        ScatterToWinners(gy, reluOutput!, poolIndex, i * o * poolPlane, o, poolPlane, masked!, p);
                        g1 = masked!;
                        gOff = 0;
                    }
                    else if (masked is not null)
                    {
                        ReluMask(gy.AsSpan(gOff, o * p), reluOutput!.AsSpan(gOff, o * p), masked.AsSpan(0, o * p));
                        g1 = masked;
                        gOff = 0;
                    }
                    if (imageSums is not null)
                        for (int c = 0; c < o; c++) imageSums[i * o + c] = System.Numerics.Tensors.TensorPrimitives.Sum<T>(g1.AsSpan(gOff + c * p, p));
                    if (partial is not null)
                    {
                        Im2Col(x, i, cols, one);
                        for (int grp = 0; grp < g.Groups; grp++)
                            Gemm.Multiply(g1, gOff + grp * og * p, false, cols, grp * kg * p, true, partial, grp * og * kg, og, p, kg, i > from);
                    }
                    if (gx is not null)
                    {
                        for (int grp = 0; grp < g.Groups; grp++)
                            Gemm.Multiply(w, grp * og * kg, true, g1, gOff + grp * og * p, false, cols, grp * kg * p, kg, og, p);
                        Col2Im(cols, gx, i, one);
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(cols);
                if (masked is not null) ArrayPool<T>.Shared.Return(masked);
            }
        });
        if (gw is not null)
        {
            var span = gw.AsSpan(0, o * kg);
            if (!accumulateWeight) span.Clear();
            foreach (var partial in partials!)
                if (partial is not null) System.Numerics.Tensors.TensorPrimitives.Add(span, partial, span);
        }
        if (gb is not null)
        {
            for (int c = 0; c < o; c++)
            {
                T sum = T.Zero;
                for (int i = 0; i < n; i++) sum += imageSums![i * o + c];
                gb[c] = accumulateBias ? gb[c] + sum : sum;
            }
            ArrayPool<T>.Shared.Return(imageSums!);
        }
    }

    /// <summary>gw = ∂/∂w of Σ y·gy (the weight part of <see cref="Backward{T}"/> alone).</summary>
    public static void WeightGrad<T>(T[] x, T[] gy, T[] gw, in ConvGeometry g) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Backward(x, [], gy, null, gw, false, null, false, g);

    /// <summary>gx = ∂/∂x of Σ y·gy (the input part of <see cref="Backward{T}"/> alone).</summary>
    public static void InputGrad<T>(T[] w, T[] gy, T[] gx, in ConvGeometry g) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Backward([], w, gy, gx, null, false, null, false, g);

    /// <summary>Images first … first+n−1 of src [N, O, P] → dst [O, n·P]; where <paramref name="mask"/> (same layout as src) is not &gt; 0, 0.</summary>
    private static void Transpose<T>(T[] src, int first, T[] dst, int n, int o, int p, T[]? mask = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int np = n * p;
        Parallel(n, (long)o * p, i =>
        {
            for (int c = 0; c < o; c++)
            {
                int from = ((first + i) * o + c) * p;
                if (mask is null) src.AsSpan(from, p).CopyTo(dst.AsSpan(c * np + i * p, p));
                else ReluMask(src.AsSpan(from, p), mask.AsSpan(from, p), dst.AsSpan(c * np + i * p, p));
            }
        });
    }

    /// <summary>
    /// One image's gradient of a convolution output from its pooled gradient: dst [planes, P] (overwritten) = Σ over the
    /// outputs whose winner is each position of (pooled &gt; 0 ? g : 0) — the max pool's scatter followed by the ReLU's
    /// mask (a winner's value is its pooled value), in the scatter's order, so the same sums as the two passes.
    /// </summary>
    private static void ScatterToWinners<T>(T[] g, T[] pooled, int[] index, int offset, int planes, int outPlane, T[] dst, int p)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        dst.AsSpan(0, planes * p).Clear();
        // The masked values a vector at a time, then added at their winners without a branch: a value masked off adds +0,
        // which changes nothing (dst starts at +0 and sums of it are never −0).
        Span<T> masked = stackalloc T[Vector<T>.Count];
        ReadOnlySpan<T> gs = g.AsSpan(offset, planes * outPlane), ys = pooled.AsSpan(offset, planes * outPlane);
        ReadOnlySpan<int> at = index.AsSpan(offset, planes * outPlane);
        for (int c = 0; c < planes; c++)
        {
            int from = c * outPlane, to = c * p, q = 0;
            var plane = dst.AsSpan(to, p);
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
                for (; q <= outPlane - Vector<T>.Count; q += Vector<T>.Count)
                {
                    Vector.ConditionalSelect(Vector.GreaterThan(new Vector<T>(ys[(from + q)..]), Vector<T>.Zero), new Vector<T>(gs[(from + q)..]), Vector<T>.Zero)
                        .CopyTo(masked);
                    for (int l = 0; l < masked.Length; l++) plane[at[from + q + l]] += masked[l];
                }
            for (; q < outPlane; q++)
                if (ys[from + q] > T.Zero) plane[at[from + q]] += gs[from + q];
        }
    }

    /// <summary>dst = y &gt; 0 ? g : 0, element-wise (the ReLU's gradient from its output, as its own backward pass computes it).</summary>
    private static void ReluMask<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> y, Span<T> dst) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            for (; i <= dst.Length - Vector<T>.Count; i += Vector<T>.Count)
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<T>(y[i..]), Vector<T>.Zero), new Vector<T>(g[i..]), Vector<T>.Zero).CopyTo(dst[i..]);
        for (; i < dst.Length; i++) dst[i] = y[i] > T.Zero ? g[i] : T.Zero;
    }

    /// <summary>
    /// Unfolds x [N, C, H, W] into cols [C·KH·KW, N·OH·OW]: row (c, ki, kj), column (n, oh, ow) holds
    /// x[n, c, oh·sh − pt + ki·dh, ow·sw − pl + kj·dw], or 0 in the padding. (With groups, the rows of group g are the
    /// block c ∈ [g·C/G, (g+1)·C/G), so each group's rows are contiguous.) Image n is image first + n of x; g.Batch images.
    /// </summary>
    internal static void Im2Col<T>(T[] x, int first, T[] cols, ConvGeometry g) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int c = g.InChannels, h = g.Height, w = g.Width, kh = g.KernelH, kw = g.KernelW;
        int oh = g.OutH, ow = g.OutW, p = g.Positions, np = g.Batch * p;
        if (IsFlat(g))
        {
            Parallel(g.Batch, (long)c * kh * kw * p, n =>
            {
                // Tap by tap, then channel by channel: a tap's shift is worked out once for all channels.
                for (int ki = 0; ki < kh; ki++)
                    for (int kj = 0; kj < kw; kj++)
                    {
                        var (d, lo, hi, qlo, qhi, r0, r1) = FlatShift(g, ki, kj);
                        for (int ch = 0; ch < c; ch++)
                        {
                            int plane = ((first + n) * c + ch) * h * w;
                            var dst = cols.AsSpan(((ch * kh + ki) * kw + kj) * np + n * p, p);
                            dst[..lo].Clear();
                            dst[hi..].Clear();
                            if (hi > lo) x.AsSpan(plane + lo + d, hi - lo).CopyTo(dst[lo..hi]);
                            // The copy ran across row ends: the columns that fall in the left/right padding read the
                            // neighbouring row's pixels, so they are zeroed again.
                            if (qlo > 0 || qhi < ow)
                                for (int r = r0; r < r1; r++)
                                {
                                    for (int q = 0; q < qlo; q++) dst[r * ow + q] = T.Zero;
                                    for (int q = qhi; q < ow; q++) dst[r * ow + q] = T.Zero;
                                }
                        }
                    }
            });
            return;
        }
        Parallel(g.Batch, (long)c * kh * kw * p, n =>
        {
            for (int ch = 0; ch < c; ch++)
            {
                int plane = ((first + n) * c + ch) * h * w;
                for (int ki = 0; ki < kh; ki++)
                    for (int kj = 0; kj < kw; kj++)
                    {
                        int row = (ch * kh + ki) * kw + kj;
                        var dst = cols.AsSpan(row * np + n * p, p);
                        int colOffset = kj * g.DilationW - g.PadLeft;
                        var (lo, hi) = ValidRange(colOffset, g.StrideW, w, ow);
                        for (int r = 0; r < oh; r++)
                        {
                            int ih = r * g.StrideH - g.PadTop + ki * g.DilationH;
                            var line = dst.Slice(r * ow, ow);
                            if ((uint)ih >= (uint)h || lo >= hi) { line.Clear(); continue; }
                            line[..lo].Clear();
                            line[hi..].Clear();
                            int src = plane + ih * w + colOffset;
                            if (g.StrideW == 1) x.AsSpan(src + lo, hi - lo).CopyTo(line[lo..hi]);
                            else for (int q = lo; q < hi; q++) line[q] = x[src + q * g.StrideW];
                        }
                    }
            }
        });
    }

    /// <summary>
    /// The inverse scatter of <see cref="Im2Col{T}"/>: images first … of x [N, C, H, W] = Σ of the column entries that
    /// read each element (overwritten), added in the order of the column rows (c, ki, kj). The entries of
    /// <paramref name="cols"/> that read the padding may be overwritten with zeros (it is scratch).
    /// </summary>
    internal static void Col2Im<T>(T[] cols, T[] x, int first, ConvGeometry g) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int c = g.InChannels, h = g.Height, w = g.Width, kh = g.KernelH, kw = g.KernelW;
        int oh = g.OutH, ow = g.OutW, p = g.Positions, np = g.Batch * p;
        if (IsFlat(g))
        {
            Parallel(g.Batch, (long)c * kh * kw * p, n =>
            {
                x.AsSpan((first + n) * c * h * w, c * h * w).Clear();
                // Tap by tap, then channel by channel (a tap's shift worked out once): each element still receives its
                // column entries in the order of the rows (c, ki, kj), since only rows of its own channel reach it.
                for (int ki = 0; ki < kh; ki++)
                    for (int kj = 0; kj < kw; kj++)
                    {
                        var (d, lo, hi, qlo, qhi, r0, r1) = FlatShift(g, ki, kj);
                        for (int ch = 0; ch < c; ch++)
                        {
                            int plane = ((first + n) * c + ch) * h * w;
                            var src = cols.AsSpan(((ch * kh + ki) * kw + kj) * np + n * p, p);
                            // One add over the rows' whole span: the entries that read the padding would land on the
                            // neighbouring row's ends, so they are made +0 first (x + 0 = x exactly: x starts at +0 and
                            // a sum is −0 only when both terms are, so x is never −0).
                            if (qlo > 0 || qhi < ow)
                                for (int r = r0; r < r1; r++)
                                {
                                    for (int q = 0; q < qlo; q++) src[r * ow + q] = T.Zero;
                                    for (int q = qhi; q < ow; q++) src[r * ow + q] = T.Zero;
                                }
                            if (lo >= hi) continue;
                            var target = x.AsSpan(plane + lo + d, hi - lo);
                            System.Numerics.Tensors.TensorPrimitives.Add(target, src[lo..hi], target);
                        }
                    }
            });
            return;
        }
        Parallel(g.Batch, (long)c * kh * kw * p, n =>
        {
            x.AsSpan((first + n) * c * h * w, c * h * w).Clear();
            for (int ch = 0; ch < c; ch++)
            {
                int plane = ((first + n) * c + ch) * h * w;
                for (int ki = 0; ki < kh; ki++)
                    for (int kj = 0; kj < kw; kj++)
                    {
                        int row = (ch * kh + ki) * kw + kj;
                        var src = cols.AsSpan(row * np + n * p, p);
                        int colOffset = kj * g.DilationW - g.PadLeft;
                        var (lo, hi) = ValidRange(colOffset, g.StrideW, w, ow);
                        if (lo >= hi) continue;
                        for (int r = 0; r < oh; r++)
                        {
                            int ih = r * g.StrideH - g.PadTop + ki * g.DilationH;
                            if ((uint)ih >= (uint)h) continue;
                            var line = src.Slice(r * ow, ow);
                            int dst = plane + ih * w + colOffset;
                            if (g.StrideW == 1)
                            {
                                var target = x.AsSpan(dst + lo, hi - lo);
                                System.Numerics.Tensors.TensorPrimitives.Add(target, line[lo..hi], target);
                            }
                            else for (int q = lo; q < hi; q++) x[dst + q * g.StrideW] += line[q];
                        }
                    }
            }
        });
    }

    /// <summary>
    /// Stride 1 and as many output columns as input columns (e.g. "same" padding): row (c, ki, kj) of the columns is then
    /// the input plane shifted by one constant offset, so im2col and col2im move whole planes at a time instead of rows
    /// of a few elements.
    /// </summary>
    private static bool IsFlat(in ConvGeometry g) => g.StrideH == 1 && g.StrideW == 1 && g.OutW == g.Width;

    /// <summary>
    /// For tap (ki, kj) of a flat geometry (<see cref="IsFlat"/>): the offset d with input index = position + d, the
    /// positions [lo, hi) whose rows are inside the input (and whose index lands in the plane), the valid output
    /// columns [qlo, qhi), and the valid output rows [r0, r1).
    /// </summary>
    private static (int D, int Lo, int Hi, int QLo, int QHi, int R0, int R1) FlatShift(in ConvGeometry g, int ki, int kj)
    {
        int w = g.Width, dRow = ki * g.DilationH - g.PadTop, dCol = kj * g.DilationW - g.PadLeft;
        int d = dRow * w + dCol;
        int r0 = Math.Clamp(-dRow, 0, g.OutH), r1 = Math.Clamp(g.Height - dRow, r0, g.OutH);
        int lo = Math.Max(r0 * w, -d), hi = Math.Min(r1 * w, g.Height * w - d);
        if (hi < lo) hi = lo = Math.Min(lo, g.Positions);
        var (qlo, qhi) = ValidRange(dCol, 1, w, g.OutW);
        return (d, lo, hi, qlo, qhi, r0, r1);
    }

    /// <summary>The output columns q ∈ [lo, hi) whose input column q·stride + offset lies in [0, width).</summary>
    private static (int Lo, int Hi) ValidRange(int offset, int stride, int width, int outWidth)
    {
        int lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int hi = width - offset <= 0 ? 0 : Math.Min(outWidth, (width - offset + stride - 1) / stride);
        return (Math.Min(lo, outWidth), Math.Max(hi, Math.Min(lo, outWidth)));
    }

    /// <summary>
    /// Runs body(0..count−1), on several cores when the work is large enough to pay for the hand-off. On two cores the
    /// tasks go to <see cref="GemmTeam"/>'s helper, which is awake (spinning) right after the products these passes sit
    /// between, so it joins at once — the thread pool's workers would first have to wake up, while the helper holds the
    /// other core. Every task writes its own part of the output, so the result does not depend on who ran what.
    /// </summary>
    internal static void Parallel(int count, long workPerItem, Action<int> body)
    {
        if (count <= 1 || workPerItem * count < 1 << 16 || Environment.ProcessorCount == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        if (Environment.ProcessorCount > 2 || !GemmTeam.Available)
        {
            System.Threading.Tasks.Parallel.For(0, count, body);
            return;
        }
        var job = t_job is { Busy: false } cached ? cached : t_job = new ActionJob();
        job.Busy = true;
        try
        {
            job.Body = body;
            job.Reset(count);
            GemmTeam.Run(job);
        }
        finally
        {
            job.Body = null;
            job.Busy = false;
        }
    }

    [ThreadStatic] private static ActionJob? t_job;

    /// <summary>body(i) as a <see cref="TeamJob"/> (one per thread, reused).</summary>
    private sealed class ActionJob : TeamJob
    {
        public Action<int>? Body;
        public bool Busy;

        protected override void Execute(int index) => Body!(index);
    }
}
