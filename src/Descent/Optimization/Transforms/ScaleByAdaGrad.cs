using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Optimization.Transforms;

/// <summary>
/// AdaGrad preconditioning (PyTorch semantics): <c>s ← s + u²</c>, <c>u ← u / (√s + ε)</c>.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ScaleByAdaGrad<T> : IGradientTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _epsilon;
    private readonly T _initial;
    private T[][] _sums = [];
    private T[][] _scratch = [];

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

    /// <inheritdoc />
    public void Initialize(IReadOnlyList<int> parameterSizes)
    {
        _sums = ParameterArrays.Allocate<T>(parameterSizes);
        _scratch = ParameterArrays.Allocate<T>(parameterSizes);
        foreach (T[] s in _sums)
        {
            s.AsSpan().Fill(_initial);
        }
    }

    /// <inheritdoc />
    public void Update(ParameterBuffers<T> buffers, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            Span<T> s = _sums[i];
            Span<T> denominator = _scratch[i];
            TensorPrimitives.MultiplyAdd(u, u, s, s);
            TensorPrimitives.Sqrt(s, denominator);
            TensorPrimitives.Add(denominator, _epsilon, denominator);
            TensorPrimitives.Divide(u, denominator, u);
        }
    }

    /// <inheritdoc />
    public TransformState GetState()
    {
        var arrays = new Dictionary<string, double[]>();
        ParameterArrays.Save(arrays, "sum", _sums);
        return new TransformState(arrays, new Dictionary<string, double>());
    }

    /// <inheritdoc />
    public void LoadState(TransformState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ParameterArrays.Load(state, "sum", _sums);
    }
}
