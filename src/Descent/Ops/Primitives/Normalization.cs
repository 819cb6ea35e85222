using System.Collections.Immutable;
using System.Numerics;
using Descent.Autodiff;
using Descent.Kernels;

namespace Descent.Ops;

/// <summary>
/// Batch normalisation in training mode, inputs [x] plus γ and β when <see cref="HasWeight"/>/<see cref="HasBias"/>:
/// x viewed as [N, C, S], y = (x − μ)·invStd·γ + β with the batch's per-channel <see cref="Mean"/> and
/// <see cref="InvStd"/> = 1/√(σ² + ε) (σ² biased) — what the forward pass measured, kept as PyTorch keeps
/// <c>save_mean</c>/<c>save_invstd</c>. A plain backward pass runs one kernel for the three gradients (γ's and β's added
/// straight into the leaves' <see cref="Tensor{T}.Grad"/> when offered); the VJP, used by recorded backward passes (higher
/// order), writes the same gradients as tensor operations, the statistics recomputed differentiably from x.
/// </summary>
internal sealed record BatchNormTraining<T>(int N, int C, int S, T Eps, bool HasWeight, bool HasBias, ImmutableArray<T> Mean, ImmutableArray<T> InvStd)
    : NaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "batch_norm";

    public override string Label => $"batch_norm(eps={Eps})";

    /// <summary>Normalises x with its batch statistics; the record returned holds them for the backward pass (and the biased variance for the running statistics).</summary>
    public static (Tensor<T> Result, BatchNormTraining<T> Op, T[] Variance) Run(Tensor<T> x, Tensor<T>? weight, Tensor<T>? bias, int n, int c, int s, T eps)
    {
        var mean = new T[c];
        var variance = new T[c];
        Normalization.Statistics(x.Buffer, n, c, s, mean, variance);
        var invStd = new T[c];
        for (int i = 0; i < c; i++) invStd[i] = T.One / T.Sqrt(variance[i] + eps);
        var y = new Tensor<T>(x.ShapeRef);
        Normalization.Normalize(x.Buffer, y.Buffer, n, c, s, mean, invStd, weight?.Buffer, bias?.Buffer);
        var op = new BatchNormTraining<T>(n, c, s, eps, weight is not null, bias is not null,
            System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(mean),
            System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(invStd));
        return (y, op, variance);
    }

    /// <summary>The inputs as the node holds them: x, then γ and β when given.</summary>
    public Tensor<T>[] Inputs(Tensor<T> x, Tensor<T>? weight, Tensor<T>? bias)
        => (weight, bias) switch { (null, null) => [x], (not null, null) => [x, weight], (null, not null) => [x, bias], _ => [x, weight!, bias!] };

    private (Tensor<T>? Gamma, Tensor<T>? Beta) Affine(Tensor<T>[] inputs)
        => (HasWeight ? inputs[1] : null, HasBias ? inputs[HasWeight ? 2 : 1] : null);

    public override Tensor<T> Forward(Tensor<T>[] inputs)
    {
        var (gamma, beta) = Affine(inputs);
        return Run(inputs[0], gamma, beta, N, C, S, Eps).Result;
    }

    public override Tensor<T>?[] Vjp(Tensor<T> grad, Tensor<T>[] inputs, Tensor<T> y)
    {
        var x = inputs[0];
        var (gamma, beta) = Affine(inputs);
        var grads = new Tensor<T>?[inputs.Length];
        var x3 = x.Reshape(N, C, S);
        var g3 = grad.Reshape(N, C, S);
        int[] axes = [0, 2];
        var mu = x3.Mean(axes, keepDims: true);
        var xc = x3 - mu;
        var inv = ((xc * xc).Mean(axes, keepDims: true) + Eps).Pow(Cv(-0.5));
        var xhat = xc * inv;
        var dBeta = g3.Sum(axes, keepDims: true);
        var dGamma = (g3 * xhat).Sum(axes, keepDims: true);
        if (beta is not null && beta.RequiresGrad) grads[^1] = dBeta.Reshape(C);
        if (gamma is not null && gamma.RequiresGrad) grads[1] = dGamma.Reshape(C);
        if (x.RequiresGrad)
        {
            T count = T.CreateTruncating((long)N * S);
            var scale = gamma is null ? inv : inv * gamma.Reshape(1, C, 1);
            grads[0] = (scale * (g3 - dBeta / count - xhat * dGamma / count)).Reshape(x.ShapeRef);
        }
        return grads;
    }

    internal override void Backward(Node<T> node, Tensor<T> grad, Tensor<T> output, GradientSink<T> sink)
    {
        if (Autograd.IsRecording)
        {
            base.Backward(node, grad, output, sink);
            return;
        }
        var inputs = new Tensor<T>[node.InputCount];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = node.Input(i);
        var x = inputs[0];
        var (gamma, beta) = Affine(inputs);
        var gx = x.RequiresGrad ? new Tensor<T>(x.ShapeRef) : null;
        Tensor<T>? gg = null, gb = null, ggTarget = null, gbTarget = null;
        if (gamma is not null && gamma.RequiresGrad) { ggTarget = sink.DirectTarget(gamma); gg = ggTarget ?? new Tensor<T>([C]); }
        if (beta is not null && beta.RequiresGrad) { gbTarget = sink.DirectTarget(beta); gb = gbTarget ?? new Tensor<T>([C]); }
        Normalization.Backward(x.Buffer, grad.Buffer, N, C, S, Raw(Mean), Raw(InvStd), gamma?.Buffer, gx?.Buffer, gg?.Buffer, gb?.Buffer,
            ggTarget is not null, gbTarget is not null);
        if (gx is not null) sink.Send(x, gx);
        if (gg is not null && ggTarget is null) sink.Send(gamma!, gg);
        if (gb is not null && gbTarget is null) sink.Send(beta!, gb);
    }

    private static T[] Raw(ImmutableArray<T> values) => System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsArray(values)!;
}
