using System.Numerics;

namespace Descent.Optimization;

/// <summary>
/// One small step of an optimizer (optax design): configuration only. <see cref="Init"/> creates the state it needs for
/// parameters of given sizes, and <see cref="Update"/> rewrites the update buffers of all parameters at once with that
/// state. The state belongs to whoever called <see cref="Init"/> (the <see cref="Optimizer{T}"/>), so one transform given
/// to two optimizers shares nothing. Optimizers are <see cref="Transforms.Chain{T}"/>s of these, e.g.
/// AdamW = scale by Adam, add decayed weights, scale by the learning rate. The optimizer then applies
/// <c>p ← p + u</c>, so the learning-rate transform scales by <c>−η</c>.
/// </summary>
/// <remarks>Implement it through <see cref="Transforms.GradientTransform{T, TState}"/> (typed state) or
/// <see cref="Transforms.StatelessTransform{T}"/>.</remarks>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IGradientTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Creates fresh state (zeros, step counts reset) for parameters of the given sizes.</summary>
    /// <param name="parameterSizes">The number of elements of each parameter, in order.</param>
    /// <returns>The state, to pass to every <see cref="Update"/>.</returns>
    ITransformState Init(IReadOnlyList<int> parameterSizes);

    /// <summary>Rewrites <see cref="ParameterBuffers{T}.Updates"/> in place for every parameter, advancing <paramref name="state"/>.</summary>
    /// <param name="buffers">The updates (initially the gradients) and the current parameter values.</param>
    /// <param name="state">The state from this transform's <see cref="Init"/>.</param>
    /// <param name="step">The 0-based index of this update: the number of updates made before it. Schedules are evaluated at it.</param>
    /// <exception cref="ArgumentException"><paramref name="state"/> was not made by this kind of transform.</exception>
    void Update(ParameterBuffers<T> buffers, ITransformState state, long step);
}

/// <summary>
/// The live state of a gradient transform, made by <see cref="IGradientTransform{T}.Init"/> and owned by the optimizer;
/// <see cref="Save"/> and <see cref="Load"/> convert it to and from its bit-exact snapshot (<see cref="TransformState"/>).
/// </summary>
public interface ITransformState
{
    /// <summary>A snapshot, exact to the bit.</summary>
    /// <returns>The snapshot.</returns>
    TransformState Save();

    /// <summary>Overwrites this state with a snapshot from <see cref="Save"/> of a transform of the same configuration and sizes.</summary>
    /// <param name="saved">The snapshot.</param>
    /// <exception cref="ArgumentException">An entry is missing or has the wrong length.</exception>
    void Load(TransformState saved);
}
