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
    /// <remarks>
    /// False (the default): numeric targets. Null: inferred from the column — class names (any value that is not a number)
    /// or a few distinct whole numbers (at most <see cref="CsvDataset.MaxInferredIntegerClasses"/>, each seen twice on
    /// average) make it categorical, anything else numeric; <see cref="CsvLoadResult{T}.TaskNote"/> says what was inferred.
    /// </remarks>
    public bool? CategoricalTarget { get; init; } = false;
}

/// <summary>What <see cref="CsvDataset.LoadWithReport{T}"/> read: the dataset and what was left out.</summary>
/// <param name="Dataset">The data.</param>
/// <param name="DroppedRows">How many data rows were dropped for non-finite values (<see cref="CsvOptions.DropNonFinite"/>).</param>
/// <param name="DroppedLines">The 1-based line numbers of the dropped rows.</param>
/// <param name="Delimiter">The delimiter used (given or detected).</param>
/// <typeparam name="T">The element type.</typeparam>
public sealed record CsvLoadResult<T>(Dataset<T> Dataset, int DroppedRows, IReadOnlyList<int> DroppedLines, char Delimiter)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>
    /// When the task was inferred (<see cref="CsvOptions.CategoricalTarget"/> null): what was inferred and why, e.g.
    /// "classification: 'species' holds class names (3 classes)"; null otherwise.
    /// </summary>
    public string? TaskNote { get; init; }
}

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
    /// <remarks>
    /// The file is streamed line by line into typed buffers: memory is about the data's size as <typeparamref name="T"/>
    /// (twice that for a moment at the end), never the text's. A binary file (a NUL or control byte) is refused at its
    /// first line.
    /// </remarks>
    /// <inheritdoc cref="Load{T}(string, string, string[], CsvOptions)"/>
    public static CsvLoadResult<T> LoadWithReport<T>(string path, string[] targets, string[]? features = null, CsvOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file not found: {path}", path);
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return Read<T>(reader, path, targets, features, options);
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
        using var reader = new StringReader(text);
        return Read<T>(reader, null, targets, features, options);
    }

    /// <summary>
    /// The column names of a CSV file's header line and its delimiter (given in <paramref name="delimiter"/>, or detected
    /// among , ; tab and | as the one occurring most often in the header). Reads only the first line.
    /// </summary>
    /// <exception cref="DataFormatException">The file is empty, binary, or its header is malformed.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static (string[] Columns, char Delimiter) ReadHeader(string path, char? delimiter = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file not found: {path}", path);
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        string first = FirstLines(reader, path);
        char d = delimiter ?? CsvReader.DetectDelimiter(first.TrimStart('\r', '\n', ' ', '\t'));
        var header = HeaderOf(new CsvReader(first, TextReader.Null, d, path), path);
        return (header.Columns, d);
    }

    /// <summary>The text up to and including the first line that is not blank (the header), read with bounded memory.</summary>
    private static string FirstLines(TextReader reader, string? path)
    {
        string text = CsvReader.PeekFirstLine(reader, path);
        while (string.IsNullOrWhiteSpace(text) && reader.Peek() >= 0)
        {
            text += CsvReader.PeekFirstLine(reader, path);
            if (text.Length > CsvReader.MaxRecordChars)
                throw new DataFormatException($"{path ?? "CSV text"}: the file starts with more than {CsvReader.MaxRecordChars / (1024 * 1024)} Mi blank characters: this is not a CSV file with a header line.", path, 1);
        }
        return text;
    }

    private static (string[] Columns, int Line) HeaderOf(CsvReader reader, string? path)
    {
        string where = path ?? "CSV text";
        using var records = reader.Records().GetEnumerator();
        if (!records.MoveNext())
            throw new DataFormatException($"{where}: the file is empty; a CSV dataset needs a header line naming the columns, then one line per row.", path, 1);
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
        return (header, headerLine);
    }

    /// <summary>The largest number of classes a target may have when the task is inferred, or given as classification.</summary>
    public const int MaxClasses = 10_000;

    /// <summary>An integer target with at most this many distinct values (and at least two rows per value on average) is inferred to hold class labels.</summary>
    public const int MaxInferredIntegerClasses = 20;

    private static CsvLoadResult<T> Read<T>(TextReader text, string? path, string[] targets, string[]? features, CsvOptions? options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(targets);
        options ??= new CsvOptions();
        bool? categorical = options.CategoricalTarget;
        if (targets.Length == 0 && categorical == true) throw new ArgumentException("A categorical target needs a target column.", nameof(targets));
        if (categorical != false && targets.Length > 1)
        {
            if (categorical == true) throw new ArgumentException($"A categorical target must be a single column; {targets.Length} were given.", nameof(targets));
            categorical = false; // several targets: regression
        }
        if (targets.Length == 0) categorical = false;
        string where = path ?? "CSV text";

        string first = FirstLines(text, path);
        if (string.IsNullOrWhiteSpace(first))
            throw new DataFormatException($"{where}: the file is empty; a CSV dataset needs a header line naming the columns, then one line per row.", path, 1);
        char delimiter = options.Delimiter ?? CsvReader.DetectDelimiter(first.TrimStart('\r', '\n', ' ', '\t'));
        var reader = new CsvReader(first, text, delimiter, path);
        using var records = reader.Records().GetEnumerator();
        if (!records.MoveNext())
            throw new DataFormatException($"{where}: the file is empty; a CSV dataset needs a header line naming the columns.", path, 1);
        var header = records.Current.Fields.Select(f => f.Trim()).ToArray();
        int headerLine = records.Current.Line;
        for (int j = 0; j < header.Length; j++)
        {
            if (header[j].Length == 0)
                throw new DataFormatException($"{where}: line {headerLine}: column {j + 1} of the header has no name; every column needs one.", path, headerLine, null, j + 1);
            int firstIndex = Array.IndexOf(header, header[j]);
            if (firstIndex < j)
                throw new DataFormatException($"{where}: line {headerLine}: the column name '{header[j]}' appears twice (columns {firstIndex + 1} and {j + 1}); names must be unique.", path, headerLine, header[j], j + 1);
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

        var x = new ChunkedBuffer<T>();
        var y = new ChunkedBuffer<T>();
        // Class labels: an id per row, in first-seen order (kept while the target may be categorical).
        var ids = categorical != false ? new ChunkedBuffer<int>() : null;
        var labelIds = categorical != false ? new Dictionary<string, int>(StringComparer.Ordinal) : null;
        var labelNames = new List<string>();
        bool allNumbers = categorical != true, allIntegers = true;
        int labelLimit = categorical == true ? MaxClasses : Math.Max(MaxInferredIntegerClasses, 1000);
        var dropped = new List<int>();
        long rows = 0;
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
            if (categorical == false)
                foreach (int j in targetCols) finite &= ParseCell(fields, j, line, y);
            else
            {
                int column = targetCols[0];
                string label = fields[column].Trim();
                if (label.Length == 0) throw Missing(column, line);
                if (allNumbers)
                {
                    if (TryParseNumber(label, out double value))
                    {
                        T v = T.CreateTruncating(value);
                        y.Add(v);
                        allIntegers &= double.IsFinite(value) && value == Math.Floor(value);
                        if (!T.IsFinite(v))
                        {
                            if (!options.DropNonFinite) throw NonFinite(column, line, label, value);
                            finite = false;
                        }
                    }
                    else
                    {
                        if (labelIds is null)
                            throw new DataFormatException($"{where}: line {line}, column '{header[column]}' ({column + 1}): \"{fields[column]}\" is not a number, but the rows above hold more than {labelLimit} different numbers (a regression target). Fix the value, or remove the row.", path, line, header[column], column + 1);
                        allNumbers = false;
                        y = new ChunkedBuffer<T>();
                    }
                }
                if (labelIds is not null)
                {
                    if (!labelIds.TryGetValue(label, out int id))
                    {
                        if (labelIds.Count >= labelLimit)
                        {
                            if (!allNumbers || categorical == true)
                                throw new DataFormatException($"{where}: line {line}, column '{header[column]}' ({column + 1}): the target has more than {labelLimit} different classes; is it a regression target? Use numbers and --task regression (CsvOptions.CategoricalTarget = false).", path, line, header[column], column + 1);
                            labelIds = null; // many distinct numbers: a regression target
                            ids = null;
                            labelNames.Clear();
                        }
                        else
                        {
                            id = labelIds.Count;
                            labelIds[label] = id;
                            labelNames.Add(label);
                        }
                    }
                    ids?.Add(id);
                }
            }

            if (!finite)
            {
                dropped.Add(line);
                x.RemoveLast(featureCols.Length);
                if (categorical == false || allNumbers) y.RemoveLast(categorical == false ? targetCols.Length : 1);
                ids?.RemoveLast(1);
            }
            else rows++;
            if (x.Count > Array.MaxLength)
                throw new DataFormatException($"{where}: line {line}: more than {Array.MaxLength} feature values; a tensor cannot hold this many. Use fewer rows or columns.", path, line);
        }

        int n = (int)rows;
        if (n == 0 && dropped.Count == 0)
            throw new DataFormatException($"{where}: the file has a header but no data rows.", path, headerLine);
        var featureNames = featureCols.Select(j => header[j]).ToArray();
        var targetNames = targetCols.Select(j => header[j]).ToArray();
        var xs = new Tensor<T>([n, featureCols.Length], x.ToArray());
        string? note = null;
        if (categorical is null)
        {
            string name = targetNames[0];
            int distinct = labelIds?.Count ?? int.MaxValue;
            if (!allNumbers)
            {
                categorical = true;
                note = $"classification: '{name}' holds class names ({Classes(distinct)})";
            }
            else if (allIntegers && distinct <= MaxInferredIntegerClasses && distinct >= 2 && 2 * distinct <= n)
            {
                categorical = true;
                note = $"classification: '{name}' holds {distinct} different whole numbers ({Classes(distinct)})";
            }
            else
            {
                categorical = false;
                note = $"regression: '{name}' holds numbers" + (labelIds is null ? $" with more than {labelLimit} different values" : $" ({distinct} different values{(allIntegers ? "" : ", not all whole")})");
            }
        }
        Dataset<T> dataset;
        if (categorical == true)
        {
            var classes = labelNames.ToArray();
            bool numeric = classes.All(c => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            var order = numeric
                ? classes.OrderBy(c => double.Parse(c, NumberStyles.Float, CultureInfo.InvariantCulture)).ThenBy(c => c, StringComparer.Ordinal).ToArray()
                : classes.Order(StringComparer.Ordinal).ToArray();
            var rank = new int[classes.Length];
            for (int k = 0; k < order.Length; k++) rank[labelIds![order[k]]] = k;
            var labels = ids!.ToArray();
            var ys = new T[labels.Length];
            for (int i = 0; i < labels.Length; i++) ys[i] = T.CreateTruncating(rank[labels[i]]);
            dataset = new Dataset<T>(xs, new Tensor<T>([n], ys), featureNames, targetNames, order.Length == 0 ? null : order.Length, order.Length == 0 ? null : order);
        }
        else
            dataset = new Dataset<T>(xs, new Tensor<T>([n, targetCols.Length], y.ToArray()), featureNames, targetNames);
        return new CsvLoadResult<T>(dataset, dropped.Count, dropped, delimiter) { TaskNote = note };

        static string Classes(int k) => k == 1 ? "1 class" : $"{k} classes";

        bool ParseCell(string[] fields, int column, int line, ChunkedBuffer<T> into)
        {
            string cell = fields[column].Trim();
            if (cell.Length == 0) throw Missing(column, line);
            if (!TryParseNumber(cell, out double value))
                throw new DataFormatException($"{where}: line {line}, column '{header[column]}' ({column + 1}): \"{fields[column]}\" is not a number (expected e.g. 1.5 or -2e3, with '.' as the decimal point).", path, line, header[column], column + 1);
            T v = T.CreateTruncating(value);
            into.Add(v);
            if (T.IsFinite(v)) return true;
            if (options.DropNonFinite) return false;
            throw NonFinite(column, line, cell, value);
        }

        DataFormatException NonFinite(int column, int line, string cell, double value)
        {
            string what = double.IsFinite(value) ? $"{cell} is out of range for {typeof(T).Name}" : $"{cell} is not a finite number";
            return new DataFormatException($"{where}: line {line}, column '{header[column]}' ({column + 1}): {what}; remove the row, or pass new CsvOptions {{ DropNonFinite = true }} to drop such rows.", path, line, header[column], column + 1);
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
