using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Kernels;

/// <summary>
/// The windows of a 2-D pooling, axis by axis: output row r reads input rows [StartH[r], EndH[r]) and counts
/// CountH[r] rows in an average's divisor (PyTorch's <c>count_include_pad</c>: padded rows count, rows beyond the padding
/// do not); the same for columns.
/// </summary>
internal sealed class PoolWindows
{
    private PoolWindows(int height, int width, int[] startH, int[] endH, int[] countH, int[] startW, int[] endW, int[] countW)
        => (Height, Width, StartH, EndH, CountH, StartW, EndW, CountW) = (height, width, startH, endH, countH, startW, endW, countW);

    public int Height { get; }
    public int Width { get; }
    public int OutH => StartH.Length;
    public int OutW => StartW.Length;
    public int[] StartH { get; }
    public int[] EndH { get; }
    public int[] CountH { get; }
    public int[] StartW { get; }
    public int[] EndW { get; }
    public int[] CountW { get; }

    /// <summary>Sliding windows of size <paramref name="kernel"/> moved by <paramref name="stride"/> over the input padded by <paramref name="padding"/>.</summary>
    public static PoolWindows Sliding(int height, int width, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding)
    {
        var (sh, eh, ch) = Axis(height, kernel.H, stride.H, padding.H);
        var (sw, ew, cw) = Axis(width, kernel.W, stride.W, padding.W);
        return new PoolWindows(height, width, sh, eh, ch, sw, ew, cw);

        static (int[], int[], int[]) Axis(int length, int k, int s, int p)
        {
            int outLength = (length + 2 * p - k) / s + 1;
            int[] start = new int[outLength], end = new int[outLength], count = new int[outLength];
            for (int o = 0; o < outLength; o++)
            {
                int lo = o * s - p, hi = Math.Min(lo + k, length + p);
                count[o] = hi - lo;
                start[o] = Math.Max(lo, 0);
                end[o] = Math.Min(hi, length);
            }
            return (start, end, count);
        }
    }

    /// <summary>PyTorch's adaptive windows: output r of n over length L reads [⌊rL/n⌋, ⌈(r+1)L/n⌉).</summary>
    public static PoolWindows Adaptive(int height, int width, int outH, int outW)
    {
        var (sh, eh) = Axis(height, outH);
        var (sw, ew) = Axis(width, outW);
        return new PoolWindows(height, width, sh, eh, Counts(sh, eh), sw, ew, Counts(sw, ew));

        static (int[], int[]) Axis(int length, int n)
        {
            int[] start = new int[n], end = new int[n];
            for (int o = 0; o < n; o++)
            {
                start[o] = (int)((long)o * length / n);
                end[o] = (int)(((long)(o + 1) * length + n - 1) / n);
            }
            return (start, end);
        }

        static int[] Counts(int[] s, int[] e) => s.Select((v, i) => e[i] - v).ToArray();
    }
}

