using System.Numerics;

namespace Descent.Optimization;

/// <summary>
/// A tensor as an <see cref="IOptimizable{T}"/>: its data are the values, its gradient the gradient. The adapter lives
/// here, not on <see cref="Tensor{T}"/>, so that the tensor layer knows nothing of optimization (docs/architecture.md).
/// <see cref="Optimizer{T}"/>'s constructor for tensors wraps each one.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class TensorParameter<T> : IOptimizable<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Wraps <paramref name="tensor"/> (not copied).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    public TensorParameter(Tensor<T> tensor) => Tensor = tensor ?? throw new ArgumentNullException(nameof(tensor));

    /// <summary>The wrapped tensor, whose data the optimizer rewrites in place.</summary>
    public Tensor<T> Tensor { get; }

    /// <inheritdoc />
    public int Size => Tensor.Size;

    /// <inheritdoc />
    public Span<T> Values => Tensor.Buffer;

    /// <inheritdoc />
    public ReadOnlySpan<T> Gradient => Tensor.Grad is null ? ReadOnlySpan<T>.Empty : Tensor.Grad.Buffer;
}
