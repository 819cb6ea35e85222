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
public sealed class AccumulateGradients<T> : GradientTransform<T, AccumulateGradients<T>.State>, ICompositeTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IGradientTransform<T> _inner;
    private readonly T _k;

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


    /// <inheritdoc />
    public IReadOnlyList<IGradientTransform<T>> Inner => [_inner];

    /// <summary>The running sums, how many gradients they hold, the inner transform's step count and its state.</summary>
    public sealed class State : ITransformState
    {
        internal State(IReadOnlyList<int> sizes, ITransformState inner)
        {
            Sums = ParameterArrays.Allocate<T>(sizes);
            Inner = inner;
        }

        internal T[][] Sums { get; }

        /// <summary>The gradients summed since the last emitted update.</summary>
        public int Accumulated { get; internal set; }

        /// <summary>The updates the inner transform has made.</summary>
        public long InnerSteps { get; internal set; }

        /// <summary>The inner transform's state.</summary>
        public ITransformState Inner { get; }

        /// <inheritdoc />
        public TransformState Save()
        {
            var arrays = new Dictionary<string, double[]>();
            ParameterArrays.Save(arrays, "sum", Sums);
            var own = new TransformState(arrays, new Dictionary<string, double> { ["accumulated"] = Accumulated, ["innerSteps"] = InnerSteps });
            return TransformState.Merge(own, Inner.Save().WithPrefix("inner."));
        }

        /// <inheritdoc />
        public void Load(TransformState saved)
        {
            ArgumentNullException.ThrowIfNull(saved);
            ParameterArrays.Load(saved, "sum", Sums);
            Accumulated = (int)saved.Scalar("accumulated");
            InnerSteps = (long)saved.Scalar("innerSteps");
            Inner.Load(saved.Scope("inner."));
        }
    }

    /// <inheritdoc />
    public override State Init(IReadOnlyList<int> parameterSizes) => new(parameterSizes, _inner.Init(parameterSizes));

    /// <inheritdoc />
    public IReadOnlyList<ITransformState> InnerStates(ITransformState state) => [Typed(state).Inner];

    /// <inheritdoc />
    public override void Update(ParameterBuffers<T> buffers, State state, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(state);
        state.Accumulated++;
        bool emit = state.Accumulated == Steps;
        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            Span<T> sum = state.Sums[i];
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
            state.Accumulated = 0;
            _inner.Update(buffers, state.Inner, state.InnerSteps++);
        }
    }
}
