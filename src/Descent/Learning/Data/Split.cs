using System.Numerics;

namespace Descent.Learning.Data;

/// <summary>
/// Seeded splits of a dataset into train / validation / test parts and k folds. Each part keeps its rows in dataset
/// order. A stratified split (classification data only) splits every class separately, so each part keeps the class
/// proportions (to within one row per class).
/// </summary>
public static class Split
{
    /// <summary>Splits into train and test parts (test gets round(n·testFraction) rows).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is outside [0, 1].</exception>
    /// <exception cref="ArgumentException">Stratified on regression targets.</exception>
    public static (Dataset<T> Train, Dataset<T> Test) TrainTest<T>(Dataset<T> dataset, double testFraction = 0.2, int seed = 0, bool stratified = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (train, _, test) = TrainValidationTest(dataset, 1 - testFraction, 0, testFraction, seed, stratified);
        return (train, test);
    }

    /// <summary>
    /// The rows <see cref="TrainTest{T}"/> (not stratified) puts in each part of a <paramref name="count"/>-row dataset,
    /// each in ascending order: the split depends only on the row count, the fraction and the seed. Use them to read
    /// the parts in place, e.g. <c>new DataLoader&lt;T&gt;(data, 64, BatchOrder.Shuffled, seed, rows: train)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative or the fraction is outside [0, 1].</exception>
    public static (int[] Train, int[] Test) TrainTestRows(int count, double testFraction = 0.2, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var parts = PartRows([Enumerable.Range(0, count).ToArray()], 1 - testFraction, 0, testFraction, seed);
        return (parts[0], parts[2]);
    }

    /// <summary>
    /// Splits into train, validation and test parts. The validation and test parts get round(m·fraction) rows of each
    /// group (m = n, or the class size when stratified); train gets the rest. The fractions must sum to 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is outside [0, 1], or they do not sum to 1.</exception>
    /// <exception cref="ArgumentException">Stratified on regression targets.</exception>
    public static (Dataset<T> Train, Dataset<T> Validation, Dataset<T> Test) TrainValidationTest<T>(Dataset<T> dataset,
        double train = 0.7, double validation = 0.15, double test = 0.15, int seed = 0, bool stratified = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var parts = PartRows(Groups(dataset, stratified), train, validation, test, seed);
        var slices = parts.Select(dataset.Slice).ToArray();
        return (slices[0], slices[1], slices[2]);
    }

    /// <summary>
    /// k-fold cross-validation: the rows are shuffled (per class when stratified) and dealt into k folds whose sizes
    /// differ by at most one; fold i is the validation part of the i-th pair, the other folds its training part.
    /// Across the k pairs every row is validated exactly once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is below 2 or above the row count.</exception>
    /// <exception cref="ArgumentException">Stratified on regression targets.</exception>
    public static IReadOnlyList<(Dataset<T> Train, Dataset<T> Validation)> KFold<T>(Dataset<T> dataset, int k, int seed = 0, bool stratified = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        if (k > dataset.Count)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k-fold needs k ≤ the {dataset.Count} rows.");
        var fold = FoldOf(dataset, k, seed, stratified);
        var result = new List<(Dataset<T>, Dataset<T>)>(k);
        for (int f = 0; f < k; f++)
        {
            var validation = new List<int>();
            var train = new List<int>();
            for (int i = 0; i < fold.Length; i++) (fold[i] == f ? validation : train).Add(i);
            result.Add((dataset.Slice(train.ToArray()), dataset.Slice(validation.ToArray())));
        }
        return result;
    }

    /// <summary>The fold (0..k−1) of every row, as <see cref="KFold{T}"/> assigns it.</summary>
    public static int[] FoldOf<T>(Dataset<T> dataset, int k, int seed = 0, bool stratified = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        var rng = new DataRandom((ulong)seed);
        var fold = new int[dataset.Count];
        int next = 0; // dealing continues across classes, so fold sizes stay within one of each other
        foreach (var group in Groups(dataset, stratified))
        {
            rng.Shuffle(group);
            foreach (int row in group) { fold[row] = next; next = (next + 1) % k; }
        }
        return fold;
    }

    /// <summary>The rows of the train, validation and test parts (each ascending), dealt from the groups.</summary>
    private static int[][] PartRows(IEnumerable<int[]> groups, double train, double validation, double test, int seed)
    {
        foreach (var (value, name) in new[] { (train, nameof(train)), (validation, nameof(validation)), (test, nameof(test)) })
            if (!(value >= 0 && value <= 1)) throw new ArgumentOutOfRangeException(name, value, "A split fraction must be in [0, 1].");
        if (Math.Abs(train + validation + test - 1) > 1e-9)
            throw new ArgumentOutOfRangeException(nameof(test), $"The fractions {train} + {validation} + {test} must sum to 1.");
        var rng = new DataRandom((ulong)seed);
        var parts = new List<int>[] { [], [], [] };
        foreach (var group in groups)
        {
            rng.Shuffle(group);
            int nVal = (int)Math.Round(group.Length * validation, MidpointRounding.AwayFromZero);
            int nTest = Math.Min((int)Math.Round(group.Length * test, MidpointRounding.AwayFromZero), group.Length - nVal);
            parts[1].AddRange(group[..nVal]);
            parts[2].AddRange(group[nVal..(nVal + nTest)]);
            parts[0].AddRange(group[(nVal + nTest)..]);
        }
        return parts.Select(p => { var rows = p.ToArray(); Array.Sort(rows); return rows; }).ToArray();
    }

    /// <summary>One group of all rows, or (stratified) one group per class in class order.</summary>
    private static IEnumerable<int[]> Groups<T>(Dataset<T> dataset, bool stratified) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!stratified) return [Enumerable.Range(0, dataset.Count).ToArray()];
        if (!dataset.IsClassification)
            throw new ArgumentException($"A stratified split needs class labels (a [n] Y); this dataset has targets of shape {Shapes.Format(dataset.Y.Shape)}.", nameof(stratified));
        var labels = dataset.GetLabels();
        return Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
    }
}
