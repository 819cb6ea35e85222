using System.Numerics;

namespace Descent.Learning.Data;

/// <summary>How features are scaled before they reach a model.</summary>
public enum ScalingKind
{
    /// <summary>Features are used as they are.</summary>
    None,
    /// <summary>x′ = (x − mean) / std per column (see <see cref="Standardizer"/>).</summary>
    Standard,
    /// <summary>x′ = (x − min) / (max − min) per column, to [0, 1] (see <see cref="MinMaxScaler"/>).</summary>
    MinMax,
}

/// <summary>
/// The feature scaling a model was trained with, as plain numbers that travel with it: x′ = (x − offset) / scale per
/// column. <see cref="Fit{T}(Tensor{T}, ScalingKind, int[])"/> learns it from the training rows only (the same values as
/// <see cref="Standardizer"/> or <see cref="MinMaxScaler"/> fitted on those rows); <see cref="Apply{T}(Tensor{T}, bool)"/>
/// applies it to any data, the prediction inputs included.
/// </summary>
/// <param name="Kind">What the numbers are.</param>
/// <param name="Offset">Subtracted per column: the mean (standard) or the minimum (min-max).</param>
/// <param name="Scale">Divided by per column: the population standard deviation or the range; 1 for a constant column.</param>
public sealed record FeatureScaling(ScalingKind Kind, double[] Offset, double[] Scale)
{
    /// <summary>Learns the scaling of <paramref name="x"/> ([n, features…]) from its rows <paramref name="rows"/> (all rows when null).</summary>
    /// <exception cref="ArgumentException">No rows, or <paramref name="kind"/> is <see cref="ScalingKind.None"/>.</exception>
    public static FeatureScaling Fit<T>(Tensor<T> x, ScalingKind kind, int[]? rows = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (kind == ScalingKind.None) throw new ArgumentException("ScalingKind.None learns nothing; use no scaling instead.", nameof(kind));
        var (n, f) = Standardizer.Columns(x, "FeatureScaling.Fit");
        int count = rows?.Length ?? n;
        if (count == 0) throw new ArgumentException("FeatureScaling.Fit: no rows to learn from.", nameof(rows));
        var d = x.Data;
        var offset = new double[f];
        var scale = new double[f];
        if (kind == ScalingKind.Standard)
        {
            var m2 = new double[f];
            for (int r = 0; r < count; r++)   // Welford's update, as Standardizer
            {
                int i = rows?[r] ?? r;
                for (int j = 0; j < f; j++)
                {
                    double v = double.CreateTruncating(d[i * f + j]);
                    double delta = v - offset[j];
                    offset[j] += delta / (r + 1);
                    m2[j] += delta * (v - offset[j]);
                }
            }
            for (int j = 0; j < f; j++)
            {
                double std = Math.Sqrt(m2[j] / count);
                scale[j] = std > 0 ? std : 1;
            }
        }
        else
        {
            var max = new double[f];
            Array.Fill(offset, double.PositiveInfinity);
            Array.Fill(max, double.NegativeInfinity);
            for (int r = 0; r < count; r++)
            {
                int i = rows?[r] ?? r;
                for (int j = 0; j < f; j++)
                {
                    double v = double.CreateTruncating(d[i * f + j]);
                    offset[j] = Math.Min(offset[j], v);
                    max[j] = Math.Max(max[j], v);
                }
            }
            for (int j = 0; j < f; j++) scale[j] = max[j] > offset[j] ? max[j] - offset[j] : 1;
        }
        return new FeatureScaling(kind, offset, scale);
    }

    /// <summary>The number of feature columns.</summary>
    public int Columns => Offset.Length;

    /// <summary>(x − offset) / scale per column, in place or as a new tensor.</summary>
    /// <exception cref="ShapeException">The column count differs from the fitted data.</exception>
    public Tensor<T> Apply<T>(Tensor<T> x, bool inPlace = false) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        int f = Offset.Length;
        int width = x.Rank < 2 ? -1 : Shapes.Size(x.Shape[1..]);
        if (width != f)
            throw new ShapeException($"FeatureScaling: was fitted on {f} feature columns but X has shape {Shapes.Format(x.Shape)}.");
        var result = inPlace ? x : Tensor.ZerosLike(x);
        var src = x.Data;
        var dst = result.Data;
        for (int i = 0; i < src.Length; i++)
        {
            int j = i % f;
            dst[i] = T.CreateTruncating((double.CreateTruncating(src[i]) - Offset[j]) / Scale[j]);
        }
        return result;
    }

    /// <summary>The kind's name as the CLI and model files write it: none, standard, minmax.</summary>
    public static string Name(ScalingKind kind) => kind switch { ScalingKind.Standard => "standard", ScalingKind.MinMax => "minmax", _ => "none" };

    /// <summary>The kind named <paramref name="name"/> (none, standard, minmax), or null when unknown.</summary>
    public static ScalingKind? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "none" or "off" => ScalingKind.None,
        "standard" or "standardize" or "z" or "zscore" => ScalingKind.Standard,
        "minmax" or "min-max" => ScalingKind.MinMax,
        _ => null,
    };
}
