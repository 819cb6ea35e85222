using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Optimization.Transforms;

/// <summary>
/// Rescales all updates together when their global norm exceeds a maximum:
/// <c>n = √(Σᵢ‖uᵢ‖²)</c>; if <c>n &gt; c</c> then <c>uᵢ ← uᵢ·c/n</c> (optax semantics; directions are kept).
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ClipByGlobalNorm<T> : GradientTransform<T, ClipByGlobalNorm<T>.State>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Clips to global norm <paramref name="maxNorm"/>.</summary>
    /// <param name="maxNorm">c, finite and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not finite and positive.</exception>
    public ClipByGlobalNorm(double maxNorm) => MaxNorm = Require.Positive(maxNorm, nameof(maxNorm));

    /// <summary>c.</summary>
    public double MaxNorm { get; }


    /// <summary>What the clip saw: the norm of the last update (not saved in snapshots; NaN before the first).</summary>
    public sealed class State : ITransformState
    {
        /// <summary>The global norm of the last update before clipping.</summary>
        public double LastNorm { get; internal set; } = double.NaN;

        /// <inheritdoc />
        public TransformState Save() => TransformState.Empty;

        /// <inheritdoc />
        public void Load(TransformState saved)
        {
        }
    }

    /// <inheritdoc />
    public override State Init(IReadOnlyList<int> parameterSizes) => new();

    /// <inheritdoc />
    public override void Update(ParameterBuffers<T> buffers, State state, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(state);
        double sumOfSquares = 0;
        for (int i = 0; i < buffers.Count; i++)
        {
            sumOfSquares += double.CreateTruncating(TensorPrimitives.SumOfSquares<T>(buffers.Updates(i)));
        }

        double norm = Math.Sqrt(sumOfSquares);
        state.LastNorm = norm;
        if (!(norm > MaxNorm))
        {
            return;
        }

        T factor = T.CreateTruncating(MaxNorm / norm);
        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            TensorPrimitives.Multiply(u, factor, u);
        }
    }
}
