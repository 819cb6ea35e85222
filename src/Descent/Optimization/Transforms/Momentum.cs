using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Optimization.Transforms;

/// <summary>
/// Heavy-ball or Nesterov momentum with PyTorch SGD semantics. With momentum μ and dampening τ:
/// <c>b₁ = u₁</c>, then <c>bₜ = μ·bₜ₋₁ + (1 − τ)·uₜ</c>; the output is <c>u ← b</c> (heavy ball) or
/// <c>u ← u + μ·b</c> (Nesterov).
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Momentum<T> : GradientTransform<T, Momentum<T>.State>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _momentum;
    private readonly T _oneMinusDampening;

    /// <summary>Creates the momentum transform.</summary>
    /// <param name="momentum">μ in [0, 1).</param>
    /// <param name="dampening">τ in [0, 1]; Nesterov requires 0.</param>
    /// <param name="nesterov">Whether to use Nesterov's look-ahead form.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range, or Nesterov is asked with μ = 0 or τ ≠ 0.</exception>
    public Momentum(double momentum, double dampening = 0, bool nesterov = false)
    {
        MomentumFactor = Require.InHalfOpen(momentum, 0, 1, nameof(momentum));
        Dampening = Require.InClosed(dampening, 0, 1, nameof(dampening));
        if (nesterov && (momentum == 0 || dampening != 0))
        {
            throw new ArgumentOutOfRangeException(nameof(nesterov), nesterov, $"Nesterov momentum requires momentum > 0 and dampening = 0, but momentum was {momentum} and dampening {dampening}.");
        }

        Nesterov = nesterov;
        _momentum = T.CreateTruncating(momentum);
        _oneMinusDampening = T.CreateTruncating(1 - dampening);
    }

    /// <summary>μ.</summary>
    public double MomentumFactor { get; }

    /// <summary>τ.</summary>
    public double Dampening { get; }

    /// <summary>Whether the Nesterov form is used.</summary>
    public bool Nesterov { get; }

    /// <summary>The momentum buffers and whether the first update has been made.</summary>
    public sealed class State : ITransformState
    {
        internal State(IReadOnlyList<int> sizes) => Buffers = ParameterArrays.Allocate<T>(sizes);

        internal T[][] Buffers { get; }

        internal bool Started { get; set; }

        /// <inheritdoc />
        public TransformState Save()
        {
            var arrays = new Dictionary<string, double[]>();
            ParameterArrays.Save(arrays, "momentum", Buffers);
            return new TransformState(arrays, new Dictionary<string, double> { ["started"] = Started ? 1 : 0 });
        }

        /// <inheritdoc />
        public void Load(TransformState saved)
        {
            ArgumentNullException.ThrowIfNull(saved);
            ParameterArrays.Load(saved, "momentum", Buffers);
            Started = saved.Scalar("started") != 0;
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
            Span<T> b = state.Buffers[i];
            if (!state.Started)
            {
                u.CopyTo(b);
            }
            else
            {
                TensorPrimitives.Multiply(b, _momentum, b);
                if (Dampening == 0)
                {
                    TensorPrimitives.Add(b, u, b);
                }
                else
                {
                    TensorPrimitives.MultiplyAdd(u, _oneMinusDampening, b, b);
                }
            }

            if (Nesterov)
            {
                TensorPrimitives.MultiplyAdd(b, _momentum, u, u);
            }
            else
            {
                b.CopyTo(u);
            }
        }

        state.Started = true;
    }
}
