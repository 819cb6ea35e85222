using System.Numerics;

namespace Descent.Learning.Metrics;

/// <summary>Precision, recall and F1 of one class, with its support (how many examples truly belong to it).</summary>
/// <param name="Name">The class's name (its label as the data wrote it, or its index).</param>
/// <param name="Precision">TP / (TP + FP): of the examples predicted as this class, the fraction that are; 0 when none was predicted.</param>
/// <param name="Recall">TP / (TP + FN): of the examples of this class, the fraction found; 0 when the class has no examples.</param>
/// <param name="F1">2·P·R / (P + R), the harmonic mean; 0 when both are 0.</param>
/// <param name="Support">The number of examples whose true class this is.</param>
public sealed record ClassScores(string Name, double Precision, double Recall, double F1, int Support);

/// <summary>
/// A classifier's results on labelled data: the confusion matrix (row = actual class, column = predicted class), the
/// per-class precision, recall, F1 and support, the accuracy and the macro averages (unweighted means over classes).
/// </summary>
/// <example>
/// <code>
/// var report = ClassificationReport.From(model.Forward(test.X), test.Y, test.ClassNames);
/// Console.WriteLine($"{report.Accuracy:P1}, F1 of {report.Classes[0].Name}: {report.Classes[0].F1:F3}");
/// </code>
/// </example>
public sealed class ClassificationReport
{
    private ClassificationReport(int[,] confusion, IReadOnlyList<ClassScores> classes)
    {
        Confusion = confusion;
        Classes = classes;
        int k = confusion.GetLength(0);
        long total = 0, correct = 0;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) { total += confusion[i, j]; if (i == j) correct += confusion[i, j]; }
        Count = (int)total;
        Accuracy = total == 0 ? double.NaN : (double)correct / total;
        MacroPrecision = classes.Count == 0 ? double.NaN : classes.Average(c => c.Precision);
        MacroRecall = classes.Count == 0 ? double.NaN : classes.Average(c => c.Recall);
        MacroF1 = classes.Count == 0 ? double.NaN : classes.Average(c => c.F1);
    }

    /// <summary>Entry [actual, predicted] counts the examples of class <c>actual</c> predicted as <c>predicted</c>.</summary>
    public int[,] Confusion { get; }

    /// <summary>The scores of each class, in class-index order.</summary>
    public IReadOnlyList<ClassScores> Classes { get; }

    /// <summary>The number of examples.</summary>
    public int Count { get; }

    /// <summary>The fraction predicted correctly (the confusion matrix's trace over its sum).</summary>
    public double Accuracy { get; }

    /// <summary>The mean precision over classes.</summary>
    public double MacroPrecision { get; }

    /// <summary>The mean recall over classes.</summary>
    public double MacroRecall { get; }

    /// <summary>The mean F1 over classes.</summary>
    public double MacroF1 { get; }

    /// <summary>
    /// The report of <paramref name="prediction"/> (scores [n, classes], probabilities of class 1, or class indices, as
    /// <see cref="Metric.Classes{T}"/> reads them) against the labels <paramref name="labels"/>.
    /// </summary>
    /// <param name="prediction">The model's output.</param>
    /// <param name="labels">The true class indices, [n].</param>
    /// <param name="classNames">The classes' names (their count sets the matrix size); null: indices "0", "1", ….</param>
    /// <exception cref="ShapeException">The prediction and label counts differ.</exception>
    public static ClassificationReport From<T>(Tensor<T> prediction, Tensor<T> labels, IReadOnlyList<string>? classNames = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (p, y) = Metric.Classes(prediction, labels);
        int k = classNames?.Count ?? Math.Max(2, Math.Max(p.DefaultIfEmpty(0).Max(), y.DefaultIfEmpty(0).Max()) + 1);
        if (classNames is null && prediction.Rank == 2 && prediction.Shape[1] > 1) k = Math.Max(k, prediction.Shape[1]);
        return FromClasses(p, y, k, classNames);
    }

    /// <summary>
    /// The report of predicted class indices against actual ones, for <paramref name="classCount"/> classes. An index
    /// outside 0..classCount−1 (e.g. −1 for a label the model never saw) counts as a wrong prediction but has no
    /// matrix cell.
    /// </summary>
    public static ClassificationReport FromClasses(IReadOnlyList<int> predicted, IReadOnlyList<int> actual, int classCount, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (predicted.Count != actual.Count)
            throw new ArgumentException($"{predicted.Count} predictions but {actual.Count} labels.", nameof(actual));
        if (classNames is not null && classNames.Count != classCount)
            throw new ArgumentException($"{classNames.Count} class names for {classCount} classes.", nameof(classNames));
        int k = classCount;
        var m = new int[k, k];
        var support = new int[k];
        var predictedCount = new int[k];
        for (int i = 0; i < predicted.Count; i++)
        {
            int a = actual[i], q = predicted[i];
            if ((uint)a < (uint)k) support[a]++;
            if ((uint)q < (uint)k) predictedCount[q]++;
            if ((uint)a < (uint)k && (uint)q < (uint)k) m[a, q]++;
        }
        var classes = new ClassScores[k];
        for (int c = 0; c < k; c++)
        {
            double tp = m[c, c];
            double precision = predictedCount[c] == 0 ? 0 : tp / predictedCount[c];
            double recall = support[c] == 0 ? 0 : tp / support[c];
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes[c] = new ClassScores(classNames?[c] ?? c.ToString(System.Globalization.CultureInfo.InvariantCulture), precision, recall, f1, support[c]);
        }
        var report = new ClassificationReport(m, classes);
        if (predicted.Count != report.Count)
        {
            // Examples outside the matrix (unknown classes) are wrong: the accuracy is over all of them.
            int correct = 0;
            for (int i = 0; i < predicted.Count; i++) if (predicted[i] == actual[i] && (uint)actual[i] < (uint)k) correct++;
            return new ClassificationReport(m, classes, predicted.Count, predicted.Count == 0 ? double.NaN : (double)correct / predicted.Count);
        }
        return report;
    }

    private ClassificationReport(int[,] confusion, IReadOnlyList<ClassScores> classes, int count, double accuracy) : this(confusion, classes)
    {
        Count = count;
        Accuracy = accuracy;
    }
}
