using System.Numerics;

namespace Descent.Learning.Data;

/// <summary>One-hot encoding of class labels: label k becomes a row with 1 in column k and 0 elsewhere.</summary>
public static class OneHot
{
    /// <summary>Encodes labels [n] (class indices) as [n, classCount].</summary>
    /// <exception cref="ArgumentException">A label is not an integer in 0..classCount−1, or labels is not 1-D.</exception>
    public static Tensor<T> Encode<T>(Tensor<T> labels, int classCount) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Rank != 1)
            throw new ShapeException($"OneHot.Encode: labels must be [n]; got shape {Shapes.Format(labels.Shape)}.");
        var d = labels.Data;
        var ints = new int[d.Length];
        for (int i = 0; i < ints.Length; i++)
        {
            double v = double.CreateTruncating(d[i]);
            if (v != Math.Floor(v) || !(v >= 0) || v >= int.MaxValue)
                throw new ArgumentException($"OneHot.Encode: label {v} at position {i} is not a class index.", nameof(labels));
            ints[i] = (int)v;
        }
        return Encode<T>(ints, classCount);
    }

    /// <summary>Encodes integer labels as [n, classCount].</summary>
    /// <exception cref="ArgumentException">A label is outside 0..classCount−1.</exception>
    public static Tensor<T> Encode<T>(ReadOnlySpan<int> labels, int classCount) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        var result = Tensor.Zeros<T>(labels.Length, classCount);
        var dst = result.Data;
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"OneHot.Encode: label {labels[i]} at position {i} is outside 0..{classCount - 1}.", nameof(labels));
            dst[i * classCount + labels[i]] = T.One;
        }
        return result;
    }

    /// <summary>The class of each row of [n, classes] scores or one-hot rows: the index of its largest value (first on ties).</summary>
    public static int[] Decode<T>(Tensor<T> rows) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Rank != 2)
            throw new ShapeException($"OneHot.Decode: needs [n, classes]; got shape {Shapes.Format(rows.Shape)}.");
        int n = rows.Shape[0], k = rows.Shape[1];
        var d = rows.Data;
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int j = 1; j < k; j++) if (d[i * k + j] > d[i * k + best]) best = j;
            result[i] = best;
        }
        return result;
    }
}
