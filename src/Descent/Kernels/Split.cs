namespace Descent.Kernels;

/// <summary>
/// Splits large element-wise and reduction work into contiguous chunks, one per core; small work stays on the calling
/// thread. Chunk boundaries are multiples of 64 elements (whole cache lines and whole vectors), so an element-wise kernel
/// gives bit-identical results however the work is split; reductions combine their per-chunk partials in chunk order.
/// </summary>
internal static class Split
{
    /// <summary>
    /// Elements below which work stays on one thread. Splitting costs a thread-pool hand-off (a few µs on a quiet
    /// machine, 50–300 µs when other processes hold the cores); a float32 <c>a + b</c> of 128K elements takes ~40 µs
    /// on one core, so from there two cores pay on a quiet machine (<c>compare split</c> measures it: one thread against
    /// the split, size by size). On two cores the split goes to <see cref="GemmTeam"/>'s helper instead of the pool.
    /// Mutable only so that benchmarks can sweep it.
    /// </summary>
    internal static int Threshold = 1 << 17;

    /// <summary>
    /// Elements from which an in-place parameter update (the optimizer's step, <c>SubtractInPlace</c>) is split: lower
    /// than <see cref="Threshold"/> because its operands are already in the cores' caches — the gradient was just written
    /// by a product that both cores computed, the weights read by both — so one core alone waits on the other's cache
    /// for half the lines. Measured on Emerald Rapids (session 11), the MLP step (784×128 weights, 100K floats):
    /// 232–238 µs with the update on one core, 204–211 µs split from 32K elements.
    /// </summary>
    internal const int InPlaceThreshold = 1 << 15;

    /// <summary>
    /// The number of chunks for work over <paramref name="elements"/> elements: 1 below the threshold, else at least
    /// half the threshold per chunk and up to 4 per core — more chunks than cores, so that when another process holds a
    /// core the threads that do run take over its share instead of waiting for it. The count depends only on the
    /// size and the core count, so a split reduction is deterministic.
    /// </summary>
    public static int Chunks(long elements) => Chunks(elements, Threshold);

    /// <summary><see cref="Chunks(long)"/> from another threshold (see <see cref="InPlaceThreshold"/>).</summary>
    public static int Chunks(long elements, int threshold)
    {
        int cores = Environment.ProcessorCount;
        if (elements < threshold || cores == 1) return 1;
        return (int)Math.Min(4L * cores, Math.Max(2, elements / Math.Max(1, threshold / 2)));
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
        Run(chunks, c =>
        {
            int start = Start(n, chunks, c, align), end = Start(n, chunks, c + 1, align);
            if (end > start) body(start, end - start);
        });
    }

    /// <summary>
    /// Like <see cref="For(int, int, Action{int, int}, int)"/> with the work's data in <paramref name="state"/> and a
    /// static <paramref name="body"/>: nothing is allocated on the two-core path (a pooled job carries the state). An
    /// op's split must not allocate after its result: a collection triggered by a small allocation then finds the fresh
    /// result alive and promotes it (measured at 256K floats: every collection became a gen-1 one).
    /// </summary>
    public static void For<TState>(int n, int chunks, TState state, Action<TState, int, int> body, int align = 64)
    {
        if (chunks <= 1) { body(state, 0, n); return; }
        if (Environment.ProcessorCount == 2 && GemmTeam.Available)
        {
            var job = StateJob<TState>.Rent();
            try
            {
                job.Set(n, chunks, align, state, body);
                job.Reset(chunks);
                GemmTeam.Run(job);
            }
            finally { StateJob<TState>.Return(job); }
            return;
        }
        For(n, chunks, (s, count) => body(state, s, count), align);
    }

    /// <summary>A pooled job for <see cref="For{TState}"/>: one per thread and state type.</summary>
    private sealed class StateJob<TState> : TeamJob
    {
        [ThreadStatic] private static StateJob<TState>? t_free;
        private int _n, _chunks, _align;
        private TState? _state;
        private Action<TState, int, int>? _body;

        public static StateJob<TState> Rent()
        {
            var job = t_free ?? new StateJob<TState>();
            t_free = null;
            return job;
        }

        public static void Return(StateJob<TState> job)
        {
            job._state = default;
            job._body = null;
            t_free = job;
        }

        public void Set(int n, int chunks, int align, TState state, Action<TState, int, int> body)
            => (_n, _chunks, _align, _state, _body) = (n, chunks, align, state, body);

        protected override void Execute(int index)
        {
            int start = Start(_n, _chunks, index, _align), end = Start(_n, _chunks, index + 1, _align);
            if (end > start) _body!(_state!, start, end - start);
        }
    }

    /// <summary>
    /// Runs <paramref name="chunk"/>(c) for c in [0, <paramref name="chunks"/>) on the calling thread and pooled threads.
    /// Parallel.For hands out the chunks dynamically, so a thread that does run takes over the chunks of one that waits
    /// for a core.
    /// </summary>
    public static void Run(int chunks, Action<int> chunk)
    {
        if (chunks <= 1) { if (chunks == 1) chunk(0); return; }
        if (Environment.ProcessorCount == 2 && GemmTeam.Available)
        {
            // Two cores: the caller and the GEMM's helper thread (awake during a training step) share the chunks —
            // a hand-off of well under a microsecond against the thread pool's few (measured: at 256K elements the
            // pool's hand-off cost more than the second core saved).
            var job = ChunkJob.Rent();
            try
            {
                job.Body = chunk;
                job.Reset(chunks);
                GemmTeam.Run(job);
            }
            finally { ChunkJob.Return(job); }
            return;
        }
        Parallel.For(0, chunks, chunk);
    }

    /// <summary>Chunks as a <see cref="TeamJob"/>; one per thread, a fresh one if a chunk itself splits work.</summary>
    private sealed class ChunkJob : TeamJob
    {
        [ThreadStatic] private static ChunkJob? t_free;

        public Action<int>? Body { get; set; }

        public static ChunkJob Rent()
        {
            var job = t_free ?? new ChunkJob();
            t_free = null;
            return job;
        }

        public static void Return(ChunkJob job)
        {
            job.Body = null;
            t_free = job;
        }

        protected override void Execute(int index) => Body!(index);
    }
}
