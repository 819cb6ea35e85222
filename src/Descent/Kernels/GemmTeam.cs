namespace Descent.Kernels;

/// <summary>
/// A unit of work split into <see cref="Count"/> independent tasks that any thread may claim (see <see cref="GemmTeam"/>).
/// </summary>
internal abstract class TeamJob
{
    private int _next;
    private int _state; // 0 posted, 1 a helper joined, 2 closed before any helper joined
    private volatile bool _helperDone;

    /// <summary>Number of tasks.</summary>
    public int Count { get; private set; }

    /// <summary>Runs task <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    protected abstract void Execute(int index);

    /// <summary>Prepares the job for a fresh run of <paramref name="count"/> tasks.</summary>
    /// <remarks>Call it after setting the job's own fields: a helper may join as soon as the state reads "posted".</remarks>
    public void Reset(int count)
    {
        Count = count;
        _next = 0;
        _helperDone = false;
        Volatile.Write(ref _state, 0);
    }

    /// <summary>Claims and runs tasks until none is left.</summary>
    public void Drain()
    {
        int i;
        while ((i = Interlocked.Increment(ref _next) - 1) < Count) Execute(i);
    }

    /// <summary>The helper's side: joins (unless the caller already closed the job), drains, reports completion.</summary>
    internal void HelperRun()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return;
        try { Drain(); }
        finally { _helperDone = true; }
    }

    /// <summary>
    /// The caller's side after its own <see cref="Drain"/>: returns at once if no helper joined (so a sleeping or
    /// descheduled helper never delays the caller), otherwise waits for the helper's last task.
    /// </summary>
    internal void CallerFinish()
    {
        if (Interlocked.CompareExchange(ref _state, 2, 0) == 0) return;
        var spin = new SpinWait();
        while (!_helperDone) spin.SpinOnce(sleep1Threshold: -1);
    }
}

/// <summary>
/// A piece of work done ahead for its owner (the next training batch gathered while this one trains): the GEMM helper
/// runs it between products (<see cref="GemmTeam.Post"/>), and the owner runs it itself if nobody has started it by
/// the time it needs the result (<see cref="Complete"/>) — so the owner never waits for a thread that is not running.
/// </summary>
internal abstract class TeamTask
{
    private int _state; // 0 waiting, 1 running, 2 done
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _error;

    /// <summary>The work.</summary>
    protected abstract void Execute();

    /// <summary>Runs the work unless another thread has started it; false when one had.</summary>
    internal bool TryRun()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return false;
        try { Execute(); }
        catch (Exception e) { _error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
        Volatile.Write(ref _state, 2);
        return true;
    }

    /// <summary>Runs the work here if nobody has started it, else waits for it to end; rethrows what it threw.</summary>
    public void Complete()
    {
        Wait();
        _error?.Throw();
    }

    /// <summary>Like <see cref="Complete"/>, without rethrowing (for a caller that stops early).</summary>
    public void Wait()
    {
        if (TryRun()) GemmTeam.Withdraw(this);
        else
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _state) != 2) spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}

/// <summary>
/// The GEMM's second core: one background thread that helps the calling thread drain a <see cref="TeamJob"/>.
/// </summary>
/// <remarks>
/// <para>Why not <c>Parallel.For</c>: the MLP's products take 20–100 µs, and handing half of them to the thread pool
/// cost more than it saved (measured: a 64×784×128 product was faster on one core than through <c>Parallel.For</c>).
/// Here the caller starts on the tasks at once and the helper claims tasks as soon as it sees the job, so a late helper
/// only means the caller does more of the work — the caller never waits for a helper that has not started.</para>
/// <para>After a job the helper spins for <see cref="SpinTicks"/> (yielding its core every few microseconds to
/// anything else that is ready to run) before it blocks, so the products of one training step, a few tens of microseconds apart, find it awake.
/// One job at a time: a second thread calling meanwhile (parallel training runs) simply works alone.</para>
/// </remarks>
internal static class GemmTeam
{
    /// <summary>
    /// How long the helper spins for the next job before it sleeps: 0.5 ms, longer than the gaps between the products
    /// of one training step (the element-wise work between them takes tens of microseconds), short enough to leave the
    /// core to others soon after the step.
    /// </summary>
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 2000;

    private static readonly object Gate = new();
    private static readonly SemaphoreSlim Wake = new(0);
    private static Thread? s_helper;
    private static TeamJob? s_pending;
    private static TeamTask? s_background;
    private static int s_busy;
    private static int s_generation;
    private static int s_sleeping;

