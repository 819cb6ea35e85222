using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Optimization.Transforms;

/// <summary>Clips every update element to [−c, c]: <c>u ← min(max(u, −c), c)</c>. NaN stays NaN.</summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ClipByValue<T> : StatelessTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _max;

    /// <summary>Clips to [−<paramref name="maxAbsoluteValue"/>, <paramref name="maxAbsoluteValue"/>].</summary>
    /// <param name="maxAbsoluteValue">c, finite and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAbsoluteValue"/> is not finite and positive.</exception>
    public ClipByValue(double maxAbsoluteValue)
    {
        MaxAbsoluteValue = Require.Positive(maxAbsoluteValue, nameof(maxAbsoluteValue));
        _max = T.CreateTruncating(maxAbsoluteValue);
    }

    /// <summary>c.</summary>
    public double MaxAbsoluteValue { get; }

    /// <inheritdoc />
    protected override void Apply(ParameterBuffers<T> buffers, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            TensorPrimitives.Min(u, _max, u);
            TensorPrimitives.Max(u, -_max, u);
        }
    }
}
