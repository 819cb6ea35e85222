using System.Collections.Immutable;
using System.Numerics;
using System.Numerics.Tensors;
using Descent.Ops;

namespace Descent.Learning.Losses;

/// <summary>
/// Fused softmax cross-entropy, a primitive (<see cref="SoftmaxCrossEntropyPrimitive{T}"/>): forward
/// ℓᵢ = logsumexp(zᵢ) − zᵢ[yᵢ] in one stable pass per row; backward ∂ℓᵢ/∂zᵢ = softmax(zᵢ) − onehot(yᵢ).
/// Equal to <c>-(z.LogSoftmax(-1) * onehot).Sum(-1)</c>, which the tests check.
/// </summary>
internal static class SoftmaxCrossEntropyOp
{
    public static Tensor<T> Apply<T>(Tensor<T> logits, Tensor<T> labels, Reduction reduction) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Validate(labels, logits, "SoftmaxCrossEntropy");
        // Copied: a data loader may reuse the labels' buffer before the backward pass.
        var classes = new int[logits.Shape[0]];
        for (int i = 0; i < classes.Length; i++) classes[i] = int.CreateTruncating(labels.Buffer[i]);
        return Loss.Reduce(new SoftmaxCrossEntropyPrimitive<T>(classes).Apply(logits), reduction);
    }

    /// <summary>One-hot [n, classes] from integer labels [n] (or [n, 1]), validated against the logits' shape.</summary>
    public static Tensor<T> OneHot<T>(Tensor<T> labels, Tensor<T> logits, string loss) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Validate(labels, logits, loss);
        var classes = new int[labels.Size];
        for (int i = 0; i < classes.Length; i++) classes[i] = int.CreateTruncating(labels.Buffer[i]);
        return OneHot<T>(classes, logits.Shape[1]);
    }

    internal static Tensor<T> OneHot<T>(int[] classes, int c) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var oneHot = Tensor.Zeros<T>(classes.Length, c);
        for (int i = 0; i < classes.Length; i++) oneHot.Data[i * c + classes[i]] = T.One;
        return oneHot;
    }

    /// <summary>Checks that the labels are one class index in 0..classes−1 per row of the logits.</summary>
    private static void Validate<T>(Tensor<T> labels, Tensor<T> logits, string loss) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 2)
            throw new ShapeException($"{loss}: expects scores of shape [examples, classes]; got {Shapes.Format(logits.Shape)}.");
        int n = logits.Shape[0], c = logits.Shape[1];
        if (labels.Size != n || (labels.Rank > 1 && labels.Shape[^1] != 1))
            throw new ShapeException($"{loss}: {n} examples of scores but labels of shape {Shapes.Format(labels.Shape)}; give one class index per example.");
        for (int i = 0; i < n; i++)
        {
            T v = labels.Buffer[i];
            int k = int.CreateTruncating(v);
            if (T.CreateTruncating(k) != v || k < 0 || k >= c)
                throw new ShapeException($"{loss}: label {v} of example {i} is not a class index in 0..{c - 1}.");
        }
    }
}

/// <summary>
/// Per-example softmax cross-entropy of logits [n, c] against the class indices <see cref="Classes"/> (validated):
/// ℓᵢ = logsumexp(zᵢ) − zᵢ[yᵢ]. ∂ℓᵢ/∂zᵢ = gᵢ·(softmax(zᵢ) − onehot(yᵢ)), in one pass per row unless the backward pass is
/// itself recorded (then as tensor operations, differentiable again).
/// </summary>
internal sealed record SoftmaxCrossEntropyPrimitive<T>(ImmutableArray<int> Classes) : UnaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public SoftmaxCrossEntropyPrimitive(int[] classes) : this(Own(classes)) { }

    public override string Name => "softmax_cross_entropy";

    public override Tensor<T> Forward(Tensor<T> logits)
    {
        int n = logits.Shape[0], c = logits.Shape[1];
        var z = logits.Buffer;
        var losses = new T[n];
        for (int i = 0; i < n; i++)
        {
            var row = z.AsSpan(i * c, c);
            T m = TensorPrimitives.Max<T>(row);
            if (!T.IsFinite(m)) m = T.Zero;
            T sum = T.Zero;
            for (int j = 0; j < c; j++) sum += T.Exp(row[j] - m);
            losses[i] = T.Log(sum) + m - row[Classes[i]];
        }
        return new Tensor<T>([n], losses);
    }

    /// <summary>Σⱼ żᵢⱼ (softmaxᵢⱼ − onehotᵢⱼ): the tangent of each example's loss.</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y)
        => (t * (x.Softmax(-1) - SoftmaxCrossEntropyOp.OneHot<T>(Raw(Classes), x.Shape[1]))).Sum([-1]);

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y)
    {
        int n = x.Shape[0], c = x.Shape[1];
        var classes = Raw(Classes);
        if (Tensor<T>.ShouldRecord(g, x)) return g.Unsqueeze(-1) * (x.Softmax(-1) - SoftmaxCrossEntropyOp.OneHot<T>(classes, c));
        var result = new T[n * c];
        var z = x.Buffer;
        for (int i = 0; i < n; i++)
        {
            var row = z.AsSpan(i * c, c);
            var d = result.AsSpan(i * c, c);
            T m = TensorPrimitives.Max<T>(row);
            if (!T.IsFinite(m)) m = T.Zero;
            TensorPrimitives.Subtract(row, m, d);
            TensorPrimitives.Exp(d, d);
            T scale = g.Buffer[i] / TensorPrimitives.Sum<T>(d);
            TensorPrimitives.Multiply(d, scale, d);
            d[classes[i]] -= g.Buffer[i];
        }
        return new Tensor<T>([n, c], result);
    }
}
