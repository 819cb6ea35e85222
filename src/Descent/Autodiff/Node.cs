using System.Numerics;

namespace Descent.Autodiff;

/// <summary>
/// One operation in the graph: its op record (what was computed, with which parameters — see <see cref="Ops.Op{T}"/>)
/// and its inputs. The op record says how a gradient flows back; its vector–Jacobian products are written with tensor
/// operations, so running them with recording on builds the graph of the gradient itself — that is how higher-order
/// derivatives come about.
/// </summary>
internal abstract class Node<T>(Ops.Op<T> op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The operation and its parameters.</summary>
    public Ops.Op<T> Op { get; } = op;

    /// <summary>The operation's name, as shown in errors and graph drawings.</summary>
    public string Name => Op.Name;

    /// <summary>Set once a backward pass without <c>retainGraph</c> went through this node.</summary>
    public bool Freed { get; private set; }

    public abstract int InputCount { get; }

    public abstract Tensor<T> Input(int index);

    /// <summary>True when no input was computed (every input is a leaf or a constant): the engine's one-node fast path.</summary>
    public virtual bool InputsAreLeaves
    {
        get
        {
            for (int i = 0; i < InputCount; i++)
                if (Input(i).IsComputed) return false;
            return true;
        }
    }

    /// <summary>
    /// Sends the gradient of each input to <paramref name="sink"/>; <paramref name="grad"/> has the output's shape.
    /// Gradients may have the broadcast shape: the engine reduces them to each input's shape.
    /// </summary>
    public void Backward(Tensor<T> grad, Tensor<T> output, GradientSink<T> sink) => Op.Backward(this, grad, output, sink);

    /// <summary>
    /// Forward mode: the tangent of <paramref name="output"/> given a tangent per input (null: zero), from the op's
    /// declared JVP or, failing one, the transpose of its VJP (<c>Declared</c> says which).
    /// </summary>
    public (Tensor<T> Tangent, bool Declared) Jvp(Tensor<T>?[] tangents, Tensor<T> output) => Op.Tangent(this, tangents, output);

    /// <summary>Marks the node as gone through (a second backward pass through it is an error).</summary>
    public void Release() => Freed = true;
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

/// <summary>Keeps the gradients a node's VJP sends to its inputs, reduced to each input's shape (for the transposed JVP).</summary>
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

/// <summary>A node of a <see cref="Ops.UnaryOp{T}"/>.</summary>
internal sealed class UnaryNode<T>(Ops.UnaryOp<T> op, Tensor<T> x) : Node<T>(op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override int InputCount => 1;
    public override Tensor<T> Input(int index) => x;
}

/// <summary>A node of a <see cref="Ops.BinaryOp{T}"/>.</summary>
internal sealed class BinaryNode<T>(Ops.BinaryOp<T> op, Tensor<T> a, Tensor<T> b) : Node<T>(op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public Tensor<T> A => a;
    public Tensor<T> B => b;
    public override int InputCount => 2;
    public override Tensor<T> Input(int index) => index == 0 ? a : b;
    public override bool InputsAreLeaves => !a.IsComputed && !b.IsComputed;
}

/// <summary>A node of a <see cref="Ops.NaryOp{T}"/>.</summary>
internal sealed class ListNode<T>(Ops.NaryOp<T> op, Tensor<T>[] inputs) : Node<T>(op) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public Tensor<T>[] Inputs { get; } = inputs;
    public override int InputCount => Inputs.Length;
    public override Tensor<T> Input(int index) => Inputs[index];
}
