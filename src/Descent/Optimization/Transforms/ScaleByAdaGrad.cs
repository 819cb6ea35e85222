using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Optimization.Transforms;

/// <summary>
/// AdaGrad preconditioning (PyTorch semantics): <c>s ← s + u²</c>, <c>u ← u / (√s + ε)</c>.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ScaleByAdaGrad<T> : GradientTransform<T, ScaleByAdaGrad<T>.State>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _epsilon;
    private readonly T _initial;

    /// <summary>Creates the AdaGrad transform.</summary>
    /// <param name="epsilon">ε &gt;= 0, added outside the square root (PyTorch default 1e-10).</param>
    /// <param name="initialAccumulatorValue">The starting value of s, &gt;= 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative or not finite.</exception>
    public ScaleByAdaGrad(double epsilon = 1e-10, double initialAccumulatorValue = 0)
    {
        Epsilon = Require.NonNegative(epsilon, nameof(epsilon));
        InitialAccumulatorValue = Require.NonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
        _epsilon = T.CreateTruncating(epsilon);
        _initial = T.CreateTruncating(initialAccumulatorValue);
    }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>The starting value of the accumulator s.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>The running sums of squared updates (and a scratch buffer, not saved).</summary>
    public sealed class State : ITransformState
    {
        internal State(IReadOnlyList<int> sizes, T initial)
        {
            Sums = ParameterArrays.Allocate<T>(sizes);
            Scratch = ParameterArrays.Allocate<T>(sizes);
            foreach (T[] s in Sums) s.AsSpan().Fill(initial);
        }

        internal T[][] Sums { get; }

        internal T[][] Scratch { get; }

        /// <inheritdoc />
        public TransformState Save()
        {
            var arrays = new Dictionary<string, double[]>();
            ParameterArrays.Save(arrays, "sum", Sums);
            return new TransformState(arrays, new Dictionary<string, double>());
        }

        /// <inheritdoc />
        public void Load(TransformState saved)
        {
            ArgumentNullException.ThrowIfNull(saved);
            ParameterArrays.Load(saved, "sum", Sums);
        }
    }

    /// <inheritdoc />
    public override State Init(IReadOnlyList<int> parameterSizes) => new(parameterSizes, _initial);

    /// <inheritdoc />
    public override void Update(ParameterBuffers<T> buffers, State state, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(state);
        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            Span<T> s = state.Sums[i];
            Span<T> denominator = state.Scratch[i];
            TensorPrimitives.MultiplyAdd(u, u, s, s);
            TensorPrimitives.Sqrt(s, denominator);
            TensorPrimitives.Add(denominator, _epsilon, denominator);
            TensorPrimitives.Divide(u, denominator, u);
        }
    }
}
