using System.Numerics;

namespace Descent.Optimization;

/// <summary>
/// One small step of an optimizer (optax design): it rewrites the update buffers of all parameters at once,
/// keeping whatever state it needs explicitly. Optimizers are <see cref="Transforms.Chain{T}"/>s of these, e.g.
/// AdamW = scale by Adam, add decayed weights, scale by the learning rate. The optimizer then applies
/// <c>p ← p + u</c>, so the learning-rate transform scales by <c>−η</c>.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IGradientTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates fresh state (zeros, step counts reset) for parameters of the given sizes.</summary>
    /// <param name="parameterSizes">The number of elements of each parameter, in order.</param>
    void Initialize(IReadOnlyList<int> parameterSizes);

    /// <summary>Rewrites <see cref="ParameterBuffers{T}.Updates"/> in place for every parameter.</summary>
    /// <param name="buffers">The updates (initially the gradients) and the current parameter values.</param>
    /// <param name="step">The 0-based index of this update: the number of updates made before it. Schedules are evaluated at it.</param>
    void Update(ParameterBuffers<T> buffers, long step);

    /// <summary>A snapshot of the state, exact to the bit.</summary>
    TransformState GetState();

    /// <summary>Restores a state produced by <see cref="GetState"/> on a transform of the same configuration and sizes.</summary>
    /// <param name="state">The saved state.</param>
    /// <exception cref="ArgumentException">An entry is missing or has the wrong length.</exception>
    void LoadState(TransformState state);
}