/// <summary>Max and average pooling over planes of [N·C, H, W] data, one pass each; they know nothing of gradients.</summary>
internal static class Pooling
{
    /// <summary>y = the largest element of each window, and <paramref name="index"/> = its position h·W + w in its plane (the first, in scan order; NaN wins).</summary>
    public static void MaxForward<T>(T[] x, T[] y, int[] index, int planes, PoolWindows p) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int inPlane = p.Height * p.Width, outPlane = p.OutH * p.OutW;
        bool twoByTwo = IsPlainTwoByTwo(p);
        Convolution.Parallel(planes, outPlane * 4L, plane => MaxPlane(x, plane * inPlane, y, plane * outPlane, index, p, twoByTwo));
    }

    /// <summary>
    /// <see cref="MaxForward{T}"/> of <paramref name="planes"/> planes on this thread: x from <paramref name="xOffset"/>,
    /// y and index from <paramref name="yOffset"/> (a fused convolution pools each image's output planes while they are in cache).
    /// </summary>
    public static void MaxPlanes<T>(T[] x, int xOffset, T[] y, int yOffset, int[] index, int planes, PoolWindows p) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int inPlane = p.Height * p.Width, outPlane = p.OutH * p.OutW;
        bool twoByTwo = IsPlainTwoByTwo(p);
        for (int plane = 0; plane < planes; plane++) MaxPlane(x, xOffset + plane * inPlane, y, yOffset + plane * outPlane, index, p, twoByTwo);
    }

    /// <summary>One plane of the max (x at xo, y and index at yo): the 2×2 stride-2 loop, or the general one.</summary>
    private static void MaxPlane<T>(T[] x, int xo, T[] y, int yo, int[] index, PoolWindows p, bool twoByTwo) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (twoByTwo)
        {
            MaxTwoByTwo(x, xo, y, yo, index, p);
            return;
        }
        for (int r = 0; r < p.OutH; r++)
            for (int c = 0; c < p.OutW; c++)
            {
                T best = T.NegativeInfinity;
                int at = -1;
                for (int h = p.StartH[r]; h < p.EndH[r]; h++)
                {
                    int row = xo + h * p.Width;
                    for (int w = p.StartW[c]; w < p.EndW[c]; w++)
                    {
                        T v = x[row + w];
                        if (v > best || at < 0 || (T.IsNaN(v) && !T.IsNaN(best))) { best = v; at = h * p.Width + w; }
                    }
                }
                y[yo + r * p.OutW + c] = best;
                index[yo + r * p.OutW + c] = at;
            }
    }

    /// <summary>Windows of 2×2 moved by 2 with no padding: the common CNN pooling, which has its own loop.</summary>
    private static bool IsPlainTwoByTwo(PoolWindows p)
    {
        if (p.OutH * 2 > p.Height || p.OutW * 2 > p.Width) return false;
        for (int r = 0; r < p.OutH; r++) if (p.StartH[r] != 2 * r || p.EndH[r] != 2 * r + 2) return false;
        for (int c = 0; c < p.OutW; c++) if (p.StartW[c] != 2 * c || p.EndW[c] != 2 * c + 2) return false;
        return true;
    }

    /// <summary>One plane of the 2×2 stride-2 max: the same choice as the general loop (first largest in scan order, NaN wins).</summary>
    private static void MaxTwoByTwo<T>(T[] x, int xo, T[] y, int yo, int[] index, PoolWindows p) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int w = p.Width, oh = p.OutH, ow = p.OutW;
        if (typeof(T) == typeof(float) && Sse.IsSupported && ow >= Vector128<float>.Count)
        {
            MaxTwoByTwoRows(Unsafe.As<float[]>(x), Unsafe.As<float[]>(y), index, xo, yo, w, oh, ow);
            return;
        }
        for (int r = 0; r < oh; r++)
        {
            int top = xo + 2 * r * w, at0 = 2 * r * w;
            int o = yo + r * ow;
            for (int c = 0; c < ow; c++)
            {
                int i = top + 2 * c;
                T best = x[i];
                int at = at0 + 2 * c;
                T v = x[i + 1];
                if (v > best || (T.IsNaN(v) && !T.IsNaN(best))) { best = v; at = at0 + 2 * c + 1; }
                v = x[i + w];
                if (v > best || (T.IsNaN(v) && !T.IsNaN(best))) { best = v; at = at0 + w + 2 * c; }
                v = x[i + w + 1];
                if (v > best || (T.IsNaN(v) && !T.IsNaN(best))) { best = v; at = at0 + w + 2 * c + 1; }
                y[o + c] = best;
                index[o + c] = at;
            }
        }
    }

    /// <summary>
    /// One plane of the 2×2 stride-2 max, four outputs at a time (SSE): the two input rows' even and odd columns are
    /// split apart and compared in the scalar loop's scan order (top-left, top-right, bottom-left, bottom-right; a later
    /// element wins only when larger, or NaN over a number), so the values and indices are the scalar loop's. The last
    /// group of a row overlaps the previous one when the width is not a multiple of four (the same values written twice).
    /// </summary>
    private static void MaxTwoByTwoRows(float[] x, float[] y, int[] index, int xo, int yo, int w, int oh, int ow)
    {
        const int lanes = 4;
        var lane2 = Vector128.Create(0, 2, 4, 6);
        var tr = Vector128.Create(1);
        var bl = Vector128.Create(w);
        var br = Vector128.Create(w + 1);
        ref float xs = ref MemoryMarshal.GetArrayDataReference(x);
        ref float ys = ref MemoryMarshal.GetArrayDataReference(y);
        ref int ix = ref MemoryMarshal.GetArrayDataReference(index);
        _ = x[xo + (2 * oh - 1) * w + 2 * ow - 1];
        _ = y[yo + oh * ow - 1];
        _ = index[yo + oh * ow - 1];
        for (int r = 0; r < oh; r++)
        {
            int top = xo + 2 * r * w, o = yo + r * ow;
            for (int c0 = 0; c0 < ow; c0 += lanes)
            {
                int c = Math.Min(c0, ow - lanes);
                var t0 = Vector128.LoadUnsafe(ref xs, (nuint)(top + 2 * c));
                var t1 = Vector128.LoadUnsafe(ref xs, (nuint)(top + 2 * c + lanes));
                var b0 = Vector128.LoadUnsafe(ref xs, (nuint)(top + w + 2 * c));
                var b1 = Vector128.LoadUnsafe(ref xs, (nuint)(top + w + 2 * c + lanes));
                Vector128<float> best = Sse.Shuffle(t0, t1, 0b10_00_10_00), v;
                Vector128<int> offset = Vector128<int>.Zero;
                v = Sse.Shuffle(t0, t1, 0b11_01_11_01);
                Take(ref best, ref offset, v, tr);
                v = Sse.Shuffle(b0, b1, 0b10_00_10_00);
                Take(ref best, ref offset, v, bl);
                v = Sse.Shuffle(b0, b1, 0b11_01_11_01);
                Take(ref best, ref offset, v, br);
                best.StoreUnsafe(ref ys, (nuint)(o + c));
                (Vector128.Create(2 * r * w + 2 * c) + lane2 + offset).StoreUnsafe(ref ix, (nuint)(o + c));
            }
        }

        static void Take(ref Vector128<float> best, ref Vector128<int> offset, Vector128<float> v, Vector128<int> at)
        {
            // v > best, or v is NaN and best is not (as the scalar loop: NaN wins, the first NaN stays).
            var wins = Vector128.GreaterThan(v, best) | (~Vector128.Equals(v, v) & Vector128.Equals(best, best));
            best = Vector128.ConditionalSelect(wins, v, best);
            offset = Vector128.ConditionalSelect(wins.AsInt32(), at, offset);
        }
    }

    /// <summary>gx (overwritten, [planes, H·W]) = Σ of g over the outputs whose <paramref name="index"/> points at each element.</summary>
    public static void Scatter<T>(T[] g, T[] gx, int[] index, int planes, int inPlane, int outPlane) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Convolution.Parallel(planes, inPlane, plane =>
        {
            int xo = plane * inPlane, yo = plane * outPlane;
            gx.AsSpan(xo, inPlane).Clear();
            for (int o = 0; o < outPlane; o++) gx[xo + index[yo + o]] += g[yo + o];
        });
    }

    /// <summary>y[o] = h at <paramref name="index"/>[o] in the same plane (the transpose of <see cref="Scatter{T}"/>).</summary>
    public static void Gather<T>(T[] h, T[] y, int[] index, int planes, int inPlane, int outPlane) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int plane = 0; plane < planes; plane++)
        {
            int xo = plane * inPlane, yo = plane * outPlane;
            for (int o = 0; o < outPlane; o++) y[yo + o] = h[xo + index[yo + o]];
        }
    }

    /// <summary>y = the mean of each window (sum over the window's input elements divided by its count).</summary>
    public static void AvgForward<T>(T[] x, T[] y, int planes, PoolWindows p) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int inPlane = p.Height * p.Width, outPlane = p.OutH * p.OutW;
        Convolution.Parallel(planes, inPlane, plane =>
        {
            int xo = plane * inPlane, yo = plane * outPlane;
            for (int r = 0; r < p.OutH; r++)
                for (int c = 0; c < p.OutW; c++)
                {
                    T sum = T.Zero;
                    for (int h = p.StartH[r]; h < p.EndH[r]; h++)
                    {
                        int row = xo + h * p.Width;
                        for (int w = p.StartW[c]; w < p.EndW[c]; w++) sum += x[row + w];
                    }
                    y[yo + r * p.OutW + c] = sum / T.CreateTruncating(p.CountH[r] * p.CountW[c]);
                }
        });
    }

    /// <summary>gx (overwritten) = each output's gradient spread evenly over its window (the transpose of <see cref="AvgForward{T}"/>).</summary>
    public static void AvgBackward<T>(T[] g, T[] gx, int planes, PoolWindows p) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int inPlane = p.Height * p.Width, outPlane = p.OutH * p.OutW;
        Array.Clear(gx);
        Convolution.Parallel(planes, inPlane, plane =>
        {
            int xo = plane * inPlane, yo = plane * outPlane;
            for (int r = 0; r < p.OutH; r++)
                for (int c = 0; c < p.OutW; c++)
                {
                    T share = g[yo + r * p.OutW + c] / T.CreateTruncating(p.CountH[r] * p.CountW[c]);
                    for (int h = p.StartH[r]; h < p.EndH[r]; h++)
                    {
                        int row = xo + h * p.Width;
                        for (int w = p.StartW[c]; w < p.EndW[c]; w++) gx[row + w] += share;
                    }
                }
        });
    }
}
