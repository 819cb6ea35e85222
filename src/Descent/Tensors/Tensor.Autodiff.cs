using Descent.Autodiff;

namespace Descent;

public sealed partial class Tensor<T>
{
    /// <summary>
    /// Back-propagates from this scalar: adds ∂this/∂x to <see cref="Grad"/> of every leaf x that requires a gradient.
    /// Gradients accumulate across calls until <see cref="ZeroGrad"/>. The graph is freed afterwards unless
    /// <paramref name="retainGraph"/>; with <paramref name="createGraph"/> the gradients are recorded so they can be
    /// differentiated again (higher-order derivatives; the graph is then retained).
    /// </summary>
    /// <exception cref="GradientException">This is not a scalar, does not require a gradient, or its graph was freed.</exception>
    public void Backward(bool retainGraph = false, bool createGraph = false)
        => Engine<T>.Run(this, null, createGraph, retainGraph || createGraph, accumulateIntoLeaves: true, capture: null);

    /// <summary>Back-propagates an explicit upstream gradient (same shape as this tensor) from a non-scalar result.</summary>
    public void Backward(Tensor<T> upstream, bool retainGraph = false, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        Engine<T>.Run(this, upstream, createGraph, retainGraph || createGraph, accumulateIntoLeaves: true, capture: null);
    }

    /// <summary>True when an operation on these inputs must be recorded.</summary>
    internal static bool ShouldRecord(Tensor<T> a) => a._requiresGrad && Autograd.IsRecording;

    internal static bool ShouldRecord(Tensor<T> a, Tensor<T> b) => (a._requiresGrad || b._requiresGrad) && Autograd.IsRecording;

    /// <summary>Attaches a node to a freshly computed result, making it part of the graph.</summary>
    internal Tensor<T> Attach(Node<T> node)
    {
        Node = node;
        _requiresGrad = true;
        if (Autograd.IsDetectingAnomalies) Anomaly.Check(this, node.Name, "forward");
        return this;
    }

    /// <summary>
    /// Records a unary operation on <paramref name="x"/> when needed, with its JVP (tangent, x, y) ↦ tangent of y. An
    /// element-wise operation declares <paramref name="diagonal"/> instead: its Jacobian is diagonal, hence symmetric,
    /// so its JVP is its VJP applied to the tangent.
    /// </summary>
    internal static Tensor<T> Record(Tensor<T> result, string name, Tensor<T> x, Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> vjp,
        Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>>? jvp = null, bool diagonal = false)
        => ShouldRecord(x) ? result.Attach(new UnaryNode<T>(name, x, vjp, diagonal ? vjp : jvp)) : result;

    /// <summary>
    /// Records a binary operation when needed; an element-wise operation declares <paramref name="diagonal"/>: each
    /// input's Jacobian is diagonal (after broadcasting), so its JVP is its VJP applied to the tangent.
    /// </summary>
    internal static Tensor<T> Record(Tensor<T> result, string name, Tensor<T> a, Tensor<T> b,
        Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> vjpA,
        Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> vjpB, bool diagonal = false)
        => ShouldRecord(a, b) ? result.Attach(new BinaryNode<T>(name, a, b, vjpA, vjpB, jvpA: diagonal ? vjpA : null, jvpB: diagonal ? vjpB : null)) : result;

    /// <summary>
    /// Records a binary operation with, besides its tensor VJPs, the same rules on plain numbers (g, a, b, y) for
    /// one-element operands: a plain backward pass then adds them straight into the leaves' gradients (no tensors).
    /// They must compute exactly what the tensor VJPs compute, operation by operation.
    /// </summary>
    internal static Tensor<T> Record(Tensor<T> result, string name, Tensor<T> a, Tensor<T> b,
        Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> vjpA,
        Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> vjpB,
        Func<T, T, T, T, T> scalarA, Func<T, T, T, T, T> scalarB, bool diagonal = false)
        => ShouldRecord(a, b) ? result.Attach(new BinaryNode<T>(name, a, b, vjpA, vjpB, scalarA, scalarB, diagonal ? vjpA : null, diagonal ? vjpB : null)) : result;

    /// <summary>Records an operation on several inputs when any of them requires a gradient.</summary>
    internal static Tensor<T> Record(Tensor<T> result, string name, Tensor<T>[] inputs, Func<Tensor<T>, Tensor<T>?[]> vjp, Func<Tensor<T>[], Tensor<T>>? jvp = null)
    {
        if (!Autograd.IsRecording) return result;
        foreach (var t in inputs)
            if (t._requiresGrad) return result.Attach(new ListNode<T>(name, inputs, vjp, jvp));
        return result;
    }
}
