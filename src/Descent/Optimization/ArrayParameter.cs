using System.Numerics;

namespace Descent.Optimization;

/// <summary>
/// An <see cref="IOptimizable{T}"/> backed by two arrays: <see cref="Data"/> for the values and
/// <see cref="Grad"/> for the gradient, which the caller fills before each <see cref="Optimizer{T}.Step"/>.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
/// <example><code>
/// var w = new ArrayParameter&lt;double&gt;(100.0);
/// w.Grad[0] = 2 * w.Data[0];      // gradient of w²
/// </code></example>
public sealed class ArrayParameter<T> : IOptimizable<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Wraps <paramref name="values"/> (not copied) and allocates a zero gradient of the same length.</summary>
    /// <param name="values">The initial values; the array becomes <see cref="Data"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    public ArrayParameter(params T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Data = values;
        Grad = new T[values.Length];
    }

    /// <summary>The values, rewritten in place by the optimizer.</summary>
    public T[] Data { get; }

    /// <summary>The gradient, written by the caller.</summary>
    public T[] Grad { get; }

    /// <inheritdoc />
    public int Size => Data.Length;

    /// <inheritdoc />
    public Span<T> Values => Data;

    /// <inheritdoc />
    public ReadOnlySpan<T> Gradient => Grad;
}
