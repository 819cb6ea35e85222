using Descent.Kernels;

namespace Descent;

// Batch normalisation. In training mode it is a primitive (Ops/Primitives/Normalization.cs): statistics, normalisation and
// the affine map in one forward kernel, the three gradients in one backward kernel; a recorded backward pass (higher order)
// sends the same gradients written as tensor operations. In evaluation mode it is a composition (a per-channel affine map of the running statistics).
public sealed partial class Tensor<T>
{
    /// <summary>
    /// Batch normalisation of <paramref name="input"/> [N, C] or [N, C, …] per channel C, as PyTorch's
    /// <c>F.batch_norm</c>: y = (x − μ)/√(σ² + ε)·γ + β. In training mode μ and σ² are the batch's (σ² biased) and the
    /// running statistics, when given, move towards them: r ← (1 − momentum)·r + momentum·batch (the variance unbiased,
    /// ×M/(M−1)). Otherwise the running statistics are used. <paramref name="weight"/> (γ) and <paramref name="bias"/> (β)
    /// are [C] or null (1 and 0).
    /// </summary>
    /// <exception cref="ShapeException">The input has fewer than two axes, or a [C] tensor has another shape.</exception>
    /// <exception cref="ArgumentException">Evaluation mode without running statistics, or a training batch of one value per channel.</exception>
    public static Tensor<T> BatchNorm(Tensor<T> input, Tensor<T>? weight, Tensor<T>? bias, Tensor<T>? runningMean, Tensor<T>? runningVar,
        bool training, double momentum = 0.1, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2) throw new ShapeException($"BatchNorm: needs [batch, channels, …]; got shape {Shapes.Format(input.Shape)}.");
        int n = input.ShapeRef[0], c = input.ShapeRef[1], s = n * c == 0 ? 0 : input.Size / (n * c);
        foreach (var (t, name) in new[] { (weight, "weight"), (bias, "bias"), (runningMean, "running mean"), (runningVar, "running variance") })
            if (t is not null && (t.Rank != 1 || t.ShapeRef[0] != c))
                throw new ShapeException($"BatchNorm: the {name} must be [{c}] (one per channel of input {Shapes.Format(input.Shape)}); got {Shapes.Format(t.Shape)}.");
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "BatchNorm: eps must be positive.");
        T e = Cv(eps);
        var channelShape = new int[input.Rank];
        Array.Fill(channelShape, 1);
        channelShape[1] = c;
        if (!training)
        {
            if (runningMean is null || runningVar is null) throw new ArgumentException("BatchNorm: evaluation mode needs the running mean and variance.");
            var scale = (runningVar + e).Pow(Cv(-0.5));
            if (weight is not null) scale *= weight;
            var shift = -(runningMean * scale);
            if (bias is not null) shift += bias;
            return input * scale.Reshape(channelShape) + shift.Reshape(channelShape);
        }
        long m = (long)n * s;
        if (m < 2) throw new ArgumentException($"BatchNorm: training mode needs more than one value per channel to take statistics over (input {Shapes.Format(input.Shape)}).");
        var (y, op, variance) = Ops.BatchNormTraining<T>.Run(input, weight, bias, n, c, s, e);
        if (runningMean is not null || runningVar is not null)
        {
            T mo = Cv(momentum), keep = T.One - mo, unbias = T.CreateTruncating(m) / T.CreateTruncating(m - 1);
            for (int i = 0; i < c; i++)
            {
                if (runningMean is not null) runningMean.Buffer[i] = keep * runningMean.Buffer[i] + mo * op.Mean[i];
                if (runningVar is not null) runningVar.Buffer[i] = keep * runningVar.Buffer[i] + mo * variance[i] * unbias;
            }
        }
        return op.Record(y, op.Inputs(input, weight, bias));
    }
}
