using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Kernels;

/// <summary>
/// Batch normalisation over data laid out [N, C, S] (S positions per channel: 1 for [N, C], H·W for images): per channel
/// statistics, normalisation with the affine map, and the backward pass — each one pass over the data (the statistics
/// two, for a variance that does not cancel). They know nothing of gradients.
/// </summary>
internal static class Normalization
{
    /// <summary>The mean and the biased variance of each channel over the batch and positions.</summary>
    public static void Statistics<T>(T[] x, int n, int c, int s, T[] mean, T[] variance) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T count = T.CreateTruncating((long)n * s);
        Convolution.Parallel(c, (long)n * s * 2, ch =>
        {
            T sum = T.Zero;
            for (int i = 0; i < n; i++) sum += TensorPrimitives.Sum<T>(x.AsSpan((i * c + ch) * s, s));
            T mu = sum / count;
            T squares = T.Zero;
            for (int i = 0; i < n; i++)
            {
                var row = x.AsSpan((i * c + ch) * s, s);
                for (int j = 0; j < row.Length; j++) { T d = row[j] - mu; squares += d * d; }
            }
            mean[ch] = mu;
            variance[ch] = squares / count;
        });
    }

    /// <summary>y = (x − mean)·invStd·γ + β per channel (γ = 1, β = 0 when null).</summary>
    public static void Normalize<T>(T[] x, T[] y, int n, int c, int s, T[] mean, T[] invStd, T[]? gamma, T[]? beta) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Convolution.Parallel(n, (long)c * s, i =>
        {
            for (int ch = 0; ch < c; ch++)
            {
                T scale = invStd[ch] * (gamma is null ? T.One : gamma[ch]);
                T shift = (beta is null ? T.Zero : beta[ch]) - mean[ch] * scale;
                var src = x.AsSpan((i * c + ch) * s, s);
                var dst = y.AsSpan((i * c + ch) * s, s);
                TensorPrimitives.Multiply<T>(src, scale, dst);
                TensorPrimitives.Add<T>(dst, shift, dst);
            }
        });
    }

    /// <summary>
    /// The backward pass of training-mode normalisation, with x̂ = (x − mean)·invStd and M = N·S:
    /// ∂β = Σg, ∂γ = Σg·x̂, ∂x = γ·invStd·(g − ∂β/M − x̂·∂γ/M). Each output may be null (not wanted); ∂γ and ∂β are
    /// added to their buffers when <paramref name="accumulateGamma"/> / <paramref name="accumulateBeta"/>.
    /// </summary>
    public static void Backward<T>(T[] x, T[] g, int n, int c, int s, T[] mean, T[] invStd, T[]? gamma, T[]? gx, T[]? gGamma, T[]? gBeta, bool accumulateGamma, bool accumulateBeta)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T count = T.CreateTruncating((long)n * s);
        Convolution.Parallel(c, (long)n * s * 2, ch =>
        {
            T mu = mean[ch], inv = invStd[ch];
            T sumG = T.Zero, sumGX = T.Zero;
            for (int i = 0; i < n; i++)
            {
                var gr = g.AsSpan((i * c + ch) * s, s);
                var xr = x.AsSpan((i * c + ch) * s, s);
                for (int j = 0; j < s; j++) { sumG += gr[j]; sumGX += gr[j] * (xr[j] - mu); }
            }
            T dGamma = sumGX * inv;
            if (gGamma is not null) gGamma[ch] = accumulateGamma ? gGamma[ch] + dGamma : dGamma;
            if (gBeta is not null) gBeta[ch] = accumulateBeta ? gBeta[ch] + sumG : sumG;
            if (gx is null) return;
            T scale = (gamma is null ? T.One : gamma[ch]) * inv;
            T meanG = sumG / count, k = dGamma * inv / count;
            for (int i = 0; i < n; i++)
            {
                var gr = g.AsSpan((i * c + ch) * s, s);
                var xr = x.AsSpan((i * c + ch) * s, s);
                var dr = gx.AsSpan((i * c + ch) * s, s);
                for (int j = 0; j < s; j++) dr[j] = scale * (gr[j] - meanG - (xr[j] - mu) * k);
            }
        });
    }
}
