using System.Numerics;

namespace Descent.Optimization.Transforms;

/// <summary>
/// Guards against NaN and ±∞: if any incoming update element of any parameter is not finite, all updates of this
/// step are set to zero, <see cref="State.SkippedSteps"/> is incremented and the wrapped transform is not run (so its
/// state is untouched, as optax <c>apply_if_finite</c>). Otherwise the wrapped transform runs with its own step
/// index, counting only the steps it saw. Without a wrapped transform it only checks and zeroes.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class SkipNonFinite<T> : GradientTransform<T, SkipNonFinite<T>.State>, ICompositeTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IGradientTransform<T>? _inner;

    /// <summary>Guards <paramref name="inner"/> (or, when null, just the updates) against non-finite values.</summary>
    /// <param name="inner">The transform to run on finite updates, or null.</param>
    public SkipNonFinite(IGradientTransform<T>? inner = null) => _inner = inner;


    /// <inheritdoc />
    public IReadOnlyList<IGradientTransform<T>> Inner => _inner is null ? [] : [_inner];

    /// <summary>The steps skipped, the inner transform's step count and its state.</summary>
    public sealed class State(ITransformState? inner) : ITransformState
    {
        /// <summary>The steps zeroed because an update was not finite.</summary>
        public long SkippedSteps { get; internal set; }

        /// <summary>The updates the inner transform has made.</summary>
        public long InnerSteps { get; internal set; }

        /// <summary>The inner transform's state (null without one).</summary>
        public ITransformState? Inner => inner;

        /// <inheritdoc />
        public TransformState Save()
        {
            var own = new TransformState(new Dictionary<string, double[]>(), new Dictionary<string, double> { ["skipped"] = SkippedSteps, ["innerSteps"] = InnerSteps });
            return inner is null ? own : TransformState.Merge(own, inner.Save().WithPrefix("inner."));
        }

        /// <inheritdoc />
        public void Load(TransformState saved)
        {
            ArgumentNullException.ThrowIfNull(saved);
            SkippedSteps = (long)saved.Scalar("skipped");
            InnerSteps = (long)saved.Scalar("innerSteps");
            inner?.Load(saved.Scope("inner."));
        }
    }

    /// <inheritdoc />
    public override State Init(IReadOnlyList<int> parameterSizes) => new(_inner?.Init(parameterSizes));

    /// <inheritdoc />
    public IReadOnlyList<ITransformState> InnerStates(ITransformState state) => Typed(state).Inner is { } inner ? [inner] : [];

    /// <inheritdoc />
    public override void Update(ParameterBuffers<T> buffers, State state, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(state);
        if (!AllFinite(buffers))
        {
            for (int i = 0; i < buffers.Count; i++)
            {
                buffers.Updates(i).Clear();
            }

            state.SkippedSteps++;
            return;
        }

        _inner?.Update(buffers, state.Inner!, state.InnerSteps++);
    }

    private static bool AllFinite(ParameterBuffers<T> buffers)
    {
        for (int i = 0; i < buffers.Count; i++)
        {
            foreach (T value in buffers.Updates(i))
            {
                if (!T.IsFinite(value))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
