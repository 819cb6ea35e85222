using System.Numerics;

namespace Descent.Autodiff;

/// <summary>
/// The record of one operation in the graph: its inputs and how a gradient flows back through it.
/// Vector–Jacobian products are written with tensor operations, so running them with recording on
/// builds the graph of the gradient itself — that is how higher-order derivatives come about.
/// </summary>
internal abstract class Node<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    protected Node(string name) => Name = name;

    /// <summary>The operation's name, as shown in errors and graph drawings.</summary>
    public string Name { get; }

    /// <summary>Set once a backward pass without <c>retainGraph</c> went through this node.</summary>
    public bool Freed { get; private set; }

    public abstract int InputCount { get; }

    public abstract Tensor<T> Input(int index);

    /// <summary>
    /// Sends the gradient of each input to <paramref name="sink"/>; <paramref name="grad"/> has the output's shape.
    /// Gradients may have the broadcast shape: the engine reduces them to each input's shape.
    /// </summary>
    public abstract void Backward(Tensor<T> grad, Tensor<T> output, GradientSink<T> sink);

    /// <summary>Drops the saved tensors so the graph can be collected.</summary>
    public virtual void Release() => Freed = true;

    /// <summary>
    /// The Jacobian–vector product of this operation: the tangent of its output given a tangent per input (null: zero,
    /// the input is a constant in this forward pass). The primitives that declare a JVP beside their VJP use it; the
    /// others fall back on <see cref="TransposeJvp"/>.
    /// </summary>
    public virtual Tensor<T> Jvp(Tensor<T>?[] tangents, Tensor<T> output) => TransposeJvp(tangents, output);

    /// <summary>Whether this node declares its JVP (rather than deriving it from its VJP).</summary>
    public virtual bool DeclaresJvp => false;

    /// <summary>
    /// The JVP derived from the VJP, which is linear in the upstream gradient u: J·v = ∂/∂u ⟨Jᵀu, v⟩. Runs the VJP once
    /// with a recorded u and differentiates the inner product — exact, but a backward pass of the VJP per forward step,
    /// so primitives declare their own JVP where it matters.
    /// </summary>
    protected Tensor<T> TransposeJvp(Tensor<T>?[] tangents, Tensor<T> output)
    {
        using var recording = Autograd.EnableGrad();
        var u = new Tensor<T>(output.ShapeArray).WithGrad();
        var sink = new CollectingSink<T>();
        Backward(u, output, sink);
        Tensor<T>? product = null;
        var seen = new HashSet<Tensor<T>>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < InputCount; i++)
        {
            // An input used twice gets one gradient (the sink sums both uses) and one tangent: count it once.
            if (!seen.Add(Input(i)) || tangents[i] is not { } v || sink.Find(Input(i)) is not { } g) continue;
            var term = (g * v).Sum();
            product = product is null ? term : product + term;
        }
        if (product is null || !product.RequiresGrad) return new Tensor<T>(output.ShapeArray);
        return Autograd.Grad(product, [u], retainGraph: true)[0].Detach(); // the VJP may reach into the forward graph: keep it
    }
}

/// <summary>Keeps the gradients a node's VJP sends to its inputs, reduced to each input's shape (for <see cref="Node{T}.TransposeJvp"/>).</summary>
internal sealed class CollectingSink<T> : GradientSink<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly List<(Tensor<T> Input, Tensor<T> Grad)> _grads = [];

    public override void Send(Tensor<T> input, Tensor<T> grad)
    {
        if (!Shapes.Equal(grad.ShapeRef, input.ShapeRef)) grad = grad.SumTo(input.ShapeRef);
        for (int i = 0; i < _grads.Count; i++)
            if (ReferenceEquals(_grads[i].Input, input))
            {
                _grads[i] = (input, _grads[i].Grad + grad);
                return;
            }
        _grads.Add((input, grad));
    }

    public Tensor<T>? Find(Tensor<T> input)
    {
        foreach (var (i, g) in _grads)
            if (ReferenceEquals(i, input)) return g;
        return null;
    }
}

/// <summary>Receives the gradients a node sends to its inputs.</summary>
internal abstract class GradientSink<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public abstract void Send(Tensor<T> input, Tensor<T> grad);

    /// <summary>
    /// The buffer a node may add <paramref name="input"/>'s gradient into directly instead of sending it — a leaf's own
    /// <see cref="Tensor{T}.Grad"/> in a plain backward pass (no higher order, nothing captured, no anomaly checks) — or
    /// null, and the node sends the gradient as usual. Lets MatMul accumulate a weight gradient with no temporary.
    /// </summary>
    public virtual Tensor<T>? DirectTarget(Tensor<T> input) => null;

    /// <summary>
    /// Whether a node may send one-element gradients as plain numbers (<see cref="SendScalar"/>): not when the backward
    /// pass itself is recorded (higher-order derivatives need the tensor operations).
    /// </summary>
    public virtual bool AcceptsScalars => false;

    /// <summary>Sends the one-element gradient <paramref name="value"/> of a one-element <paramref name="input"/>.</summary>
    public virtual void SendScalar(Tensor<T> input, T value) => Send(input, new Tensor<T>(input.ShapeRef, [value]));
}

