using System.Globalization;
using System.Numerics;

namespace Descent.Learning.Data;

/// <summary>Options for <see cref="CsvDataset"/>.</summary>
public sealed record CsvOptions
{
    /// <summary>The field delimiter; null (default) detects it from the header line among , ; tab and |.</summary>
    public char? Delimiter { get; init; }

    /// <summary>
    /// When true, rows holding NaN or ±∞ (in a feature or numeric target) are dropped and counted in
    /// <see cref="CsvLoadResult{T}.DroppedRows"/>; when false (default) such a value is a <see cref="DataFormatException"/>.
    /// </summary>
    public bool DropNonFinite { get; init; }

    /// <summary>
    /// When true, the (single) target column holds class names, mapped to class indices 0..k−1 in sorted order
    /// (numeric order when every name is a number, ordinal string order otherwise); Y is then a [n] label tensor and
    /// <see cref="Dataset{T}.ClassNames"/> gives the mapping.
    /// </summary>
    public bool CategoricalTarget { get; init; }
}

/// <summary>What <see cref="CsvDataset.LoadWithReport{T}"/> read: the dataset and what was left out.</summary>
/// <param name="Dataset">The data.</param>
/// <param name="DroppedRows">How many data rows were dropped for non-finite values (<see cref="CsvOptions.DropNonFinite"/>).</param>
/// <param name="DroppedLines">The 1-based line numbers of the dropped rows.</param>
/// <param name="Delimiter">The delimiter used (given or detected).</param>
/// <typeparam name="T">The element type.</typeparam>
public sealed record CsvLoadResult<T>(Dataset<T> Dataset, int DroppedRows, IReadOnlyList<int> DroppedLines, char Delimiter)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// Reads a dataset from a CSV file with a header line: numeric feature columns and one or more target columns
/// (numbers, or class names with <see cref="CsvOptions.CategoricalTarget"/>). Numbers use the invariant culture
/// ("1.5", "-2e3"). Every problem is a <see cref="DataFormatException"/> naming the file, the line and the column.
/// </summary>
/// <example>
/// <code>
/// var data = CsvDataset.Load&lt;double&gt;("houses.csv", target: "price");
/// var iris = CsvDataset.Load&lt;float&gt;("iris.csv", "species", options: new CsvOptions { CategoricalTarget = true });
/// </code>
/// </example>
public static class CsvDataset
{
    /// <summary>Loads features and one target column (Y is [n, 1], or [n] labels when categorical).</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="target">The target column's name.</param>
    /// <param name="features">The feature columns, in this order; null means every column but the target, in file order.</param>
    /// <param name="options">Delimiter, non-finite handling, categorical target.</param>
    /// <exception cref="DataFormatException">The file is empty, malformed, lacks a column, or holds a bad value.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Dataset<T> Load<T>(string path, string target, string[]? features = null, CsvOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => LoadWithReport<T>(path, [target], features, options).Dataset;