    /// <summary>
    /// Whether the helper is used: more than one core, and not switched off with the environment variable
    /// <c>DESCENT_GEMM_HELPER=0</c> (for a machine already oversubscribed by other processes, or to compare).
    /// </summary>
    public static bool Available { get; } =
        Environment.ProcessorCount > 1 && Environment.GetEnvironmentVariable("DESCENT_GEMM_HELPER") != "0";

    [ThreadStatic] private static bool t_alone;

    /// <summary>Whether this thread works without the helper (inside <see cref="Alone"/>).</summary>
    internal static bool IsAlone => t_alone;

    /// <summary>
    /// Until disposed, this thread's kernels run on this thread only, down the same paths a single core takes: the
    /// tests compare two-core results with these bit for bit.
    /// </summary>
    internal static IDisposable Alone() => new AloneScope();

    private sealed class AloneScope : IDisposable
    {
        private readonly bool _before = t_alone;
        public AloneScope() => t_alone = true;
        public void Dispose() => t_alone = _before;
    }

    /// <summary>
    /// Runs every task of <paramref name="job"/> (after <see cref="TeamJob.Reset"/>) on this thread and, when it is
    /// free, the helper thread; returns when all tasks are done.
    /// </summary>
    public static void Run(TeamJob job)
    {
        if (!Available || t_alone || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            job.Drain();
            return;
        }
        try
        {
            EnsureHelper();
            Volatile.Write(ref s_pending, job);
            Interlocked.Increment(ref s_generation);
            if (Interlocked.Exchange(ref s_sleeping, 0) == 1) Wake.Release();
            job.Drain();
            job.CallerFinish();
        }
        finally
        {
            Volatile.Write(ref s_pending, null);
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// Hands <paramref name="task"/> to the helper, which runs it when no product needs it (one task at a time; a
    /// second one, or any when the helper is switched off, goes to the thread pool). The owner ends it with
    /// <see cref="TeamTask.Complete"/>, which runs it on the owner's thread if nobody has started it yet.
    /// </summary>
    public static void Post(TeamTask task)
    {
        if (!Available || Interlocked.CompareExchange(ref s_background, task, null) is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static t => t.TryRun(), task, preferLocal: false);
            return;
        }
        EnsureHelper();
        Interlocked.Increment(ref s_generation);
        if (Interlocked.Exchange(ref s_sleeping, 0) == 1) Wake.Release();
    }

    /// <summary>Takes <paramref name="task"/> out of the helper's slot (its owner ran it), leaving room for the next.</summary>
    internal static void Withdraw(TeamTask task) => Interlocked.CompareExchange(ref s_background, null, task);

    private static void EnsureHelper()
    {
        if (s_helper is not null) return;
        lock (Gate)
        {
            if (s_helper is not null) return;
            var t = new Thread(HelperLoop) { IsBackground = true, Name = "Descent GEMM helper" };
            t.Start();
            s_helper = t;
        }
    }

    private static void HelperLoop()
    {
        int seen = 0;
        long idleSince = System.Diagnostics.Stopwatch.GetTimestamp();
        int spins = 0;
        while (true)
        {
            int generation = Volatile.Read(ref s_generation);
            if (generation != seen)
            {
                seen = generation;
                // A stale read (the job already finished, or re-posted for the next product) is harmless: HelperRun
                // joins only a job that is open, and an open job is always the current one.
                Volatile.Read(ref s_pending)?.HelperRun();
                // Then work done ahead (a batch to gather), between products.
                Interlocked.Exchange(ref s_background, null)?.TryRun();
                idleSince = System.Diagnostics.Stopwatch.GetTimestamp();
                spins = 0;
                continue;
            }
            if (++spins % 16 != 0) { Thread.SpinWait(20); continue; }
            if (System.Diagnostics.Stopwatch.GetTimestamp() - idleSince < SpinTicks) { Thread.Yield(); continue; }
            // Sleep until the next job is posted.
            Volatile.Write(ref s_sleeping, 1);
            if (Volatile.Read(ref s_generation) != seen)
            {
                // A job arrived meanwhile: take it if its poster did not see us asleep; else absorb the wake-up.
                if (Interlocked.Exchange(ref s_sleeping, 0) == 0) Wake.Wait();
            }
            else Wake.Wait();
            idleSince = System.Diagnostics.Stopwatch.GetTimestamp();
            spins = 0;
        }
    }
}
