using System.Numerics;

namespace Descent.Optimization;

/// <summary>
/// One trainable parameter seen as flat storage: its values, which the optimizer rewrites in place,
/// and the gradient of the loss with respect to them, which the optimizer only reads.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// A tensor plugs in by exposing its contiguous storage and its gradient's storage; see
/// <see cref="ArrayParameter{T}"/> for the array-backed version.
/// </remarks>
public interface IOptimizable<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The number of elements; <see cref="Values"/> always has this length.</summary>
    int Size { get; }

    /// <summary>The parameter's values, updated in place by <see cref="Optimizer{T}.Step"/>.</summary>
    Span<T> Values { get; }

    /// <summary>
    /// The gradient, of length <see cref="Size"/>, or empty when the parameter has no gradient this step
    /// (the optimizer then treats it as all zeros).
    /// </summary>
    ReadOnlySpan<T> Gradient { get; }
}
