using System.Numerics;

namespace Descent.Learning.Losses;

/// <summary>How per-example losses are combined.</summary>
public enum Reduction
{
    /// <summary>The mean over examples (the default: the learning rate then does not depend on the batch size).</summary>
    Mean,
    /// <summary>The sum over examples.</summary>
    Sum,
    /// <summary>No reduction: one loss per example.</summary>
    None,
}

/// <summary>A loss: predictions and targets in, a scalar (or per-example losses) out.</summary>
public delegate Tensor<T> LossFunction<T>(Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// The standard losses, each a composition of differentiable ops (so their gradients are exact and can be
/// differentiated again), except softmax cross-entropy, which is fused for stability and speed and proven equal to
/// its composition by tests. Targets for classification losses are class indices (a tensor of shape [n]) or, for the
/// binary losses, 0/1 values with the prediction's shape.
/// </summary>
public static class Loss
{
    /// <summary>Mean squared error: mean((ŷ − y)²).</summary>
    public static Tensor<T> MeanSquaredError<T>(Tensor<T> prediction, Tensor<T> target, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Reduce(PerExample((prediction - Align(target, prediction, "MeanSquaredError")).Square()), reduction);

    /// <summary>Half mean squared error (1/2m)·Σ(ŷ − y)²: the form whose gradient is the mean residual (the reference linear regression).</summary>
    public static Tensor<T> HalfMeanSquaredError<T>(Tensor<T> prediction, Tensor<T> target, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => MeanSquaredError(prediction, target, reduction) * T.CreateTruncating(0.5);

    /// <summary>Sum of squared errors Σ(ŷ − y)².</summary>
    public static Tensor<T> SumSquaredError<T>(Tensor<T> prediction, Tensor<T> target)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => (prediction - Align(target, prediction, "SumSquaredError")).Square().Sum();

    /// <summary>Mean absolute error mean(|ŷ − y|).</summary>
    public static Tensor<T> MeanAbsoluteError<T>(Tensor<T> prediction, Tensor<T> target, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Reduce(PerExample((prediction - Align(target, prediction, "MeanAbsoluteError")).Abs()), reduction);

    /// <summary>Huber loss: ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond; quadratic near 0, linear in the tails.</summary>
    public static Tensor<T> Huber<T>(Tensor<T> prediction, Tensor<T> target, double delta = 1.0, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!(delta > 0)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "Huber's delta must be positive.");
        var r = (prediction - Align(target, prediction, "Huber")).Abs();
        var d = T.CreateTruncating(delta);
        var quadratic = r.Square() * T.CreateTruncating(0.5);
        var linear = (r - T.CreateTruncating(0.5 * delta)) * d;
        return Reduce(PerExample(Tensor<T>.Where(r.LessOrEqual(Tensor.Scalar(d)), quadratic, linear)), reduction);
    }

    /// <summary>
    /// Binary cross-entropy on probabilities: −[y log p + (1−y) log(1−p)], with p clamped to [ε, 1−ε] (ε = 1e-12 in
    /// float64, 1e-7 in float32) so a confident mistake gives a large finite loss. Prefer <see cref="BinaryCrossEntropyWithLogits{T}"/>.
    /// </summary>
    public static Tensor<T> BinaryCrossEntropy<T>(Tensor<T> probability, Tensor<T> target, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = Align(target, probability, "BinaryCrossEntropy");
        T eps = T.CreateTruncating(typeof(T) == typeof(float) ? 1e-7 : 1e-12);
        var p = probability.Clip(eps, T.One - eps);
        var loss = -(y * p.Log() + (T.One - y) * (T.One - p).Log());
        return Reduce(PerExample(loss), reduction);
    }

    /// <summary>
    /// Binary cross-entropy on logits z, computed stably as softplus(z) − y·z (never overflows). Its gradient is σ(z) − y.
    /// </summary>
    public static Tensor<T> BinaryCrossEntropyWithLogits<T>(Tensor<T> logits, Tensor<T> target, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Reduce(PerExample(logits.Softplus() - Align(target, logits, "BinaryCrossEntropyWithLogits") * logits), reduction);

    /// <summary>
    /// Softmax cross-entropy on logits [n, classes] against class indices [n]: −log softmax(z)[y], fused: the forward
    /// pass is one stable log-softmax and the backward pass (softmax − one-hot)/n directly.
    /// </summary>
    /// <exception cref="ShapeException">Shapes do not fit, or a label is not a valid class index.</exception>
    public static Tensor<T> SoftmaxCrossEntropy<T>(Tensor<T> logits, Tensor<T> labels, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => SoftmaxCrossEntropyOp.Apply(logits, labels, reduction);

    /// <summary>Negative log-likelihood of log-probabilities [n, classes] at class indices [n]: −logp[y].</summary>
    public static Tensor<T> NegativeLogLikelihood<T>(Tensor<T> logProbabilities, Tensor<T> labels, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var oneHot = SoftmaxCrossEntropyOp.OneHot(labels, logProbabilities, "NegativeLogLikelihood");
        return Reduce(-(logProbabilities * oneHot).Sum(-1), reduction);
    }

    /// <summary>Hinge loss max(0, 1 − y·s) for labels y ∈ {−1, +1} (0/1 labels are mapped to −1/+1).</summary>
    public static Tensor<T> Hinge<T>(Tensor<T> scores, Tensor<T> target, Reduction reduction = Reduction.Mean)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var y = Align(target, scores, "Hinge");
        bool zeroOne = true;
        foreach (var v in y.Data) if (v != T.Zero && v != T.One) { zeroOne = false; break; }
        if (zeroOne) y = y * T.CreateTruncating(2) - T.One;
        return Reduce(PerExample((T.One - y * scores).Relu()), reduction);
    }

    /// <summary>A loss by name, for configuration: mse, half-mse, sse, mae, huber, bce, bce-logits, cross-entropy, nll, hinge.</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static LossFunction<T> FromName<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => name.ToLowerInvariant().Replace('_', '-') switch
        {
            "mse" or "mean-squared-error" => (p, y) => MeanSquaredError(p, y),
            "half-mse" or "half-mean-squared-error" => (p, y) => HalfMeanSquaredError(p, y),
            "sse" or "sum-squared-error" => SumSquaredError,
            "mae" or "mean-absolute-error" => (p, y) => MeanAbsoluteError(p, y),
            "huber" => (p, y) => Huber(p, y),
            "bce" or "binary-cross-entropy" => (p, y) => BinaryCrossEntropy(p, y),
            "bce-logits" or "binary-cross-entropy-with-logits" => (p, y) => BinaryCrossEntropyWithLogits(p, y),
            "cross-entropy" or "softmax-cross-entropy" or "ce" => (p, y) => SoftmaxCrossEntropy(p, y),
            "nll" or "negative-log-likelihood" => (p, y) => NegativeLogLikelihood(p, y),
            "hinge" => (p, y) => Hinge(p, y),
            _ => throw new ArgumentException($"Unknown loss '{name}'; use one of mse, half-mse, sse, mae, huber, bce, bce-logits, cross-entropy, nll, hinge.", nameof(name)),
        };

    /// <summary>Per-example losses: summed over every axis but the first (a scalar stays a scalar).</summary>
    private static Tensor<T> PerExample<T>(Tensor<T> elementLoss) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (elementLoss.Rank <= 1) return elementLoss;
        var axes = Enumerable.Range(1, elementLoss.Rank - 1).ToArray();
        return elementLoss.Sum(axes);
    }

    internal static Tensor<T> Reduce<T>(Tensor<T> perExample, Reduction reduction) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => reduction switch
        {
            Reduction.Mean => perExample.Mean(),
            Reduction.Sum => perExample.Sum(),
            _ => perExample,
        };

    /// <summary>Reshapes a target to the prediction's shape when they differ only by trailing 1s ([n] vs [n,1]).</summary>
    private static Tensor<T> Align<T>(Tensor<T> target, Tensor<T> prediction, string loss) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(prediction);
        if (Shapes.Equal(target.Shape, prediction.Shape)) return target;
        if (target.Size == prediction.Size && target.Size > 0 && (prediction.Rank > 0 && target.Rank > 0) && target.Shape[0] == prediction.Shape[0])
            return target.Reshape(prediction.ShapeArray);
        throw new ShapeException($"{loss}: the prediction has shape {Shapes.Format(prediction.Shape)} but the target has shape {Shapes.Format(target.Shape)}; they must have the same number of examples and outputs.");
    }
}
