using System.Numerics;

namespace Descent.Learning.Losses;

/// <summary>
/// Fused softmax cross-entropy: forward ℓᵢ = logsumexp(zᵢ) − zᵢ[yᵢ] in one stable pass per row; backward
/// ∂ℓᵢ/∂zᵢ = softmax(zᵢ) − onehot(yᵢ), written with tensor ops so it can be differentiated again.
/// Equal to <c>-(z.LogSoftmax(-1) * onehot).Sum(-1)</c>, which the tests check.
/// </summary>
internal static class SoftmaxCrossEntropyOp
{
    public static Tensor<T> Apply<T>(Tensor<T> logits, Tensor<T> labels, Reduction reduction) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Validate(labels, logits, "SoftmaxCrossEntropy");
        int n = logits.Shape[0], c = logits.Shape[1];
        var z = logits.Buffer;
        var losses = new T[n];
        var classes = new int[n]; // copied: a data loader may reuse the labels' buffer before the backward pass
        for (int i = 0; i < n; i++)
        {
            var row = z.AsSpan(i * c, c);
            T m = System.Numerics.Tensors.TensorPrimitives.Max<T>(row);
            if (!T.IsFinite(m)) m = T.Zero;
            T sum = T.Zero;
            for (int j = 0; j < c; j++) sum += T.Exp(row[j] - m);
            int label = classes[i] = int.CreateTruncating(labels.Buffer[i]);
            losses[i] = T.Log(sum) + m - row[label];
        }
        var perExample = new Tensor<T>([n], losses);
        if (Tensor<T>.ShouldRecord(logits))
            perExample.Attach(new Autodiff.UnaryNode<T>("softmax_cross_entropy", logits, (g, x, _) =>
                Tensor<T>.ShouldRecord(g, x) ? g.Unsqueeze(-1) * (x.Softmax(-1) - OneHot<T>(classes, c)) : Gradient(g, x, classes),
                jvp: (t, x, _) => (t * (x.Softmax(-1) - OneHot<T>(classes, c))).Sum([-1]))); // Σⱼ żᵢⱼ (softmaxᵢⱼ − onehotᵢⱼ)
        return Loss.Reduce(perExample, reduction);
    }

    /// <summary>gᵢ·(softmax(zᵢ) − onehot(yᵢ)) in one pass per row, for a backward pass that is not itself recorded.</summary>
    private static Tensor<T> Gradient<T>(Tensor<T> g, Tensor<T> logits, int[] classes) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = logits.Shape[0], c = logits.Shape[1];
        var result = new T[n * c];
        var z = logits.Buffer;
        for (int i = 0; i < n; i++)
        {
            var row = z.AsSpan(i * c, c);
            var d = result.AsSpan(i * c, c);
            T m = System.Numerics.Tensors.TensorPrimitives.Max<T>(row);
            if (!T.IsFinite(m)) m = T.Zero;
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, m, d);
            System.Numerics.Tensors.TensorPrimitives.Exp(d, d);
            T scale = g.Buffer[i] / System.Numerics.Tensors.TensorPrimitives.Sum<T>(d);
            System.Numerics.Tensors.TensorPrimitives.Multiply(d, scale, d);
            d[classes[i]] -= g.Buffer[i];
        }
        return new Tensor<T>([n, c], result);
    }

    /// <summary>One-hot [n, classes] from integer labels [n] (or [n, 1]), validated against the logits' shape.</summary>
    public static Tensor<T> OneHot<T>(Tensor<T> labels, Tensor<T> logits, string loss) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Validate(labels, logits, loss);
        var classes = new int[labels.Size];
        for (int i = 0; i < classes.Length; i++) classes[i] = int.CreateTruncating(labels.Buffer[i]);
        return OneHot<T>(classes, logits.Shape[1]);
    }

    private static Tensor<T> OneHot<T>(int[] classes, int c) where T : unmanaged, IBinaryFloatingPointIeee754<T>
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
