namespace Descent.Kernels;

/// <summary>
/// Splits large element-wise and reduction work into contiguous chunks, one per core; small work stays on the calling
/// thread. Chunk boundaries are multiples of 64 elements (whole cache lines and whole vectors), so an element-wise kernel
/// gives bit-identical results however the work is split; reductions combine their per-chunk partials in chunk order.
/// </summary>
internal static class Split
{
    /// <summary>
    /// Elements below which work stays on one thread. Measured on 2 cores (float32 <c>a + b</c>, result allocated):
    /// at 32K elements one thread and two break even (Parallel.For's hand-off costs a few µs); from 64K two threads win.
    /// Mutable only so that benchmarks can sweep it.
    /// </summary>
    internal static int Threshold = 1 << 16;

    /// <summary>The number of chunks for work over <paramref name="elements"/> elements: 1 below the threshold.</summary>
    public static int Chunks(long elements)
    {
        int cores = Environment.ProcessorCount;
        if (elements < Threshold || cores == 1) return 1;
        return (int)Math.Min(cores, Math.Max(1, elements / (Threshold / 2)));
    }

    /// <summary>The start of chunk <paramref name="c"/> of <paramref name="chunks"/> over <paramref name="n"/> items, aligned to <paramref name="align"/>.</summary>
    public static int Start(int n, int chunks, int c, int align = 64)
    {
        if (c >= chunks) return n;
        long s = (long)n * c / chunks;
        return (int)Math.Min(n, s / align * align);
    }

    /// <summary>Runs <paramref name="body"/>(start, length) on each of <paramref name="chunks"/> chunks of [0, n), in parallel.</summary>
    public static void For(int n, int chunks, Action<int, int> body, int align = 64)
    {
        if (chunks <= 1) { body(0, n); return; }
        Parallel.For(0, chunks, c =>
        {
            int start = Start(n, chunks, c, align), end = Start(n, chunks, c + 1, align);
            if (end > start) body(start, end - start);
        });
    }
}