    /// <summary>Loads features and several target columns (Y is [n, targets]).</summary>
    /// <inheritdoc cref="Load{T}(string, string, string[], CsvOptions)"/>
    public static Dataset<T> Load<T>(string path, string[] targets, string[]? features = null, CsvOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => LoadWithReport<T>(path, targets, features, options).Dataset;

    /// <summary>Loads like <see cref="Load{T}(string, string[], string[], CsvOptions)"/> and reports dropped rows and the delimiter.</summary>
    /// <inheritdoc cref="Load{T}(string, string, string[], CsvOptions)"/>
    public static CsvLoadResult<T> LoadWithReport<T>(string path, string[] targets, string[]? features = null, CsvOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file not found: {path}", path);
        return Read<T>(File.ReadAllText(path), path, targets, features, options);
    }

    /// <summary>Reads CSV from text in memory (errors name "CSV text" instead of a file).</summary>
    /// <inheritdoc cref="Load{T}(string, string, string[], CsvOptions)"/>
    /// <param name="text">The CSV content, header first.</param>
    /// <param name="targets">The target columns' names.</param>
    /// <param name="features">The feature columns; null means every other column.</param>
    /// <param name="options">Delimiter, non-finite handling, categorical target.</param>
    public static CsvLoadResult<T> Parse<T>(string text, string[] targets, string[]? features = null, CsvOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(text);
        return Read<T>(text, null, targets, features, options);
    }

    private static CsvLoadResult<T> Read<T>(string text, string? path, string[] targets, string[]? features, CsvOptions? options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(targets);
        options ??= new CsvOptions();
        if (targets.Length == 0) throw new ArgumentException("At least one target column is needed.", nameof(targets));
        if (options.CategoricalTarget && targets.Length != 1)
            throw new ArgumentException($"A categorical target must be a single column; {targets.Length} were given.", nameof(targets));
        string where = path ?? "CSV text";
        if (string.IsNullOrWhiteSpace(text))
            throw new DataFormatException($"{where}: the file is empty; a CSV dataset needs a header line naming the columns, then one line per row.", path, 1);

        char delimiter = options.Delimiter ?? CsvReader.DetectDelimiter(text);
        var reader = new CsvReader(text, delimiter, path);
        using var records = reader.Records().GetEnumerator();
        if (!records.MoveNext())
            throw new DataFormatException($"{where}: the file is empty; a CSV dataset needs a header line naming the columns.", path, 1);
        var header = records.Current.Fields.Select(f => f.Trim()).ToArray();
        int headerLine = records.Current.Line;
        for (int j = 0; j < header.Length; j++)
        {
            if (header[j].Length == 0)
                throw new DataFormatException($"{where}: line {headerLine}: column {j + 1} of the header has no name; every column needs one.", path, headerLine, null, j + 1);
            int first = Array.IndexOf(header, header[j]);
            if (first < j)
                throw new DataFormatException($"{where}: line {headerLine}: the column name '{header[j]}' appears twice (columns {first + 1} and {j + 1}); names must be unique.", path, headerLine, header[j], j + 1);
        }
        reader.Header = header;

        int ColumnOf(string name)
        {
            int k = Array.IndexOf(header, name);
            if (k < 0)
                throw new DataFormatException($"{where}: there is no column '{name}'; the available columns are: {string.Join(", ", header.Select(h => $"'{h}'"))}.", path, headerLine, name);
            return k;
        }
        int[] targetCols = targets.Select(ColumnOf).ToArray();
        int[] featureCols = features is null
            ? Enumerable.Range(0, header.Length).Where(j => !targetCols.Contains(j)).ToArray()
            : features.Select(ColumnOf).ToArray();
        foreach (int j in featureCols)
            if (targetCols.Contains(j))
                throw new ArgumentException($"Column '{header[j]}' cannot be both a feature and a target.", nameof(features));
        if (featureCols.Length == 0)
            throw new DataFormatException($"{where}: no feature columns remain besides the target(s) {string.Join(", ", targets)}; the file has only the columns: {string.Join(", ", header)}.", path, headerLine);

        var x = new List<T>();
        var y = new List<T>();
        var labels = new List<string>();
        var dropped = new List<int>();
        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if (fields.Length != header.Length)
            {
                int col = Math.Min(fields.Length, header.Length);
                throw new DataFormatException(
                    $"{where}: line {line} has {fields.Length} fields but the header has {header.Length}; " +
                    (fields.Length < header.Length ? $"the first missing one is column '{header[col]}' ({col + 1})." : $"the extra ones start at column {col + 1}. Quote fields that contain the delimiter '{Show(delimiter)}'."),
                    path, line, col < header.Length ? header[col] : null, col + 1);
            }
            bool finite = true;
            foreach (int j in featureCols) finite &= ParseCell(fields, j, line, x);
            if (options.CategoricalTarget)
            {
                string label = fields[targetCols[0]].Trim();
                if (label.Length == 0) throw Missing(targetCols[0], line);
                labels.Add(label);
            }
            else
                foreach (int j in targetCols) finite &= ParseCell(fields, j, line, y);

            if (!finite)
            {
                dropped.Add(line);
                x.RemoveRange(x.Count - featureCols.Length, featureCols.Length);
                if (options.CategoricalTarget) labels.RemoveAt(labels.Count - 1);
                else y.RemoveRange(y.Count - targetCols.Length, targetCols.Length);
            }
        }

        int n = x.Count / featureCols.Length;
        if (n == 0 && dropped.Count == 0)
            throw new DataFormatException($"{where}: the file has a header but no data rows.", path, headerLine);
        var featureNames = featureCols.Select(j => header[j]).ToArray();
        var targetNames = targetCols.Select(j => header[j]).ToArray();
        var xs = Tensor.FromArray(x.ToArray(), n, featureCols.Length);
        Dataset<T> dataset;
        if (options.CategoricalTarget)
        {
            var classes = labels.Distinct(StringComparer.Ordinal).ToArray();
            bool numeric = classes.All(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            classes = numeric
                ? classes.OrderBy(c => double.Parse(c, NumberStyles.Float, CultureInfo.InvariantCulture)).ThenBy(c => c, StringComparer.Ordinal).ToArray()
                : classes.Order(StringComparer.Ordinal).ToArray();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int k = 0; k < classes.Length; k++) index[classes[k]] = k;
            var ys = labels.Select(l => T.CreateTruncating(index[l])).ToArray();
            dataset = new Dataset<T>(xs, Tensor.FromArray(ys), featureNames, targetNames, classes.Length == 0 ? null : classes.Length, classes.Length == 0 ? null : classes);
        }
        else
            dataset = new Dataset<T>(xs, Tensor.FromArray(y.ToArray(), n, targetCols.Length), featureNames, targetNames);
        return new CsvLoadResult<T>(dataset, dropped.Count, dropped, delimiter);

        bool ParseCell(string[] fields, int column, int line, List<T> into)
        {
            string cell = fields[column].Trim();
            if (cell.Length == 0) throw Missing(column, line);
            if (!TryParseNumber(cell, out double value))
                throw new DataFormatException($"{where}: line {line}, column '{header[column]}' ({column + 1}): \"{fields[column]}\" is not a number (expected e.g. 1.5 or -2e3, with '.' as the decimal point).", path, line, header[column], column + 1);
            T v = T.CreateTruncating(value);
            into.Add(v);
            if (T.IsFinite(v)) return true;
            if (options.DropNonFinite) return false;
            string what = double.IsFinite(value) ? $"{cell} is out of range for {typeof(T).Name}" : $"{cell} is not a finite number";
            throw new DataFormatException($"{where}: line {line}, column '{header[column]}' ({column + 1}): {what}; remove the row, or pass new CsvOptions {{ DropNonFinite = true }} to drop such rows.", path, line, header[column], column + 1);
        }

        DataFormatException Missing(int column, int line)
            => new($"{where}: line {line}, column '{header[column]}' ({column + 1}): the value is missing; fill it in or remove the row.", path, line, header[column], column + 1);
    }

    private static bool TryParseNumber(string cell, out double value)
    {
        if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        switch (cell.ToLowerInvariant())
        {
            case "inf" or "+inf" or "infinity" or "+infinity": value = double.PositiveInfinity; return true;
            case "-inf" or "-infinity": value = double.NegativeInfinity; return true;
            case "nan" or "-nan": value = double.NaN; return true;
            default: return false;
        }
    }

    private static string Show(char c) => c == '\t' ? "\\t" : c.ToString();
}
