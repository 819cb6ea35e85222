using System.Numerics;

namespace Descent.Learning.Data;

/// <summary>
/// Scales each feature column to zero mean and unit variance: x′ = (x − mean) / std, with the mean and the population
/// standard deviation (divide by n) learned by <see cref="Fit{T}(Tensor{T})"/> on the training split only, then applied
/// unchanged to any data. A constant column (std = 0) is only centred (divided by 1), so it becomes 0, never NaN.
/// </summary>
/// <example>
/// <code>
/// var scaler = new Standardizer().Fit(train.X);
/// var trainX = scaler.Transform(train.X);
/// var testX = scaler.Transform(test.X);     // uses the training mean and std
/// </code>
/// </example>
public sealed class Standardizer
{
    private double[]? _mean, _scale;

    /// <summary>The learned per-column means (null before fitting).</summary>
    public IReadOnlyList<double>? Mean => _mean;

    /// <summary>The learned per-column divisors: the standard deviation, or 1 for a constant column (null before fitting).</summary>
    public IReadOnlyList<double>? Scale => _scale;

    /// <summary>Learns the column means and standard deviations of <paramref name="x"/> ([n, features…], n ≥ 1).</summary>
    /// <exception cref="ArgumentException">X has no rows or rank below 2.</exception>
    public Standardizer Fit<T>(Tensor<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (n, f) = Columns(x, "Standardizer.Fit");
        var mean = new double[f];
        var m2 = new double[f];
        var d = x.Data;
        for (int i = 0; i < n; i++)        // Welford's update: stable for large offsets
            for (int j = 0; j < f; j++)
            {
                double v = double.CreateTruncating(d[i * f + j]);
                double delta = v - mean[j];
                mean[j] += delta / (i + 1);
                m2[j] += delta * (v - mean[j]);
            }
        var scale = new double[f];
        for (int j = 0; j < f; j++)
        {
            double std = Math.Sqrt(m2[j] / n);
            scale[j] = std > 0 ? std : 1;
        }
        (_mean, _scale) = (mean, scale);
        return this;
    }

    /// <summary>Learns from the dataset's features.</summary>
    public Standardizer Fit<T>(Dataset<T> train) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(train);
        return Fit(train.X);
    }

    /// <summary>(x − mean) / scale per column, as a new constant tensor of the same shape.</summary>
    /// <exception cref="InvalidOperationException">Not fitted yet.</exception>
    /// <exception cref="ShapeException">The column count differs from the fitted data.</exception>
    public Tensor<T> Transform<T>(Tensor<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Affine(x, _mean, _scale, inverse: false, "Standardizer");

    /// <summary>The dataset with standardized features (targets unchanged).</summary>
    public Dataset<T> Transform<T>(Dataset<T> data) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.WithFeatures(Transform(data.X));
    }

    /// <summary>x·scale + mean per column: undoes <see cref="Transform{T}(Tensor{T})"/>.</summary>
    public Tensor<T> InverseTransform<T>(Tensor<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Affine(x, _mean, _scale, inverse: true, "Standardizer");

    internal static (int Rows, int Columns) Columns<T>(Tensor<T> x, string operation) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2 || x.Shape[0] == 0)
            throw new ArgumentException($"{operation}: needs X of shape [n, features…] with at least one row; got {Shapes.Format(x.Shape)}.", nameof(x));
        return (x.Shape[0], x.Size / x.Shape[0]);
    }

    /// <summary>(x − offset) / scale per column, or x·scale + offset when inverse.</summary>
    internal static Tensor<T> Affine<T>(Tensor<T> x, double[]? offset, double[]? scale, bool inverse, string name)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (offset is null || scale is null) throw new InvalidOperationException($"{name}: call Fit on the training data before transforming.");
        int f = offset.Length;
        int width = x.Rank < 2 ? -1 : Shapes.Size(x.Shape[1..]);
        if (width != f)
            throw new ShapeException($"{name}: was fitted on {f} feature columns but X has shape {Shapes.Format(x.Shape)}.");
        var result = Tensor.ZerosLike(x);
        var src = x.Data;
        var dst = result.Data;
        for (int i = 0; i < src.Length; i++)
        {
            int j = i % f;
            double v = double.CreateTruncating(src[i]);
            dst[i] = T.CreateTruncating(inverse ? v * scale[j] + offset[j] : (v - offset[j]) / scale[j]);
        }
        return result;
    }
}
