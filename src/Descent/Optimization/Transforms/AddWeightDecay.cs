using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Optimization.Transforms;

/// <summary>
/// Adds weight decay to the updates: <c>u ← u + λ·p</c>.
/// Placed <em>before</em> a preconditioner (momentum, Adam) it is the L2 penalty of SGD and Adam
/// (the gradient of <c>½λ‖p‖²</c> added to the gradient); placed <em>after</em> it and before the learning rate
/// it is decoupled weight decay (AdamW: <c>p ← p − η·λ·p − η·adam</c>).
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class AddWeightDecay<T> : StatelessTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _decay;

    /// <summary>Adds <paramref name="weightDecay"/>·p.</summary>
    /// <param name="weightDecay">λ, finite and &gt;= 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weightDecay"/> is negative or not finite.</exception>
    public AddWeightDecay(double weightDecay)
    {
        WeightDecay = Require.NonNegative(weightDecay, nameof(weightDecay));
        _decay = T.CreateTruncating(weightDecay);
    }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc />
    protected override void Apply(ParameterBuffers<T> buffers, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        if (WeightDecay == 0)
        {
            return;
        }

        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            TensorPrimitives.MultiplyAdd(buffers.Parameters(i), _decay, u, u);
        }
    }
}
