using System.Numerics;

namespace Descent;

/// <summary>
/// A region of code whose tensors end with it: at <see cref="Dispose"/>, every tensor created inside the scope on this
/// thread is disposed (using it afterwards throws <see cref="ObjectDisposedException"/>) and its memory goes back to a
/// pool that the next tensors of the same size are taken from — the way PyTorch's caching allocator hands a freed block
/// back warm, and what .NET's garbage collector cannot do for large arrays (each fresh result of 1 MB or more is new,
/// cold memory, and large ones cost a full collection every few operations).
/// </summary>
/// <remarks>
/// <para>
/// Use one around each step of a loop that makes the same temporaries again and again; <c>Trainer</c> does so around
/// every batch. Nothing changes outside a scope: without one, tensors are ordinary garbage-collected objects.
/// </para>
/// <para>
/// Rules: what you need after the scope, <see cref="Keep{T}(Tensor{T})"/> (it then lives as an ordinary object, and so
/// does every tensor sharing its storage, such as a reshape); a tensor stored as a <see cref="Tensor{T}.Grad"/> is kept
/// without asking; tensors created before the scope (parameters, data) are not touched, and writing into them in place
/// is fine. A scope covers the tensors created on its own thread; scopes nest, and disposing one disposes any scope
/// opened inside it and still open.
/// </para>
/// <para>
/// The pool holds at most <see cref="PoolLimitBytes"/>; <see cref="ReleasePooledMemory"/> empties it (the trainer does
/// at the end of a run). Arrays under 1024 elements are not pooled (the collector handles small objects well), but their
/// tensors are disposed all the same, so a mistake shows on small tests too.
/// </para>
/// <example>
/// <code>
/// for (int step = 0; step &lt; 1000; step++)
/// {
///     using var scope = new TensorScope();
///     var loss = ((model.Forward(x) - y).Square()).Mean();
///     loss.Backward();          // the gradients are kept: they are stored as Grad
///     optimizer.Step();
///     model.ZeroGrad();
/// }                             // the activations and temporaries go back to the pool here
/// </code>
/// </example>
/// </remarks>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? t_current;

    /// <summary>
    /// Scopes begun and not yet ended, on any thread: while there are none, a new tensor registers without a thread-local
    /// read (~2.5 ns on a JIT-compiled Linux process, a third of a scalar operation's bookkeeping).
    /// </summary>
    private static int s_open;

    private static long s_poolLimitBytes = 1L << 30;

    private readonly TensorScope? _parent;
    private readonly List<IScopedTensor> _tensors = [];
    private HashSet<Array>? _escaped;
    private bool _disposed;

    /// <summary>Begins a scope on the current thread, inside the current one if any.</summary>
    public TensorScope()
    {
        Interlocked.Increment(ref s_open);
        _parent = t_current;
        t_current = this;
    }

    /// <summary>The innermost open scope of the current thread, or null.</summary>
    public static TensorScope? Current
    {
        get
        {
            while (t_current is { _disposed: true } gone) t_current = gone._parent;
            return t_current;
        }
    }

    /// <summary>
    /// The most memory, in bytes, that the pool keeps for reuse (1 GiB unless set); a released array that does not fit
    /// goes to the garbage collector. Zero turns the pool off (scopes then only dispose).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative value.</exception>
    public static long PoolLimitBytes
    {
        get => Volatile.Read(ref s_poolLimitBytes);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref s_poolLimitBytes, value);
        }
    }

    /// <summary>The bytes the pool holds now, waiting for reuse.</summary>
    public static long PooledBytes => TensorPool.Bytes;

    /// <summary>Empties the pool, leaving its arrays to the garbage collector.</summary>
    public static void ReleasePooledMemory() => TensorPool.Clear();

    /// <summary>
    /// Keeps <paramref name="tensor"/> (and every tensor sharing its storage) beyond this scope and every scope around it:
    /// it becomes an ordinary garbage-collected tensor. Returns it, for <c>return scope.Keep(result);</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The tensor's own scope has already ended.</exception>
    public Tensor<T> Keep<T>(Tensor<T> tensor) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensor);
        _ = tensor.Buffer; // throws for a disposed tensor
        Escape(tensor);
        return tensor;
    }

    /// <summary>Takes <paramref name="tensor"/> out of every open scope of this thread (see <see cref="Keep{T}"/>).</summary>
    internal static void Escape(IScopedTensor tensor)
    {
        if (!tensor.MarkKept()) return;
        var storage = tensor.Storage;
        for (var scope = t_current; scope is not null; scope = scope._parent)
            (scope._escaped ??= new HashSet<Array>(ReferenceEqualityComparer.Instance)).Add(storage);
    }

    /// <summary>Registers a tensor made while this thread has an open scope; returns whether one was open.</summary>
    internal static bool Register(IScopedTensor tensor)
    {
        if (Volatile.Read(ref s_open) == 0) return false; // no scope anywhere: none on this thread
        var scope = t_current;
        if (scope is null) return false;
        if (scope._disposed)
        {
            // Disposed on another thread (a `using` across an await): it can no longer end anything, so this thread
            // leaves it instead of collecting tensors into it without bound.
            while (scope is { _disposed: true }) scope = scope._parent;
            t_current = scope;
            if (scope is null) return false;
        }
        scope._tensors.Add(tensor);
        return true;
    }

    /// <summary>
    /// Ends the scope: disposes every tensor created in it that was not kept, and gives the memory of those that own
    /// their storage (and share it with no kept tensor) back to the pool. Disposes inner scopes still open first.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        // Inner scopes still open end first (a scope left open by an exception further in, for example).
        while (t_current is { } inner && inner != this && IsInside(inner)) inner.Dispose();
        _disposed = true;
        Interlocked.Decrement(ref s_open);
        if (t_current == this) t_current = _parent;
        var escaped = _escaped;
        foreach (var tensor in _tensors)
            if (!tensor.IsKept) tensor.Release(escaped is null || !escaped.Contains(tensor.Storage));
        _tensors.Clear();
    }

    private bool IsInside(TensorScope inner)
    {
        for (var s = inner._parent; s is not null; s = s._parent)
            if (s == this) return true;
        return false;
    }
}

