using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Optimization.Transforms;

/// <summary>
/// Gradient accumulation over k steps (optax <c>MultiSteps</c>): sums the incoming updates and emits zero updates
/// until k have been summed; then it hands their mean <c>(1/k)·Σ uⱼ</c> to the wrapped transform and emits its result.
/// The wrapped transform thus runs once every k steps, with its own step index (0, 1, 2, …), so its state
/// (momentum, Adam moments) only ever sees whole accumulated gradients.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class AccumulateGradients<T> : ICompositeTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IGradientTransform<T> _inner;
    private readonly T _k;
    private T[][] _sums = [];
    private int _accumulated;
    private long _innerSteps;

    /// <summary>Accumulates <paramref name="steps"/> gradients before each run of <paramref name="inner"/>.</summary>
    /// <param name="steps">k &gt;= 1.</param>
    /// <param name="inner">The optimizer chain to run on the mean gradient.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is below 1.</exception>
    public AccumulateGradients(int steps, IGradientTransform<T> inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Steps = (int)Require.AtLeast(steps, 1, nameof(steps));
        _inner = inner;
        _k = T.CreateTruncating(steps);
    }

    /// <summary>k.</summary>
    public int Steps { get; }

    /// <summary>How many gradients are in the current, unfinished window.</summary>
    public int Accumulated => _accumulated;

    /// <inheritdoc />
    public IReadOnlyList<IGradientTransform<T>> Inner => [_inner];

    /// <inheritdoc />
    public void Initialize(IReadOnlyList<int> parameterSizes)
    {
        _sums = ParameterArrays.Allocate<T>(parameterSizes);
        _accumulated = 0;
        _innerSteps = 0;
        _inner.Initialize(parameterSizes);
    }

    /// <inheritdoc />
    public void Update(ParameterBuffers<T> buffers, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        _accumulated++;
        bool emit = _accumulated == Steps;
        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            Span<T> sum = _sums[i];
            TensorPrimitives.Add(sum, u, sum);
            if (emit)
            {
                TensorPrimitives.Divide(sum, _k, u);
                sum.Clear();
            }
            else
            {
                u.Clear();
            }
        }

        if (emit)
        {
            _accumulated = 0;
            _inner.Update(buffers, _innerSteps++);
        }
    }

    /// <inheritdoc />
    public TransformState GetState()
    {
        var arrays = new Dictionary<string, double[]>();
        ParameterArrays.Save(arrays, "sum", _sums);
        var own = new TransformState(arrays, new Dictionary<string, double> { ["accumulated"] = _accumulated, ["innerSteps"] = _innerSteps });
        return TransformState.Merge(own, _inner.GetState().WithPrefix("inner."));
    }

    /// <inheritdoc />
    public void LoadState(TransformState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ParameterArrays.Load(state, "sum", _sums);
        _accumulated = (int)state.Scalar("accumulated");
        _innerSteps = (long)state.Scalar("innerSteps");
        _inner.LoadState(state.Scope("inner."));
    }
}
