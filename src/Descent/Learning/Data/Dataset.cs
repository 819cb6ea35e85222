using System.Numerics;

namespace Descent.Learning.Data;

/// <summary>
/// A supervised dataset: features <see cref="X"/> of shape [n, features…] and targets <see cref="Y"/>, either
/// regression targets of shape [n, targets] or class labels as a [n] tensor of class indices (0, 1, …).
/// </summary>
/// <remarks>
/// Both tensors are constants (data). A dataset is immutable in shape; <see cref="Slice(int[])"/> copies the chosen rows
/// into a new dataset, which is how splits and loaders are built.
/// <example>
/// <code>
/// var data = Dataset.From(new double[,] { { 1 }, { 2 }, { 3 } }, new double[] { 2, 4, 6 });
/// var firstTwo = data.Slice([0, 1]);   // X [2, 1], Y [2, 1]
/// </code>
/// </example>
/// </remarks>
/// <typeparam name="T">The element type of both tensors.</typeparam>
public sealed class Dataset<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly string[] _featureNames;
    private readonly string[] _targetNames;
    private readonly string[]? _classNames;

    /// <summary>
    /// Makes a dataset from tensors (not copied). Rank-1 <paramref name="y"/> means class labels; rank-2 means
    /// regression targets.
    /// </summary>
    /// <param name="x">Features, [n, features…] (rank 2 or more).</param>
    /// <param name="y">Targets [n, targets], or class indices [n].</param>
    /// <param name="featureNames">One name per feature column (of X flattened after the first axis); default x0, x1, ….</param>
    /// <param name="targetNames">One name per target column; default y0, y1, … (or "y" for one target, "label" for labels).</param>
    /// <param name="classCount">For labels: the number of classes, when known. Every label must be below it.</param>
    /// <param name="classNames">For labels: the name of each class index (its length must equal <paramref name="classCount"/>).</param>
    /// <exception cref="ShapeException">X and Y have different numbers of rows, or a rank is wrong.</exception>
    /// <exception cref="ArgumentException">A name list has the wrong length, or a label is not a valid class index.</exception>
    public Dataset(Tensor<T> x, Tensor<T> y, IReadOnlyList<string>? featureNames = null, IReadOnlyList<string>? targetNames = null,
        int? classCount = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rank < 2)
            throw new ShapeException($"Dataset: X must have shape [n, features…] (rank 2 or more) but has shape {Shapes.Format(x.Shape)}; reshape a single feature to [n, 1].");
        if (y.Rank is < 1 or > 2)
            throw new ShapeException($"Dataset: Y must be [n, targets] for regression or [n] of class indices, but has shape {Shapes.Format(y.Shape)}.");
        if (x.Shape[0] != y.Shape[0])
            throw new ShapeException($"Dataset: X has {x.Shape[0]} rows but Y has {y.Shape[0]}; every feature row needs exactly one target row.");
        X = x;
        Y = y;
        _featureNames = Names(featureNames, Shapes.Size(x.Shape[1..]), "x", nameof(featureNames), "feature");
        if (y.Rank == 1)
        {
            _targetNames = targetNames is null ? ["label"] : Names(targetNames, 1, "y", nameof(targetNames), "target");
            if (classCount is { } k)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k, nameof(classCount));
                if (classNames is not null && classNames.Count != k)
                    throw new ArgumentException($"Dataset: {classNames.Count} class names were given for {k} classes.", nameof(classNames));
            }
            else if (classNames is not null)
                throw new ArgumentException("Dataset: class names need a class count.", nameof(classNames));
            var data = y.Data;
            for (int i = 0; i < data.Length; i++)
            {
                double v = double.CreateTruncating(data[i]);
                if (!(v >= 0) || v != Math.Floor(v) || (classCount is { } c && v >= c))
                    throw new ArgumentException($"Dataset: label {v} in row {i} is not a class index (an integer in 0..{(classCount is { } c2 ? (c2 - 1).ToString() : "∞")}).", nameof(y));
            }
            ClassCount = classCount;
            _classNames = classNames?.ToArray();
        }
        else
        {
            if (classCount is not null || classNames is not null)
                throw new ArgumentException($"Dataset: a class count is only meaningful for labels, a [n] Y; this Y has shape {Shapes.Format(y.Shape)}.", nameof(classCount));
            int targetCount = y.Shape[1];
            _targetNames = targetNames is null && targetCount == 1 ? ["y"] : Names(targetNames, targetCount, "y", nameof(targetNames), "target");
        }
    }

    private static string[] Names(IReadOnlyList<string>? names, int count, string prefix, string parameter, string what)
    {
        if (names is null) return Enumerable.Range(0, count).Select(i => prefix + i).ToArray();
        if (names.Count != count)
            throw new ArgumentException($"Dataset: {names.Count} {what} names were given for {count} {what} columns.", parameter);
        return names.ToArray();
    }

    /// <summary>The features, [n, features…].</summary>
    public Tensor<T> X { get; }

    /// <summary>The targets, [n, targets], or class indices [n] when <see cref="IsClassification"/>.</summary>
    public Tensor<T> Y { get; }

    /// <summary>The number of rows (examples).</summary>
    public int Count => X.Shape[0];

    /// <summary>The number of feature values per row (X flattened after the first axis).</summary>
    public int FeatureCount => _featureNames.Length;

    /// <summary>True when Y holds class indices (shape [n]).</summary>
    public bool IsClassification => Y.Rank == 1;

    /// <summary>For labels: the number of classes, when known; null otherwise.</summary>
    public int? ClassCount { get; }

    /// <summary>The name of each feature column.</summary>
    public IReadOnlyList<string> FeatureNames => _featureNames;

    /// <summary>The name of each target column ("label" for class indices unless named).</summary>
    public IReadOnlyList<string> TargetNames => _targetNames;

    /// <summary>For labels read from text: the name of each class index (index i ↔ ClassNames[i]); null otherwise.</summary>
    public IReadOnlyList<string>? ClassNames => _classNames;

    /// <summary>The class labels as integers.</summary>
    /// <exception cref="InvalidOperationException">Y holds regression targets, not labels.</exception>
    public int[] GetLabels()
    {
        if (!IsClassification)
            throw new InvalidOperationException($"This dataset has regression targets of shape {Shapes.Format(Y.Shape)}, not class labels.");
        var data = Y.Data;
        var labels = new int[data.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = int.CreateTruncating(data[i]);
        return labels;
    }

    /// <summary>
    /// A new dataset holding copies of the given rows, in the given order (repeats allowed). Names and classes carry over.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A row is outside 0..Count−1.</exception>
    public Dataset<T> Slice(int[] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new Dataset<T>(GatherRows(X, rows), GatherRows(Y, rows), this);
    }

    /// <summary>A new dataset holding copies of <paramref name="count"/> consecutive rows from <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside 0..Count.</exception>
    public Dataset<T> Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start > Count - count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows {start}..{start + count - 1} are outside the dataset's {Count} rows.");
        var rows = new int[count];
        for (int i = 0; i < count; i++) rows[i] = start + i;
        return Slice(rows);
    }

    /// <summary>The same data with another element type (copies).</summary>
    public Dataset<TOther> Cast<TOther>() where TOther : unmanaged, IBinaryFloatingPointIeee754<TOther>
        => new(X.Cast<TOther>(), Y.Cast<TOther>(), _featureNames, _targetNames, ClassCount, _classNames);

    /// <summary>The same targets and names with other features (same number of rows), e.g. after scaling.</summary>
    /// <exception cref="ShapeException">The row count differs.</exception>
    public Dataset<T> WithFeatures(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        bool sameWidth = x.Rank >= 2 && Shapes.Size(x.Shape[1..]) == FeatureCount;
        return new Dataset<T>(x, Y, sameWidth ? _featureNames : null, _targetNames, ClassCount, _classNames);
    }

    /// <summary>A short description: row count, shapes and classes.</summary>
    public override string ToString()
        => $"Dataset<{typeof(T).Name}>({Count} rows, X {Shapes.Format(X.Shape)}, Y {Shapes.Format(Y.Shape)}" +
           (ClassCount is { } k ? $", {k} classes)" : ")");

    // Trusted constructor for slices: shapes and labels are already known to be valid.
    private Dataset(Tensor<T> x, Tensor<T> y, Dataset<T> like)
    {
        X = x;
        Y = y;
        _featureNames = like._featureNames;
        _targetNames = like._targetNames;
        ClassCount = like.ClassCount;
        _classNames = like._classNames;
    }

    /// <summary>Copies rows (slices along axis 0) of <paramref name="source"/> into a new constant tensor, in the given order (repeats allowed).</summary>
    /// <param name="source">A tensor of rank 1 or more.</param>
    /// <param name="rows">Row indices into <paramref name="source"/>.</param>
    /// <returns>A tensor of shape [rows.Length, source's other axes…].</returns>
    /// <exception cref="ArgumentOutOfRangeException">A row is outside 0..n−1.</exception>
    public static Tensor<T> GatherRows(Tensor<T> source, ReadOnlySpan<int> rows)
    {
        var shape = source.ShapeArray;
        shape[0] = rows.Length;
        var result = new Tensor<T>(shape);
        GatherRowsInto(source, rows, result.Buffer);
        return result;
    }

    /// <summary>Copies rows of <paramref name="source"/> into <paramref name="destination"/> (row-major, back to back): what batches and chunks are made of.</summary>
    /// <param name="source">A tensor of rank 1 or more.</param>
    /// <param name="rows">Row indices into <paramref name="source"/>.</param>
    /// <param name="destination">At least rows.Length rows of room.</param>
    /// <exception cref="ArgumentOutOfRangeException">A row is outside 0..n−1.</exception>
    public static void GatherRowsInto(Tensor<T> source, ReadOnlySpan<int> rows, Span<T> destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        int n = source.Shape[0];
        int width = n == 0 ? 0 : source.Size / n;
        var src = source.Buffer;
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            if ((uint)r >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row {r} is outside the dataset's {n} rows (0..{n - 1}).");
            src.AsSpan(r * width, width).CopyTo(destination.Slice(i * width, width));
        }
    }

    /// <summary>Copies the <paramref name="count"/> consecutive rows of <paramref name="source"/> from <paramref name="start"/> into <paramref name="destination"/>.</summary>
    /// <param name="source">A tensor of rank 1 or more.</param>
    /// <param name="start">The first row.</param>
    /// <param name="count">The number of rows.</param>
    /// <param name="destination">At least <paramref name="count"/> rows of room.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside 0..n.</exception>
    public static void GatherRowsInto(Tensor<T> source, int start, int count, Span<T> destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        int n = source.Shape[0];
        if (start < 0 || count < 0 || start > n - count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows {start}..{start + count - 1} are outside the tensor's {n} rows.");
        int width = n == 0 ? 0 : source.Size / n;
        source.Buffer.AsSpan(start * width, count * width).CopyTo(destination);
    }
}
