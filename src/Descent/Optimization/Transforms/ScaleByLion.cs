using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Optimization.Transforms;

/// <summary>
/// Lion (Chen et al., 2023): the sign of an interpolated momentum.
/// <c>c = β₁·m + (1 − β₁)·u</c>, <c>u ← sign(c)</c> (sign 0 stays 0), then <c>m ← β₂·m + (1 − β₂)·u_in</c>.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ScaleByLion<T> : GradientTransform<T, ScaleByLion<T>.State>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _beta1;
    private readonly T _oneMinusBeta1;
    private readonly T _beta2;
    private readonly T _oneMinusBeta2;

    /// <summary>Creates the Lion transform.</summary>
    /// <param name="beta1">β₁ in [0, 1), the interpolation weight of the update direction.</param>
    /// <param name="beta2">β₂ in [0, 1), the decay of the momentum.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public ScaleByLion(double beta1 = 0.9, double beta2 = 0.99)
    {
        Beta1 = Require.InHalfOpen(beta1, 0, 1, nameof(beta1));
        Beta2 = Require.InHalfOpen(beta2, 0, 1, nameof(beta2));
        _beta1 = T.CreateTruncating(beta1);
        _oneMinusBeta1 = T.CreateTruncating(1 - beta1);
        _beta2 = T.CreateTruncating(beta2);
        _oneMinusBeta2 = T.CreateTruncating(1 - beta2);
    }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }

    /// <summary>β₂.</summary>
    public double Beta2 { get; }

    /// <summary>The momentum, and a scratch buffer (not saved).</summary>
    public sealed class State : ITransformState
    {
        internal State(IReadOnlyList<int> sizes)
        {
            Momentum = ParameterArrays.Allocate<T>(sizes);
            Scratch = ParameterArrays.Allocate<T>(sizes);
        }

        internal T[][] Momentum { get; }

        internal T[][] Scratch { get; }

        /// <inheritdoc />
        public TransformState Save()
        {
            var arrays = new Dictionary<string, double[]>();
            ParameterArrays.Save(arrays, "momentum", Momentum);
            return new TransformState(arrays, new Dictionary<string, double>());
        }

        /// <inheritdoc />
        public void Load(TransformState saved)
        {
            ArgumentNullException.ThrowIfNull(saved);
            ParameterArrays.Load(saved, "momentum", Momentum);
        }
    }

    /// <inheritdoc />
    public override State Init(IReadOnlyList<int> parameterSizes) => new(parameterSizes);

    /// <inheritdoc />
    public override void Update(ParameterBuffers<T> buffers, State state, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(state);
        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            Span<T> m = state.Momentum[i];
            Span<T> c = state.Scratch[i];

            TensorPrimitives.Multiply(m, _beta1, c);
            TensorPrimitives.MultiplyAdd(u, _oneMinusBeta1, c, c);
            TensorPrimitives.Multiply(m, _beta2, m);
            TensorPrimitives.MultiplyAdd(u, _oneMinusBeta2, m, m);
            for (int j = 0; j < u.Length; j++)
            {
                u[j] = T.IsNaN(c[j]) ? c[j] : T.CreateTruncating(T.Sign(c[j]));
            }
        }
    }
}