/// <summary>What a <see cref="TensorScope"/> needs of a tensor, whatever its element type.</summary>
internal interface IScopedTensor
{
    /// <summary>The storage array (the same object for every tensor sharing it).</summary>
    Array Storage { get; }

    /// <summary>Whether the tensor was kept (it then outlives every scope).</summary>
    bool IsKept { get; }

    /// <summary>Marks it kept; false when it already was.</summary>
    bool MarkKept();

    /// <summary>Disposes the tensor; its array goes to the pool when it owns a pooled one and <paramref name="reuse"/>.</summary>
    void Release(bool reuse);
}

/// <summary>
/// The arrays released by ended scopes, by element type and exact length (training repeats the same shapes), up to
/// <see cref="TensorScope.PoolLimitBytes"/> in all.
/// </summary>
internal static class TensorPool
{
    /// <summary>Arrays shorter than this are left to the collector: pooling them buys nothing.</summary>
    internal const int MinLength = 1024;

    private static readonly Lock s_lock = new();
    private static readonly Dictionary<(Type, int), Stack<Array>> s_buckets = [];
    private static long s_bytes;

    internal static long Bytes => Volatile.Read(ref s_bytes);

    internal static T[]? Rent<T>(int length) where T : unmanaged
    {
        if (length < MinLength) return null;
        lock (s_lock)
        {
            if (!s_buckets.TryGetValue((typeof(T), length), out var stack) || stack.Count == 0) return null;
            s_bytes -= (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            return (T[])stack.Pop();
        }
    }

    internal static void Return<T>(T[] array) where T : unmanaged
    {
        if (array.Length < MinLength) return;
        long bytes = (long)array.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        lock (s_lock)
        {
            if (s_bytes + bytes > TensorScope.PoolLimitBytes) return;
            var key = (typeof(T), array.Length);
            if (!s_buckets.TryGetValue(key, out var stack)) s_buckets[key] = stack = new Stack<Array>();
            stack.Push(array);
            s_bytes += bytes;
        }
    }

    internal static void Clear()
    {
        lock (s_lock)
        {
            s_buckets.Clear();
            s_bytes = 0;
        }
    }
}
