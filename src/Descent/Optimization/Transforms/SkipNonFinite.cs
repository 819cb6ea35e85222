using System.Numerics;

namespace Descent.Optimization.Transforms;

/// <summary>
/// Guards against NaN and ±∞: if any incoming update element of any parameter is not finite, all updates of this
/// step are set to zero, <see cref="SkippedSteps"/> is incremented and the wrapped transform is not run (so its
/// state is untouched, as optax <c>apply_if_finite</c>). Otherwise the wrapped transform runs with its own step
/// index, counting only the steps it saw. Without a wrapped transform it only checks and zeroes.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class SkipNonFinite<T> : ICompositeTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IGradientTransform<T>? _inner;
    private long _innerSteps;

    /// <summary>Guards <paramref name="inner"/> (or, when null, just the updates) against non-finite values.</summary>
    /// <param name="inner">The transform to run on finite updates, or null.</param>
    public SkipNonFinite(IGradientTransform<T>? inner = null) => _inner = inner;

    /// <summary>How many steps were skipped since initialization.</summary>
    public long SkippedSteps { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<IGradientTransform<T>> Inner => _inner is null ? [] : [_inner];

    /// <inheritdoc />
    public void Initialize(IReadOnlyList<int> parameterSizes)
    {
        SkippedSteps = 0;
        _innerSteps = 0;
        _inner?.Initialize(parameterSizes);
    }

    /// <inheritdoc />
    public void Update(ParameterBuffers<T> buffers, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        if (!AllFinite(buffers))
        {
            for (int i = 0; i < buffers.Count; i++)
            {
                buffers.Updates(i).Clear();
            }

            SkippedSteps++;
            return;
        }

        _inner?.Update(buffers, _innerSteps++);
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

    /// <inheritdoc />
    public TransformState GetState()
    {
        var own = new TransformState(new Dictionary<string, double[]>(), new Dictionary<string, double> { ["skipped"] = SkippedSteps, ["innerSteps"] = _innerSteps });
        return _inner is null ? own : TransformState.Merge(own, _inner.GetState().WithPrefix("inner."));
    }

    /// <inheritdoc />
    public void LoadState(TransformState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        SkippedSteps = (long)state.Scalar("skipped");
        _innerSteps = (long)state.Scalar("innerSteps");
        _inner?.LoadState(state.Scope("inner."));
    }
}
