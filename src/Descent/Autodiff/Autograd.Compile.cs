using System.Numerics;
using Descent.Autodiff;

namespace Descent;

public static partial class Autograd
{
    /// <summary>
    /// Traces <paramref name="loss"/> once (runs it with the engine, recording the graph) and compiles the graph into a
    /// program that computes the loss and the gradient of every parameter it uses, allocating nothing per call:
    /// <code>
    /// var w = Tensor.Scalar(10.0).WithGrad();
    /// var step = Autograd.Compile(() =&gt; w * w);
    /// double loss = step.Step(0.3);   // loss, w.Grad = 2w, then w -= 0.3·w.Grad
    /// </code>
    /// Parameters are the leaves that require a gradient; every leaf is bound by reference (its elements are read at
    /// each call). See <see cref="CompiledGradient{T}"/> for what is supported and the binding rules.
    /// </summary>
    /// <param name="loss">A function returning a scalar (one-element) loss computed from tensors that require gradients.</param>
    /// <exception cref="NotSupportedException">The function used an operation the compiler does not support (it names the operation); use the eager engine (<c>loss.Backward()</c>) for it.</exception>
    /// <exception cref="GradientException">The result is not a scalar or does not require a gradient.</exception>
    public static CompiledGradient<T> Compile<T>(Func<Tensor<T>> loss) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(loss);
        Tensor<T> root;
        using (EnableGrad()) root = loss();
        if (root is null) throw new ArgumentException("The loss function returned null.", nameof(loss));
        if (!root.RequiresGrad)
            throw new GradientException("Autograd.Compile: the loss does not require a gradient: no input of the computation had WithGrad().");
        if (root.Size != 1)
            throw new GradientException($"Autograd.Compile needs a scalar (one-element) loss, but the function returned shape {Shapes.Format(root.Shape)}. Reduce it (for example with Sum() or Mean()).");
        return new CompiledGradient<T>(GraphCompiler<T>.Build(root));
    }
}
