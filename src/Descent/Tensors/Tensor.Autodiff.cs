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

    /// <summary>
    /// Records a binary operation on a freshly computed result, making it part of the graph: the op record and its inputs
    /// are kept in the tensor, and the node object is made only when asked for.
    /// </summary>
    internal Tensor<T> AttachBinary(Ops.BinaryOp<T> op, Tensor<T> a, Tensor<T> b)
    {
        _binaryOp = op;
        _inputA = a;
        _inputB = b;
        _requiresGrad = true;
        if (Autograd.IsDetectingAnomalies) Anomaly.Check(this, op.Name, "forward");
        return this;
    }

    /// <summary>Attaches a node to a freshly computed result, making it part of the graph.</summary>
    internal Tensor<T> Attach(Node<T> node)
    {
        Node = node;
        _requiresGrad = true;
        if (Autograd.IsDetectingAnomalies) Anomaly.Check(this, node.Name, "forward");
        return this;
    }
}
