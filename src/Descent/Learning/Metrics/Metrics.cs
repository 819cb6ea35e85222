using System.Numerics;

namespace Descent.Learning.Metrics;

/// <summary>
/// Evaluation metrics on predictions and targets (plain numbers, no gradients). Class predictions may be given as
/// scores [n, classes] (the arg-max is taken), as probabilities [n] or [n, 1] of class 1 (thresholded at 0.5), or as
/// class indices.
/// </summary>
public static class Metric
{
    /// <summary>The fraction of examples whose predicted class equals the label.</summary>
    public static double Accuracy<T>(Tensor<T> prediction, Tensor<T> labels) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (p, y) = Classes(prediction, labels);
        if (p.Length == 0) return double.NaN;
        int correct = 0;
        for (int i = 0; i < p.Length; i++) if (p[i] == y[i]) correct++;
        return (double)correct / p.Length;
    }

    /// <summary>The confusion matrix: entry [actual, predicted] counts examples.</summary>
    public static int[,] ConfusionMatrix<T>(Tensor<T> prediction, Tensor<T> labels, int? classes = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (p, y) = Classes(prediction, labels);
        int k = classes ?? Math.Max(2, Math.Max(p.DefaultIfEmpty(0).Max(), y.DefaultIfEmpty(0).Max()) + 1);
        if (prediction.Rank == 2 && prediction.Shape[1] > 1) k = Math.Max(k, prediction.Shape[1]);
        var m = new int[k, k];
        for (int i = 0; i < p.Length; i++) m[y[i], p[i]]++;
        return m;
    }

    /// <summary>
    /// Precision, recall and F1 of one class (<paramref name="positiveClass"/>, 1 by default), or their macro averages
    /// over all classes when <paramref name="positiveClass"/> is null. A ratio with a zero denominator counts as 0.
    /// </summary>
    public static (double Precision, double Recall, double F1) PrecisionRecallF1<T>(Tensor<T> prediction, Tensor<T> labels, int? positiveClass = 1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var m = ConfusionMatrix(prediction, labels);
        int k = m.GetLength(0);
        if (positiveClass is { } c) return ForClass(m, c);
        double p = 0, r = 0, f = 0;
        for (int i = 0; i < k; i++) { var s = ForClass(m, i); p += s.Precision; r += s.Recall; f += s.F1; }
        return (p / k, r / k, f / k);
    }

    private static (double Precision, double Recall, double F1) ForClass(int[,] m, int c)
    {
        int k = m.GetLength(0);
        if (c < 0 || c >= k) return (0, 0, 0);
        double tp = m[c, c], fp = 0, fn = 0;
        for (int i = 0; i < k; i++) { if (i != c) { fp += m[i, c]; fn += m[c, i]; } }
        double precision = tp + fp == 0 ? 0 : tp / (tp + fp);
        double recall = tp + fn == 0 ? 0 : tp / (tp + fn);
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return (precision, recall, f1);
    }

    /// <summary>Coefficient of determination R² = 1 − SS_res/SS_tot (over all outputs).</summary>
    public static double RSquared<T>(Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (p, y) = Values(prediction, target);
        double mean = y.Average(), ssRes = 0, ssTot = 0;
        for (int i = 0; i < y.Length; i++) { ssRes += (y[i] - p[i]) * (y[i] - p[i]); ssTot += (y[i] - mean) * (y[i] - mean); }
        return ssTot == 0 ? (ssRes == 0 ? 1 : double.NegativeInfinity) : 1 - ssRes / ssTot;
    }

    /// <summary>Mean absolute error.</summary>
    public static double MeanAbsoluteError<T>(Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (p, y) = Values(prediction, target);
        return p.Zip(y, (a, b) => Math.Abs(a - b)).DefaultIfEmpty(double.NaN).Average();
    }

    /// <summary>Root mean squared error.</summary>
    public static double RootMeanSquaredError<T>(Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (p, y) = Values(prediction, target);
        return Math.Sqrt(p.Zip(y, (a, b) => (a - b) * (a - b)).DefaultIfEmpty(double.NaN).Average());
    }

    private static (double[] P, double[] Y) Values<T>(Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (prediction.Size != target.Size)
            throw new ShapeException($"Metric: prediction shape {Shapes.Format(prediction.Shape)} and target shape {Shapes.Format(target.Shape)} hold different numbers of values.");
        return (prediction.ToDoubleArray(), target.ToDoubleArray());
    }

    /// <summary>Predicted and actual class indices.</summary>
    public static (int[] Predicted, int[] Actual) Classes<T>(Tensor<T> prediction, Tensor<T> labels) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(labels);
        int n = prediction.Rank == 0 ? 1 : prediction.Shape[0];
        int[] p;
        if (prediction.Rank == 2 && prediction.Shape[1] > 1)
            p = prediction.ArgMax(1).ToDoubleArray().Select(v => (int)v).ToArray();
        else
        {
            var values = prediction.ToDoubleArray();
            bool probabilities = values.All(v => v >= 0 && v <= 1) && values.Any(v => v != Math.Floor(v));
            p = values.Select(v => probabilities ? (v >= 0.5 ? 1 : 0) : (int)Math.Round(v)).ToArray();
        }
        var y = labels.ToDoubleArray().Select(v => (int)Math.Round(v)).ToArray();
        if (y.Length != n)
            throw new ShapeException($"Metric: {n} predictions but {y.Length} labels (shapes {Shapes.Format(prediction.Shape)} and {Shapes.Format(labels.Shape)}).");
        return (p, y);
    }
}
