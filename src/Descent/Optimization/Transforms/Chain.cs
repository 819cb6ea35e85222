using System.Numerics;

namespace Descent.Optimization.Transforms;

/// <summary>Runs transforms one after another on the same update buffers: <c>u ← tₙ(…t₂(t₁(u)))</c>.</summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
/// <example><code>var adamW = Transform.Chain(new ScaleByAdam&lt;double&gt;(), new AddWeightDecay&lt;double&gt;(0.01), new ScaleByLearningRate&lt;double&gt;(1e-3));</code></example>
public sealed class Chain<T> : ICompositeTransform<T>
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

    /// <inheritdoc />
    public void Initialize(IReadOnlyList<int> parameterSizes)
    {
        foreach (var t in _transforms)
        {
            t.Initialize(parameterSizes);
        }
    }

    /// <inheritdoc />
    public void Update(ParameterBuffers<T> buffers, long step)
    {
        foreach (var t in _transforms)
        {
            t.Update(buffers, step);
        }
    }

    /// <inheritdoc />
    public TransformState GetState() => TransformState.Merge(_transforms.Select((t, k) => t.GetState().WithPrefix($"{k}.")));

    /// <inheritdoc />
    public void LoadState(TransformState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        for (int k = 0; k < _transforms.Length; k++)
        {
            _transforms[k].LoadState(state.Scope($"{k}."));
        }
    }
}