/// <summary>A node with one input and a VJP of (upstream, input, output).</summary>
internal sealed class UnaryNode<T>(string name, Tensor<T> x, Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> vjp,
    Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>>? jvp = null) : Node<T>(name)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private Tensor<T> _x = x;
    private Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>>? _vjp = vjp;
    private readonly Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>>? _jvp = jvp;

    public override bool DeclaresJvp => _jvp is not null;

    /// <summary>The declared JVP (tangent of x, x, y) ↦ tangent of y, or the transpose of the VJP.</summary>
    public override Tensor<T> Jvp(Tensor<T>?[] tangents, Tensor<T> output)
        => tangents[0] is not { } t ? new Tensor<T>(output.ShapeArray)
            : _jvp is null ? TransposeJvp(tangents, output) : Forward.Shaped(_jvp(t, _x, output), output);

    public override int InputCount => 1;
    public override Tensor<T> Input(int index) => _x;

    public override void Backward(Tensor<T> grad, Tensor<T> output, GradientSink<T> sink) => sink.Send(_x, _vjp!(grad, _x, output));

    public override void Release()
    {
        base.Release();
        _vjp = null;
    }
}

/// <summary>A node with two inputs; each input's VJP of (upstream, a, b, output) runs only when that input needs it.</summary>
/// <remarks>
/// Optional scalar VJPs (the same rules on plain numbers) serve one-element operands in a plain backward pass: the
/// gradients then go to the sink as numbers, with no tensor per VJP (the eager engine's cost on tiny problems).
/// </remarks>
internal sealed class BinaryNode<T>(string name, Tensor<T> a, Tensor<T> b,
    Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> vjpA,
    Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> vjpB,
    Func<T, T, T, T, T>? scalarA = null, Func<T, T, T, T, T>? scalarB = null,
    Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>>? jvpA = null,
    Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>>? jvpB = null) : Node<T>(name)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Tensor<T> _a = a, _b = b;
    private Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>>? _vjpA = vjpA, _vjpB = vjpB;
    private readonly Func<T, T, T, T, T>? _scalarA = scalarA, _scalarB = scalarB;
    private readonly Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>>? _jvpA = jvpA, _jvpB = jvpB;

    public override bool DeclaresJvp => _jvpA is not null && _jvpB is not null;

    /// <summary>
    /// The declared JVPs, one per input: (tangent of that input, a, b, y) ↦ its part of the tangent of y, summed (each
    /// broadcast to y's shape); or the transpose of the VJPs.
    /// </summary>
    public override Tensor<T> Jvp(Tensor<T>?[] tangents, Tensor<T> output)
    {
        if (!DeclaresJvp) return TransposeJvp(tangents, output);
        Tensor<T>? sum = null;
        if (tangents[0] is { } ta) sum = _jvpA!(ta, _a, _b, output);
        if (tangents[1] is { } tb) sum = sum is null ? _jvpB!(tb, _a, _b, output) : sum + _jvpB!(tb, _a, _b, output);
        return sum is null ? new Tensor<T>(output.ShapeArray) : Forward.Shaped(sum, output);
    }

    public override int InputCount => 2;
    public override Tensor<T> Input(int index) => index == 0 ? _a : _b;

    public override void Backward(Tensor<T> grad, Tensor<T> output, GradientSink<T> sink)
    {
        if (_scalarA is not null && _scalarB is not null && grad.Size == 1 && _a.Size == 1 && _b.Size == 1 && output.Size == 1
            && sink.AcceptsScalars)
        {
            T g = grad.Buffer[0], a = _a.Buffer[0], b = _b.Buffer[0], y = output.Buffer[0];
            if (_a.RequiresGrad) sink.SendScalar(_a, _scalarA(g, a, b, y));
            if (_b.RequiresGrad) sink.SendScalar(_b, _scalarB(g, a, b, y));
            return;
        }
        if (_a.RequiresGrad) sink.Send(_a, _vjpA!(grad, _a, _b, output));
        if (_b.RequiresGrad) sink.Send(_b, _vjpB!(grad, _a, _b, output));
    }

    public override void Release()
    {
        base.Release();
        _vjpA = null;
        _vjpB = null;
    }
}

/// <summary>A node with any number of inputs and a VJP closure returning one gradient (or null) per input.</summary>
internal sealed class ListNode<T>(string name, Tensor<T>[] inputs, Func<Tensor<T>, Tensor<T>?[]> vjp, Func<Tensor<T>[], Tensor<T>>? jvp = null) : Node<T>(name)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Tensor<T>[] _inputs = inputs;
    private Func<Tensor<T>, Tensor<T>?[]>? _vjp = vjp;
    private readonly Func<Tensor<T>[], Tensor<T>>? _jvp = jvp;

    public override bool DeclaresJvp => _jvp is not null;

    /// <summary>The declared JVP (a tangent per input, zeros for constants ↦ tangent of y), or the transpose of the VJP.</summary>
    public override Tensor<T> Jvp(Tensor<T>?[] tangents, Tensor<T> output)
        => _jvp is null ? TransposeJvp(tangents, output)
            : Forward.Shaped(_jvp(tangents.Select((t, i) => t ?? new Tensor<T>(_inputs[i].ShapeArray)).ToArray()), output);

    public override int InputCount => _inputs.Length;
    public override Tensor<T> Input(int index) => _inputs[index];

    public override void Backward(Tensor<T> grad, Tensor<T> output, GradientSink<T> sink)
    {
        var grads = _vjp!(grad);
        for (int i = 0; i < _inputs.Length; i++)
            if (grads[i] is { } g && _inputs[i].RequiresGrad) sink.Send(_inputs[i], g);
    }

    public override void Release()
    {
        base.Release();
        _vjp = null;
    }
}
