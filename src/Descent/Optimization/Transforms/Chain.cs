using System.Numerics;

namespace Descent.Optimization.Transforms;

/// <summary>Runs transforms one after another on the same update buffers: <c>u ← tₙ(…t₂(t₁(u)))</c>.</summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
/// <example><code>var adamW = Transform.Chain(new ScaleByAdam&lt;double&gt;(), new AddWeightDecay&lt;double&gt;(0.01), new ScaleByLearningRate&lt;double&gt;(1e-3));</code></example>
public sealed class Chain<T> : GradientTransform<T, Chain<T>.State>, ICompositeTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IGradientTransform<T>[] _transforms;

    /// <summary>Chains <paramref name="transforms"/> in order.</summary>
    /// <param name="transforms">The transforms; none may be null.</param>
    public Chain(params IGradientTransform<T>[] transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        for (int i = 0; i < transforms.Length; i++)
        {
            if (transforms[i] is null)
            {
                throw new ArgumentNullException(nameof(transforms), $"Transform {i} of the chain is null.");
            }
        }

        _transforms = (IGradientTransform<T>[])transforms.Clone();
    }

    /// <inheritdoc />
    public IReadOnlyList<IGradientTransform<T>> Inner => _transforms;

    /// <summary>The states of the chained transforms, in order.</summary>
    public sealed class State(ITransformState[] parts) : ITransformState
    {
        /// <summary>One state per transform of the chain.</summary>
        public IReadOnlyList<ITransformState> Parts => parts;

        /// <summary>The entries of the k-th state prefixed with <c>"{k}."</c>.</summary>
        /// <returns>The snapshot.</returns>
        public TransformState Save() => TransformState.Merge(parts.Select((p, k) => p.Save().WithPrefix($"{k}.")));

        /// <inheritdoc />
        public void Load(TransformState saved)
        {
            ArgumentNullException.ThrowIfNull(saved);
            for (int k = 0; k < parts.Length; k++) parts[k].Load(saved.Scope($"{k}."));
        }
    }

    /// <inheritdoc />
    public override State Init(IReadOnlyList<int> parameterSizes) => new([.. _transforms.Select(t => t.Init(parameterSizes))]);

    /// <inheritdoc />
    public override void Update(ParameterBuffers<T> buffers, State state, long step)
    {
        ArgumentNullException.ThrowIfNull(state);
        for (int k = 0; k < _transforms.Length; k++)
        {
            _transforms[k].Update(buffers, state.Parts[k], step);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ITransformState> InnerStates(ITransformState state) => Typed(state).Parts;
}
