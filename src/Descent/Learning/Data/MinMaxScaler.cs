using System.Numerics;

namespace Descent.Learning.Data;

/// <summary>
/// Scales each feature column linearly so that the training minimum maps to <see cref="Low"/> and the training maximum
/// to <see cref="High"/> (default [0, 1]): x′ = low + (x − min)·(high − low) / (max − min). Fitted on the training
/// split only; other data may fall outside the range. A constant column maps to <see cref="Low"/> (no division by zero).
/// </summary>
public sealed class MinMaxScaler
{
    private double[]? _offset, _scale;

    /// <summary>Creates a scaler to [low, high].</summary>
    /// <exception cref="ArgumentOutOfRangeException">low is not below high, or either is not finite.</exception>
    public MinMaxScaler(double low = 0, double high = 1)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || !(low < high))
            throw new ArgumentOutOfRangeException(nameof(high), high, $"The target range needs finite low < high; got [{low}, {high}].");
        (Low, High) = (low, high);
    }

    /// <summary>The value the training minimum maps to.</summary>
    public double Low { get; }

    /// <summary>The value the training maximum maps to.</summary>
    public double High { get; }

    /// <summary>The learned per-column minima (null before fitting).</summary>
    public IReadOnlyList<double>? Min { get; private set; }

    /// <summary>The learned per-column maxima (null before fitting).</summary>
    public IReadOnlyList<double>? Max { get; private set; }

    /// <summary>Learns the column minima and maxima of <paramref name="x"/> ([n, features…], n ≥ 1).</summary>
    /// <exception cref="ArgumentException">X has no rows or rank below 2.</exception>
    public MinMaxScaler Fit<T>(Tensor<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (n, f) = Standardizer.Columns(x, "MinMaxScaler.Fit");
        var min = new double[f];
        var max = new double[f];
        Array.Fill(min, double.PositiveInfinity);
        Array.Fill(max, double.NegativeInfinity);
        var d = x.Data;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < f; j++)
            {
                double v = double.CreateTruncating(d[i * f + j]);
                min[j] = Math.Min(min[j], v);
                max[j] = Math.Max(max[j], v);
            }
        // x' = (x − offset) / scale with offset = min − low·scale and scale = (max − min) / (high − low).
        var scale = new double[f];
        var offset = new double[f];
        for (int j = 0; j < f; j++)
        {
            double range = max[j] - min[j];
            scale[j] = range > 0 ? range / (High - Low) : 1;
            offset[j] = min[j] - Low * scale[j];
        }
        (Min, Max, _offset, _scale) = (min, max, offset, scale);
        return this;
    }

    /// <summary>Learns from the dataset's features.</summary>
    public MinMaxScaler Fit<T>(Dataset<T> train) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(train);
        return Fit(train.X);
    }

    /// <summary>The scaled copy of <paramref name="x"/>.</summary>
    /// <exception cref="InvalidOperationException">Not fitted yet.</exception>
    /// <exception cref="ShapeException">The column count differs from the fitted data.</exception>
    public Tensor<T> Transform<T>(Tensor<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Standardizer.Affine(x, _offset, _scale, inverse: false, "MinMaxScaler");

    /// <summary>The dataset with scaled features (targets unchanged).</summary>
    public Dataset<T> Transform<T>(Dataset<T> data) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.WithFeatures(Transform(data.X));
    }

    /// <summary>Undoes <see cref="Transform{T}(Tensor{T})"/>.</summary>
    public Tensor<T> InverseTransform<T>(Tensor<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Standardizer.Affine(x, _offset, _scale, inverse: true, "MinMaxScaler");
}
