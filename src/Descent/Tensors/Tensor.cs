using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Descent.Autodiff;

namespace Descent;

/// <summary>
/// An n-dimensional array of <typeparamref name="T"/> (<see cref="double"/> or <see cref="float"/>) in row-major,
/// contiguous storage, that can take part in reverse-mode automatic differentiation.
/// </summary>
/// <remarks>
/// <para>
/// Every operation on tensors that <see cref="RequiresGrad"/> is recorded (unless inside <see cref="Autograd.NoGrad"/>),
/// so that <see cref="Backward(bool, bool)"/> on a scalar result fills <see cref="Grad"/> of every leaf tensor that requires a gradient.
/// Tensors made from data are constants: they never get gradients.
/// </para>
/// <para>
/// Storage is always contiguous and starts at element 0. <see cref="Reshape(int[])"/> shares storage with its source (a view);
/// transposes, slices and gathers copy. This keeps every kernel a simple loop over a span, which is what makes small
/// problems fast; the copy is cheap next to the arithmetic that follows it.
/// </para>
/// <example>
/// <code>
/// var w = Tensor.Scalar(10.0).WithGrad();
/// var loss = w * w;
/// loss.Backward();              // w.Grad is 20
/// </code>
/// </example>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="double"/> for exact reference results, <see cref="float"/> for fast training.</typeparam>
public sealed partial class Tensor<T> : IScopedTensor where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T[] _data; // null once a TensorScope has disposed the tensor
    private readonly int[] _shape;
    private bool _requiresGrad;
    private ScopeState _scope;
    private Tensor<T>? _grad;

    private Node<T>? _node;
    // A binary operation recorded on this result whose node object is not made yet: its op record and inputs. The
    // node is made when something asks for it (a backward pass through a graph, a drawing); a scalar step's backward
    // pass reads these fields directly, so w·w costs one object fewer (see Node).
    private Ops.BinaryOp<T>? _binaryOp;
    private Tensor<T>? _inputA, _inputB;
    private bool _binaryFreed;
    internal Tensor<T>? PendingGrad;
    internal int VisitStamp;

    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of the given shape.</summary>
    internal Tensor(int[] shape, T[] data)
    {
        _shape = shape;
        _data = data;
        Debug.Assert(Shapes.Size(shape) == data.Length);
        if (TensorScope.Register(this)) _scope = ScopeState.Scoped;
    }

    /// <summary>Creates a tensor of the given shape filled with zeros.</summary>
    internal Tensor(int[] shape) : this(shape, uninitialized: false) { }

    /// <summary>
    /// Creates a tensor whose elements are not initialised, for results that a kernel overwrites completely: large
    /// arrays then skip the garbage collector's zeroing, a whole extra pass over memory.
    /// </summary>
    /// <remarks>
    /// The tensor object is allocated before its array (the private constructor): a collection that the
    /// array's allocation triggers then finds no large array alive. The other order (array, then the small object) let a
    /// collection triggered by the small object keep the fresh array, copy it into gen 1 and turn every following
    /// collection into a gen-1 one (measured at 256K floats: every collection gen 1, twice the pause per op).
    /// </remarks>
    internal static Tensor<T> Uninitialized(int[] shape) => new(shape, uninitialized: true);

    /// <summary>A tensor of <paramref name="shape"/> whose array is allocated after the object, uninitialised.</summary>
    private Tensor(int[] shape, bool uninitialized)
    {
        _shape = shape;
        int size = Shapes.Size(shape);
        if (TensorScope.Register(this))
        {
            // Inside a scope: an array released by an earlier scope, warm and already committed, when one of this length waits.
            if (TensorPool.Rent<T>(size) is { } reused)
            {
                if (!uninitialized) Array.Clear(reused);
                _data = reused;
            }
            else _data = uninitialized ? GC.AllocateUninitializedArray<T>(size) : new T[size];
            _scope = ScopeState.ScopedOwner;
            return;
        }
        _data = uninitialized ? GC.AllocateUninitializedArray<T>(size) : new T[size];
    }

    /// <summary>How a <see cref="TensorScope"/> sees this tensor.</summary>
    private enum ScopeState : byte
    {
        /// <summary>Made outside any scope: an ordinary object.</summary>
        None,
        /// <summary>Made inside a scope, on storage it did not allocate (a view, a wrapped array).</summary>
        Scoped,
        /// <summary>Made inside a scope with storage it allocated: the storage may go back to the pool.</summary>
        ScopedOwner,
        /// <summary>Kept beyond its scope (<see cref="TensorScope.Keep{T}"/>, or stored as a gradient).</summary>
        Kept,
        /// <summary>Disposed by its scope.</summary>
        Disposed,
    }

    /// <summary>Whether the <see cref="TensorScope"/> it was created in has ended (it can no longer be used).</summary>
    public bool IsDisposed => _scope == ScopeState.Disposed;

    Array IScopedTensor.Storage => _data;

    bool IScopedTensor.IsKept => _scope == ScopeState.Kept;

    bool IScopedTensor.MarkKept()
    {
        if (_scope == ScopeState.Kept) return false;
        _scope = ScopeState.Kept;
        return true;
    }

    void IScopedTensor.Release(bool reuse)
    {
        var data = _data;
        bool owner = _scope == ScopeState.ScopedOwner;
        _scope = ScopeState.Disposed;
        _data = null!;
        Node = null;
        PendingGrad = null;
        _grad = null;
        if (owner && reuse) TensorPool.Return(data);
    }

    /// <summary>
    /// Takes the tensor out of any scope (for the library's own caches, which outlive the scope they happen to be made
    /// in); returns it.
    /// </summary>
    internal Tensor<T> Unscoped()
    {
        if (_scope is ScopeState.Scoped or ScopeState.ScopedOwner) TensorScope.Escape(this);
        return this;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private T[] ThrowDisposed() => throw new ObjectDisposedException(nameof(Tensor<T>),
        $"This tensor (shape {Shapes.Format(_shape)}{(Name is null ? "" : $", '{Name}'")}) was created inside a TensorScope that has ended, and its memory may be in use again. " +
        "Keep it with scope.Keep(tensor) inside the scope (or take a Clone() there) to use it afterwards.");

    /// <summary>The dimensions, outermost first. A scalar has shape <c>[]</c>.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The shape as an array (a copy).</summary>
    public int[] ShapeArray => (int[])_shape.Clone();

    internal int[] ShapeRef => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements.</summary>
    public int Size => Buffer.Length;

    /// <summary>
    /// The elements in row-major order, writable. Writing here is not recorded by autodiff: use it for data and for
    /// parameter updates, not inside a computation you will differentiate.
    /// </summary>
    public Span<T> Data => Buffer;

    internal T[] Buffer => _data ?? ThrowDisposed();

    /// <summary>An optional name, shown in graph drawings and error messages.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (parameters); results of recorded operations
    /// require a gradient when any input does.
    /// </summary>
    /// <exception cref="InvalidOperationException">Setting it to false on a result of a recorded operation.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!value && IsComputed)
                throw new InvalidOperationException("RequiresGrad cannot be turned off on the result of a recorded operation; use Detach() to get a constant copy.");
            _requiresGrad = value;
        }
    }

    /// <summary>True for a tensor not produced by a recorded operation (data, parameters).</summary>
    public bool IsLeaf => !IsComputed;

    /// <summary>
    /// The node of the recorded operation that produced this tensor, or null for a leaf. A binary operation's node is
    /// made on first request from the record kept in the tensor (<see cref="AttachBinary"/>); setting it replaces any record.
    /// </summary>
    internal Node<T>? Node
    {
        get => _node ?? (_binaryOp is null ? null : MakeBinaryNode());
        set
        {
            _node = value;
            _binaryOp = null;
            _inputA = _inputB = null;
        }
    }

    /// <summary>True for the result of a recorded operation (without making its node).</summary>
    internal bool IsComputed => _node is not null || _binaryOp is not null;

    /// <summary>The binary operation recorded on this tensor whose node is not made yet, or null.</summary>
    internal Ops.BinaryOp<T>? BinaryOp => _binaryOp;

    /// <summary>The inputs of <see cref="BinaryOp"/>.</summary>
    internal Tensor<T> InputA => _inputA!;

    /// <summary>The inputs of <see cref="BinaryOp"/>.</summary>
    internal Tensor<T> InputB => _inputB!;

    /// <summary>Whether a backward pass without retainGraph went through <see cref="BinaryOp"/>.</summary>
    internal bool BinaryFreed => _binaryFreed;

    /// <summary>Marks <see cref="BinaryOp"/> as gone through (as <see cref="Node{T}.Release"/>).</summary>
    internal void ReleaseBinary() => _binaryFreed = true;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Node<T> MakeBinaryNode()
    {
        var node = _binaryOp!.MakeNode(_inputA!, _inputB!, _binaryFreed);
        Node = node;
        return node;
    }

    /// <summary>The accumulated gradient of the last <see cref="Backward(bool, bool)"/> calls, or null before the first.</summary>
    /// <remarks>A gradient stored here outlives any <see cref="TensorScope"/> it was made in.</remarks>
    public Tensor<T>? Grad
    {
        get => _grad;
        set
        {
            value?.Unscoped();
            _grad = value;
        }
    }

    /// <summary>The name of the operation that produced this tensor, or null for a leaf.</summary>
    public string? Operation => _binaryOp?.Name ?? _node?.Name;

    /// <summary>Marks this tensor as requiring a gradient and returns it (for fluent creation of parameters).</summary>
    public Tensor<T> WithGrad()
    {
        RequiresGrad = true;
        return this;
    }

    /// <summary>Sets the gradient to zero, keeping its buffer so repeated steps allocate nothing.</summary>
    public void ZeroGrad()
    {
        var grad = _grad;
        if (grad is null) return;
        if (grad.IsComputed) { _grad = null; return; }
        var g = grad.Buffer;
        if (g.Length == 1) g[0] = T.Zero; // a scalar parameter's step: no call into the span clearing
        else g.AsSpan().Clear();
    }

    /// <summary>The single value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more or fewer than one element.</exception>
    public T Item()
    {
        var data = Buffer;
        if (data.Length != 1)
            throw new InvalidOperationException($"Item() needs a tensor with exactly one element; this one has shape {Shapes.Format(_shape)}. Index or reduce it first.");
        return data[0];
    }

    /// <summary>The element at the given full index (one integer per dimension; negative counts from the end).</summary>
    public T GetValue(params int[] index) => Buffer[Offset(index)];

    /// <summary>Writes the element at the given full index. Not recorded by autodiff.</summary>
    public void SetValue(T value, params int[] index) => Buffer[Offset(index)] = value;

    private int Offset(int[] index)
    {
        if (index.Length != _shape.Length)
            throw new ArgumentException($"Index has {index.Length} components but the tensor has rank {_shape.Length} (shape {Shapes.Format(_shape)}).", nameof(index));
        int offset = 0;
        for (int i = 0; i < index.Length; i++)
        {
            int k = index[i] < 0 ? index[i] + _shape[i] : index[i];
            if ((uint)k >= (uint)_shape[i])
                throw new IndexOutOfRangeException($"Index {index[i]} is out of range for dimension {i} of size {_shape[i]}.");
            offset = offset * _shape[i] + k;
        }
        return offset;
    }

    /// <summary>A copy of the elements in row-major order.</summary>
    public T[] ToArray() => (T[])Buffer.Clone();

    /// <summary>The elements as doubles, in row-major order.</summary>
    public double[] ToDoubleArray()
    {
        var data = Buffer;
        var result = new double[data.Length];
        for (int i = 0; i < result.Length; i++) result[i] = double.CreateTruncating(data[i]);
        return result;
    }

    /// <summary>A constant copy with its own storage, outside any graph.</summary>
    public Tensor<T> Clone() => new((int[])_shape.Clone(), (T[])Buffer.Clone());

    /// <summary>A constant tensor sharing this tensor's storage, cut from the graph: gradients do not flow through it.</summary>
    public Tensor<T> Detach() => new(_shape, Buffer) { Name = Name };

    /// <summary>Converts to another element type (a constant copy when the type differs).</summary>
    public Tensor<TOther> Cast<TOther>() where TOther : unmanaged, IBinaryFloatingPointIeee754<TOther>
    {
        var source = Buffer;
        var data = new TOther[source.Length];
        for (int i = 0; i < data.Length; i++) data[i] = TOther.CreateTruncating(source[i]);
        return new Tensor<TOther>((int[])_shape.Clone(), data);
    }

    /// <summary>Prints the values with their shape, NumPy style (large tensors are summarised).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("tensor(");
        if (_shape.Length == 0) sb.Append(Format(Buffer[0]));
        else AppendNested(sb, 0, 0);
        if (_shape.Length > 0) sb.Append(", shape=").Append(Shapes.Format(_shape));
        if (Node is not null) sb.Append(", op=").Append(Node.Name);
        else if (RequiresGrad) sb.Append(", requires_grad");
        return sb.Append(')').ToString();
    }

    private void AppendNested(StringBuilder sb, int dim, int offset)
    {
        int n = _shape[dim];
        int stride = 1;
        for (int i = dim + 1; i < _shape.Length; i++) stride *= _shape[i];
        sb.Append('[');
        for (int i = 0; i < n; i++)
        {
            if (n > 12 && i == 6) { sb.Append("..., "); i = n - 6; }
            if (dim == _shape.Length - 1) sb.Append(Format(Buffer[offset + i]));
            else AppendNested(sb, dim + 1, offset + i * stride);
            if (i < n - 1) sb.Append(", ");
        }
        sb.Append(']');
    }

    private static string Format(T v) => double.CreateTruncating(v).ToString("G6", System.Globalization.CultureInfo.InvariantCulture);

    internal static T Cv(double v) => T.CreateTruncating(v);
}
