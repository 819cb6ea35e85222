using Descent.Kernels;

namespace Descent;

// Batch normalisation. In training mode it is a primitive: statistics, normalisation and the affine map in one forward
// kernel, the three gradients in one backward kernel; a recorded backward pass (higher order) sends the same gradients
// written as tensor operations. In evaluation mode it is a composition (a per-channel affine map of the running statistics).
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
        var mean = new T[c];
        var variance = new T[c];
        Normalization.Statistics(input.Buffer, n, c, s, mean, variance);
        var invStd = new T[c];
        for (int i = 0; i < c; i++) invStd[i] = T.One / T.Sqrt(variance[i] + e);
        var y = new Tensor<T>(input.ShapeRef);
        Normalization.Normalize(input.Buffer, y.Buffer, n, c, s, mean, invStd, weight?.Buffer, bias?.Buffer);
        if (runningMean is not null || runningVar is not null)
        {
            T mo = Cv(momentum), keep = T.One - mo, unbias = T.CreateTruncating(m) / T.CreateTruncating(m - 1);
            for (int i = 0; i < c; i++)
            {
                if (runningMean is not null) runningMean.Buffer[i] = keep * runningMean.Buffer[i] + mo * mean[i];
                if (runningVar is not null) runningVar.Buffer[i] = keep * runningVar.Buffer[i] + mo * variance[i] * unbias;
            }
        }
        bool record = Autograd.IsRecording && (input.RequiresGrad || (weight?.RequiresGrad ?? false) || (bias?.RequiresGrad ?? false));
        return record ? y.Attach(new BatchNormNode(input, weight, bias, mean, invStd, n, c, s, e)) : y;
    }

    private sealed class BatchNormNode(Tensor<T> x, Tensor<T>? gamma, Tensor<T>? beta, T[] mean, T[] invStd, int n, int c, int s, T eps)
        : Autodiff.Node<T>("batch_norm")
    {
        private readonly Tensor<T>[] _inputs = new[] { x, gamma, beta }.Where(t => t is not null).ToArray()!;

        public override int InputCount => _inputs.Length;
        public override Tensor<T> Input(int index) => _inputs[index];

        public override void Backward(Tensor<T> grad, Tensor<T> output, Autodiff.GradientSink<T> sink)
        {
            if (Autograd.IsRecording)
            {
                // Higher order: the same gradients as compositions of x (the statistics recomputed differentiably), γ and g.
                var x3 = x.Reshape(n, c, s);
                var g3 = grad.Reshape(n, c, s);
                int[] axes = [0, 2];
                var mu = x3.Mean(axes, keepDims: true);
                var xc = x3 - mu;
                var inv = ((xc * xc).Mean(axes, keepDims: true) + eps).Pow(Cv(-0.5));
                var xhat = xc * inv;
                var dBeta = g3.Sum(axes, keepDims: true);
                var dGamma = (g3 * xhat).Sum(axes, keepDims: true);
                if (beta is not null && beta.RequiresGrad) sink.Send(beta, dBeta.Reshape(c));
                if (gamma is not null && gamma.RequiresGrad) sink.Send(gamma, dGamma.Reshape(c));
                if (x.RequiresGrad)
                {
                    T count = T.CreateTruncating((long)n * s);
                    var scale = gamma is null ? inv : inv * gamma.Reshape(1, c, 1);
                    sink.Send(x, (scale * (g3 - dBeta / count - xhat * dGamma / count)).Reshape(x.ShapeRef));
                }
                return;
            }
            var gx = x.RequiresGrad ? new Tensor<T>(x.ShapeRef) : null;
            Tensor<T>? gg = null, gb = null, ggTarget = null, gbTarget = null;
            if (gamma is not null && gamma.RequiresGrad) { ggTarget = sink.DirectTarget(gamma); gg = ggTarget ?? new Tensor<T>([c]); }
            if (beta is not null && beta.RequiresGrad) { gbTarget = sink.DirectTarget(beta); gb = gbTarget ?? new Tensor<T>([c]); }
            Normalization.Backward(x.Buffer, grad.Buffer, n, c, s, mean, invStd, gamma?.Buffer, gx?.Buffer, gg?.Buffer, gb?.Buffer, ggTarget is not null, gbTarget is not null);
            if (gx is not null) sink.Send(x, gx);
            if (gg is not null && ggTarget is null) sink.Send(gamma!, gg);
            if (gb is not null && gbTarget is null) sink.Send(beta!, gb);
        }
    }
}
