using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Optimization.Transforms;

/// <summary>
/// Adam preconditioning with PyTorch semantics. At the t-th update (t = 1, 2, …):
/// <c>m ← β₁·m + (1 − β₁)·u</c>, <c>v ← β₂·v + (1 − β₂)·u²</c>, with AMSGrad <c>v̂ ← max(v̂, v)</c> (else v̂ = v),
/// <c>u ← (m / (1 − β₁ᵗ)) / (√v̂ / √(1 − β₂ᵗ) + ε)</c> — ε outside the square root.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ScaleByAdam<T> : GradientTransform<T, ScaleByAdam<T>.State>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _beta1;
    private readonly T _oneMinusBeta1;
    private readonly T _beta2;
    private readonly T _oneMinusBeta2;
    private readonly T _epsilon;

    /// <summary>Creates the Adam transform.</summary>
    /// <param name="beta1">β₁ in [0, 1).</param>
    /// <param name="beta2">β₂ in [0, 1).</param>
    /// <param name="epsilon">ε &gt;= 0.</param>
    /// <param name="amsgrad">Whether to divide by the running maximum of v (AMSGrad).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public ScaleByAdam(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, bool amsgrad = false)
    {
        Beta1 = Require.InHalfOpen(beta1, 0, 1, nameof(beta1));
        Beta2 = Require.InHalfOpen(beta2, 0, 1, nameof(beta2));
        Epsilon = Require.NonNegative(epsilon, nameof(epsilon));
        AmsGrad = amsgrad;
        _beta1 = T.CreateTruncating(beta1);
        _oneMinusBeta1 = T.CreateTruncating(1 - beta1);
        _beta2 = T.CreateTruncating(beta2);
        _oneMinusBeta2 = T.CreateTruncating(1 - beta2);
        _epsilon = T.CreateTruncating(epsilon);
    }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }

    /// <summary>β₂.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>Whether AMSGrad is used.</summary>
    public bool AmsGrad { get; }

    /// <summary>The moments m and v (and v̂ for AMSGrad), the update count, and a scratch buffer (not saved).</summary>
    public sealed class State : ITransformState
    {
        internal State(IReadOnlyList<int> sizes, bool amsgrad)
        {
            First = ParameterArrays.Allocate<T>(sizes);
            Second = ParameterArrays.Allocate<T>(sizes);
            MaxSecond = amsgrad ? ParameterArrays.Allocate<T>(sizes) : [];
            Scratch = ParameterArrays.Allocate<T>(sizes);
        }

        internal T[][] First { get; }

        internal T[][] Second { get; }

        internal T[][] MaxSecond { get; }

        internal T[][] Scratch { get; }

        /// <summary>The number of updates made.</summary>
        public long Count { get; internal set; }

        /// <inheritdoc />
        public TransformState Save()
        {
            var arrays = new Dictionary<string, double[]>();
            ParameterArrays.Save(arrays, "m", First);
            ParameterArrays.Save(arrays, "v", Second);
            ParameterArrays.Save(arrays, "vMax", MaxSecond);
            return new TransformState(arrays, new Dictionary<string, double> { ["count"] = Count });
        }

        /// <inheritdoc />
        public void Load(TransformState saved)
        {
            ArgumentNullException.ThrowIfNull(saved);
            ParameterArrays.Load(saved, "m", First);
            ParameterArrays.Load(saved, "v", Second);
            ParameterArrays.Load(saved, "vMax", MaxSecond);
            Count = (long)saved.Scalar("count");
        }
    }

    /// <inheritdoc />
    public override State Init(IReadOnlyList<int> parameterSizes) => new(parameterSizes, AmsGrad);

    /// <inheritdoc />
    public override void Update(ParameterBuffers<T> buffers, State state, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(state);
        long count = ++state.Count;
        T biasCorrection1 = T.CreateTruncating(1 - Math.Pow(Beta1, count));
        T biasCorrection2Sqrt = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(Beta2, count)));
        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            Span<T> m = state.First[i];
            Span<T> v = state.Second[i];
            Span<T> d = state.Scratch[i];

            TensorPrimitives.Multiply(m, _beta1, m);
            TensorPrimitives.MultiplyAdd(u, _oneMinusBeta1, m, m);
            TensorPrimitives.Multiply(v, _beta2, v);
            TensorPrimitives.Multiply(u, u, d);
            TensorPrimitives.MultiplyAdd(d, _oneMinusBeta2, v, v);
            if (AmsGrad)
            {
                Span<T> vMax = state.MaxSecond[i];
                TensorPrimitives.Max(vMax, v, vMax);
                TensorPrimitives.Sqrt(vMax, d);
            }
            else
            {
                TensorPrimitives.Sqrt(v, d);
            }

            TensorPrimitives.Divide(d, biasCorrection2Sqrt, d);
            TensorPrimitives.Add(d, _epsilon, d);
            TensorPrimitives.Divide(m, biasCorrection1, u);
            TensorPrimitives.Divide(u, d, u);
        }
    }

    /// <summary>
    /// The bias corrections of the next update (1 − β₁ᵗ and √(1 − β₂ᵗ) for t = the count after it), counting it.
    /// </summary>
    internal (T BiasCorrection1, T BiasCorrection2Sqrt) Advance(State state)
    {
        long count = ++state.Count;
        return (T.CreateTruncating(1 - Math.Pow(Beta1, count)), T.CreateTruncating(Math.Sqrt(1 - Math.Pow(Beta2, count))));
    }

    /// <summary>
    /// One slice of a whole Adam step fused (<see cref="Optimizer{T}"/> with the chain <see cref="Optimizers.Adam{T}(double, double, double, double, bool, double)"/>
    /// builds, no AMSGrad, no decay): u ← g, the operations of <see cref="Update"/> in the same order, u ← factor·u
    /// (factor = −η), p ← p + u — each the same element-wise operation as in the chain, so the same values bit for bit,
    /// but on a slice small enough to stay in cache between them (the chain passes over every parameter array eleven
    /// times; a slice of a few thousand values is read from memory once).
    /// </summary>
    internal void FusedSlice(ReadOnlySpan<T> g, Span<T> m, Span<T> v, Span<T> d, Span<T> u, Span<T> p, T biasCorrection1, T biasCorrection2Sqrt, T factor)
    {
        TensorPrimitives.Multiply(g, T.One, u);
        TensorPrimitives.Multiply(m, _beta1, m);
        TensorPrimitives.MultiplyAdd(u, _oneMinusBeta1, m, m);
        TensorPrimitives.Multiply(v, _beta2, v);
        TensorPrimitives.Multiply(u, u, d);
        TensorPrimitives.MultiplyAdd(d, _oneMinusBeta2, v, v);
        TensorPrimitives.Sqrt(v, d);
        TensorPrimitives.Divide(d, biasCorrection2Sqrt, d);
        TensorPrimitives.Add(d, _epsilon, d);
        TensorPrimitives.Divide(m, biasCorrection1, u);
        TensorPrimitives.Divide(u, d, u);
        TensorPrimitives.Multiply(u, factor, u);
        TensorPrimitives.Add(p, u, p);
    }
}
