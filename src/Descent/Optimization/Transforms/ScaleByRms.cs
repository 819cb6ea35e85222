using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Optimization.Transforms;

/// <summary>
/// RMSProp preconditioning with PyTorch semantics. With smoothing α:
/// <c>v ← α·v + (1 − α)·u²</c>; centered: <c>m ← α·m + (1 − α)·u</c> and <c>d = √(v − m²) + ε</c>, otherwise
/// <c>d = √v + ε</c>. Without momentum <c>u ← u / d</c>; with momentum μ: <c>b ← μ·b + u / d</c>, <c>u ← b</c>.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ScaleByRms<T> : GradientTransform<T, ScaleByRms<T>.State>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _alpha;
    private readonly T _oneMinusAlpha;
    private readonly T _epsilon;
    private readonly T _momentum;

    /// <summary>Creates the RMSProp transform.</summary>
    /// <param name="alpha">α in [0, 1) (PyTorch default 0.99).</param>
    /// <param name="epsilon">ε &gt;= 0, added outside the square root.</param>
    /// <param name="centered">Whether to divide by the centered second moment (an estimate of the variance).</param>
    /// <param name="momentum">μ in [0, 1); 0 for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public ScaleByRms(double alpha = 0.99, double epsilon = 1e-8, bool centered = false, double momentum = 0)
    {
        Alpha = Require.InHalfOpen(alpha, 0, 1, nameof(alpha));
        Epsilon = Require.NonNegative(epsilon, nameof(epsilon));
        Momentum = Require.InHalfOpen(momentum, 0, 1, nameof(momentum));
        Centered = centered;
        _alpha = T.CreateTruncating(alpha);
        _oneMinusAlpha = T.CreateTruncating(1 - alpha);
        _epsilon = T.CreateTruncating(epsilon);
        _momentum = T.CreateTruncating(momentum);
    }

    /// <summary>α.</summary>
    public double Alpha { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>Whether the second moment is centered.</summary>
    public bool Centered { get; }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>The averages of squared updates (and of updates when centered), the momentum buffer, and a scratch buffer (not saved).</summary>
    public sealed class State : ITransformState
    {
        internal State(IReadOnlyList<int> sizes, bool centered, bool momentum)
        {
            SquareAverage = ParameterArrays.Allocate<T>(sizes);
            GradientAverage = centered ? ParameterArrays.Allocate<T>(sizes) : [];
            MomentumBuffer = momentum ? ParameterArrays.Allocate<T>(sizes) : [];
            Scratch = ParameterArrays.Allocate<T>(sizes);
        }

        internal T[][] SquareAverage { get; }

        internal T[][] GradientAverage { get; }

        internal T[][] MomentumBuffer { get; }

        internal T[][] Scratch { get; }

        /// <inheritdoc />
        public TransformState Save()
        {
            var arrays = new Dictionary<string, double[]>();
            ParameterArrays.Save(arrays, "squareAverage", SquareAverage);
            ParameterArrays.Save(arrays, "gradientAverage", GradientAverage);
            ParameterArrays.Save(arrays, "momentum", MomentumBuffer);
            return new TransformState(arrays, new Dictionary<string, double>());
        }

        /// <inheritdoc />
        public void Load(TransformState saved)
        {
            ArgumentNullException.ThrowIfNull(saved);
            ParameterArrays.Load(saved, "squareAverage", SquareAverage);
            ParameterArrays.Load(saved, "gradientAverage", GradientAverage);
            ParameterArrays.Load(saved, "momentum", MomentumBuffer);
        }
    }

    /// <inheritdoc />
    public override State Init(IReadOnlyList<int> parameterSizes) => new(parameterSizes, Centered, Momentum > 0);

    /// <inheritdoc />
    public override void Update(ParameterBuffers<T> buffers, State state, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(state);
        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            Span<T> v = state.SquareAverage[i];
            Span<T> d = state.Scratch[i];

            // v ← α·v + (1 − α)·u²
            TensorPrimitives.Multiply(v, _alpha, v);
            TensorPrimitives.Multiply(u, u, d);
            TensorPrimitives.MultiplyAdd(d, _oneMinusAlpha, v, v);
            if (Centered)
            {
                Span<T> m = state.GradientAverage[i];
                TensorPrimitives.Multiply(m, _alpha, m);
                TensorPrimitives.MultiplyAdd(u, _oneMinusAlpha, m, m);
                TensorPrimitives.Multiply(m, m, d);
                TensorPrimitives.Subtract(v, d, d);
                TensorPrimitives.Sqrt(d, d);
            }
            else
            {
                TensorPrimitives.Sqrt(v, d);
            }

            TensorPrimitives.Add(d, _epsilon, d);
            TensorPrimitives.Divide(u, d, u);
            if (Momentum > 0)
            {
                Span<T> b = state.MomentumBuffer[i];
                TensorPrimitives.Multiply(b, _momentum, b);
                TensorPrimitives.Add(b, u, b);
                b.CopyTo(u);
            }
        }
    }
}
