using System.Numerics;

namespace Descent.Learning.Data;

/// <summary>Creation of <see cref="Dataset{T}"/> from arrays and tensors (data is copied from arrays).</summary>
public static class Dataset
{
    /// <summary>A dataset over the given tensors (not copied); see <see cref="Dataset{T}(Tensor{T}, Tensor{T}, IReadOnlyList{string}?, IReadOnlyList{string}?, int?, IReadOnlyList{string}?)"/>.</summary>
    public static Dataset<T> From<T>(Tensor<T> x, Tensor<T> y, IReadOnlyList<string>? featureNames = null, IReadOnlyList<string>? targetNames = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => new(x, y, featureNames, targetNames);

    /// <summary>Regression data with one feature and one target: X [n, 1], Y [n, 1].</summary>
    /// <exception cref="ShapeException">The arrays have different lengths.</exception>
    public static Dataset<double> From(double[] x, double[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return new(Tensor.FromArray(x, x.Length, 1), Tensor.FromArray(y, y.Length, 1));
    }

    /// <summary>Regression data with one target: X [n, features], Y [n, 1].</summary>
    /// <exception cref="ShapeException">The row counts differ.</exception>
    public static Dataset<double> From(double[,] x, double[] y, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return new(Tensor.FromArray(x), Tensor.FromArray(y, y.Length, 1), featureNames);
    }

    /// <summary>Regression data with several targets: X [n, features], Y [n, targets].</summary>
    /// <exception cref="ShapeException">The row counts differ.</exception>
    public static Dataset<double> From(double[,] x, double[,] y, IReadOnlyList<string>? featureNames = null, IReadOnlyList<string>? targetNames = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return new(Tensor.FromArray(x), Tensor.FromArray(y), featureNames, targetNames);
    }

    /// <summary>Regression data with one target from jagged rows (all of one length): X [n, features], Y [n, 1].</summary>
    /// <exception cref="ShapeException">The rows have different lengths, or the row counts differ.</exception>
    public static Dataset<double> From(double[][] x, double[] y, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(y);
        return new(FromRows(x), Tensor.FromArray(y, y.Length, 1), featureNames);
    }

    /// <summary>Classification data: X [n, features] and labels [n] (class indices 0..classCount−1).</summary>
    /// <exception cref="ShapeException">The row counts differ.</exception>
    /// <exception cref="ArgumentException">A label is negative or not below <paramref name="classCount"/>.</exception>
    public static Dataset<double> FromLabels(double[,] x, int[] labels, int? classCount = null, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        return new(Tensor.FromArray(x), Tensor.FromArray(Array.ConvertAll(labels, l => (double)l)), featureNames, null, classCount ?? InferClassCount(labels));
    }

    /// <summary>Classification data from jagged rows and labels [n].</summary>
    /// <exception cref="ShapeException">Rows differ in length, or the row counts differ.</exception>
    /// <exception cref="ArgumentException">A label is negative or not below <paramref name="classCount"/>.</exception>
    public static Dataset<double> FromLabels(double[][] x, int[] labels, int? classCount = null, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return new(FromRows(x), Tensor.FromArray(Array.ConvertAll(labels, l => (double)l)), featureNames, null, classCount ?? InferClassCount(labels));
    }

    private static int? InferClassCount(int[] labels) => labels.Length == 0 ? null : Math.Max(labels.Max() + 1, 1);

    private static Tensor<double> FromRows(double[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int width = rows.Length == 0 ? 0 : rows[0].Length;
        var flat = new double[rows.Length * width];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i] is null || rows[i].Length != width)
                throw new ShapeException($"Dataset: row {i} has {rows[i]?.Length ?? 0} values but row 0 has {width}; all rows need the same length.");
            rows[i].CopyTo(flat, i * width);
        }
        return Tensor.FromArray(flat, rows.Length, width);
    }
}
