using System.Collections;
using System.Globalization;
using Descent.Learning.Data;

namespace Descent.Learning.Tuning;

/// <summary>
/// The values one setting may take: an explicit list (any values: numbers, strings, arrays…), a continuous range,
/// or an integer range, each optionally on a log scale. A grid search uses <see cref="GridValues"/>; a random search
/// draws with <see cref="Sample"/>.
/// </summary>
public abstract class Domain
{
    private protected Domain() { }

    /// <summary>The values a grid search tries, in order.</summary>
    public abstract IReadOnlyList<object> GridValues { get; }

    /// <summary>One random value (uniform over the list or range; log-uniform on a log scale).</summary>
    internal abstract object Sample(DataRandom random);

    /// <summary>An explicit list of values, tried in the given order by a grid search and drawn uniformly by a random search.</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public static Domain Values(params object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0) throw new ArgumentException("A list of values needs at least one value.", nameof(values));
        return new ListDomain((object[])values.Clone());
    }

    /// <summary>An explicit list of values of one type.</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public static Domain Values<TValue>(IEnumerable<TValue> values) where TValue : notnull
    {
        ArgumentNullException.ThrowIfNull(values);
        return Values(values.Cast<object>().ToArray());
    }

    /// <summary>
    /// Real numbers in [<paramref name="min"/>, <paramref name="max"/>]: a random search draws uniformly (log-uniformly
    /// when <paramref name="logScale"/>), a grid search takes <paramref name="gridPoints"/> evenly spaced points
    /// (geometrically spaced on a log scale) including both ends. Values are <see cref="double"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The bounds are not finite, min &gt; max, a log range is not positive, or gridPoints &lt; 1.</exception>
    public static Domain Range(double min, double max, bool logScale = false, int gridPoints = 5)
    {
        CheckRange(min, max, logScale);
        ArgumentOutOfRangeException.ThrowIfLessThan(gridPoints, 1);
        return new RealDomain(min, max, logScale, gridPoints);
    }

    /// <summary>
    /// Integers in [<paramref name="min"/>, <paramref name="max"/>] (both included): a random search draws uniformly
    /// (log-uniformly, rounded, when <paramref name="logScale"/>); a grid search takes every integer, or
    /// <paramref name="gridPoints"/> evenly (geometrically) spaced ones, rounded and without repeats. Values are <see cref="int"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">min &gt; max, a log range is not positive, or gridPoints &lt; 1.</exception>
    public static Domain IntRange(int min, int max, bool logScale = false, int? gridPoints = null)
    {
        CheckRange(min, max, logScale);
        if (gridPoints is { } g) ArgumentOutOfRangeException.ThrowIfLessThan(g, 1, nameof(gridPoints));
        return new IntDomain(min, max, logScale, gridPoints);
    }

    private static void CheckRange(double min, double max, bool logScale)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
            throw new ArgumentOutOfRangeException(nameof(max), $"A range needs finite bounds with min ≤ max, got [{min}, {max}].");
        if (logScale && !(min > 0))
            throw new ArgumentOutOfRangeException(nameof(min), min, "A log-scale range must be positive.");
    }

    /// <summary>The grid points of [min, max]: evenly spaced, or geometrically on a log scale; both ends included.</summary>
    private protected static double[] Spaced(double min, double max, bool logScale, int points)
    {
        if (points == 1) return [logScale ? Math.Sqrt(min * max) : (min + max) / 2];
        var result = new double[points];
        for (int i = 0; i < points; i++)
        {
            double t = (double)i / (points - 1);
            result[i] = logScale ? Math.Exp(Math.Log(min) + t * (Math.Log(max) - Math.Log(min))) : min + t * (max - min);
        }
        result[0] = min;
        result[^1] = max;
        return result;
    }

    /// <summary>A uniform (or log-uniform) draw in [min, max].</summary>
    private protected static double Draw(DataRandom random, double min, double max, bool logScale)
    {
        double u = random.NextDouble();
        return logScale ? Math.Exp(Math.Log(min) + u * (Math.Log(max) - Math.Log(min))) : min + u * (max - min);
    }

    private sealed class ListDomain(object[] values) : Domain
    {
        public override IReadOnlyList<object> GridValues => values;

        internal override object Sample(DataRandom random) => values[random.NextInt(values.Length)];

        public override string ToString() => "{" + string.Join(", ", values.Select(Settings.Format)) + "}";
    }

    private sealed class RealDomain(double min, double max, bool logScale, int gridPoints) : Domain
    {
        public override IReadOnlyList<object> GridValues => Spaced(min, max, logScale, gridPoints).Cast<object>().ToArray();

        internal override object Sample(DataRandom random) => Draw(random, min, max, logScale);

        public override string ToString() => $"[{Settings.Format(min)}, {Settings.Format(max)}]{(logScale ? " log" : "")}";
    }

    private sealed class IntDomain(int min, int max, bool logScale, int? gridPoints) : Domain
    {
        public override IReadOnlyList<object> GridValues => gridPoints is { } g
            ? Spaced(min, max, logScale, g).Select(v => (int)Math.Round(v)).Distinct().Cast<object>().ToArray()
            : Enumerable.Range(min, max - min + 1).Cast<object>().ToArray();

        internal override object Sample(DataRandom random)
        {
            if (!logScale) return min + random.NextInt(max - min + 1);
            // Log-uniform over [min − ½, max + ½], rounded, so the end points get their share.
            double v = Draw(random, Math.Max(min - 0.5, min * 0.5), max + 0.5, true);
            return Math.Clamp((int)Math.Round(v), min, max);
        }

        public override string ToString() => $"[{min}..{max}]{(logScale ? " log" : "")}";
    }
}

/// <summary>
/// The settings a search explores: named <see cref="Domain"/>s in the order they were added (which is the order of
/// the grid's nesting: the last setting varies fastest).
/// </summary>
/// <example>
/// <code>
/// var space = new SearchSpace
/// {
///     ["learning_rate"] = Domain.Range(1e-4, 1, logScale: true),
///     ["hidden"] = Domain.Values(16, 32, 64),
/// };
/// </code>
/// </example>
public sealed class SearchSpace : IEnumerable<KeyValuePair<string, Domain>>
{
    private readonly List<KeyValuePair<string, Domain>> _domains = [];

    /// <summary>An empty space.</summary>
    public SearchSpace() { }

    /// <summary>A space from a dictionary of named domains, in the dictionary's enumeration order.</summary>
    public SearchSpace(IEnumerable<KeyValuePair<string, Domain>> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        foreach (var (name, domain) in domains) Add(name, domain);
    }

    /// <summary>The domain of a setting; setting it adds the setting, or replaces it in place.</summary>
    /// <exception cref="KeyNotFoundException">Reading a setting that is not in the space.</exception>
    public Domain this[string name]
    {
        get
        {
            foreach (var (n, d) in _domains) if (n == name) return d;
            throw new KeyNotFoundException($"The search space has no setting '{name}'.");
        }
        set
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(value);
            int i = _domains.FindIndex(kv => kv.Key == name);
            if (i >= 0) _domains[i] = KeyValuePair.Create(name, value);
            else _domains.Add(KeyValuePair.Create(name, value));
        }
    }

    /// <summary>Adds a setting.</summary>
    /// <exception cref="ArgumentException">The name is empty or already present.</exception>
    public void Add(string name, Domain domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(domain);
        if (_domains.Any(kv => kv.Key == name)) throw new ArgumentException($"The search space already has a setting '{name}'.", nameof(name));
        _domains.Add(KeyValuePair.Create(name, domain));
    }

    /// <summary>The number of settings.</summary>
    public int Count => _domains.Count;

    /// <summary>The setting names in order.</summary>
    public IReadOnlyList<string> Names => _domains.Select(kv => kv.Key).ToArray();

    /// <summary>The number of points of the full grid (the product of the grid sizes).</summary>
    public long GridSize => _domains.Aggregate(1L, (n, kv) => checked(n * kv.Value.GridValues.Count));

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, Domain>> GetEnumerator() => _domains.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>One point of a search space: a value for every setting, read with <see cref="Get{TValue}"/> or <see cref="Double"/>.</summary>
public sealed class Settings : IReadOnlyDictionary<string, object>
{
    private readonly KeyValuePair<string, object>[] _values;

    /// <summary>Settings from (name, value) pairs, kept in the given order.</summary>
    public Settings(IEnumerable<KeyValuePair<string, object>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values.ToArray();
    }

    /// <summary>The value of a setting.</summary>
    /// <exception cref="KeyNotFoundException">There is no such setting; the message lists the known ones.</exception>
    public object this[string key] => TryGetValue(key, out var v) ? v
        : throw new KeyNotFoundException($"No setting '{key}'; the settings are: {string.Join(", ", Keys)}.");

    /// <summary>The value of a setting as <typeparamref name="TValue"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no such setting.</exception>
    /// <exception cref="InvalidCastException">The value has another type.</exception>
    public TValue Get<TValue>(string name)
    {
        object v = this[name];
        return v is TValue t ? t : throw new InvalidCastException($"Setting '{name}' is {v.GetType().Name} {Format(v)}, not {typeof(TValue).Name}.");
    }

    /// <summary>The value of a numeric setting as a double (any numeric type converts).</summary>
    /// <exception cref="KeyNotFoundException">There is no such setting.</exception>
    /// <exception cref="InvalidCastException">The value is not a number.</exception>
    public double Double(string name)
    {
        object v = this[name];
        return v is IConvertible c and not string and not bool ? c.ToDouble(CultureInfo.InvariantCulture)
            : throw new InvalidCastException($"Setting '{name}' is {v.GetType().Name} {Format(v)}, not a number.");
    }

    /// <summary>The value of an integer setting (an int, or a whole double).</summary>
    /// <exception cref="InvalidCastException">The value is not a whole number.</exception>
    public int Int(string name)
    {
        double d = Double(name);
        return d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue ? (int)d
            : throw new InvalidCastException($"Setting '{name}' is {Format(d)}, not a whole number.");
    }

    /// <inheritdoc />
    public IEnumerable<string> Keys => _values.Select(kv => kv.Key);

    /// <inheritdoc />
    public IEnumerable<object> Values => _values.Select(kv => kv.Value);

    /// <inheritdoc />
    public int Count => _values.Length;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.Any(kv => kv.Key == key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out object value)
    {
        foreach (var kv in _values)
            if (kv.Key == key) { value = kv.Value; return true; }
        value = null;
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object>>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>"name=value, name=value" with numbers in invariant culture, 4 significant digits.</summary>
    public override string ToString() => string.Join(", ", _values.Select(kv => kv.Key + "=" + Format(kv.Value)));

    /// <summary>A value for tables: numbers with up to 4 significant digits, arrays as [a, b], anything else by ToString.</summary>
    internal static string Format(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        float f => f.ToString("G4", CultureInfo.InvariantCulture),
        IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
        string s => s,
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Format)) + "]",
        _ => value.ToString() ?? "",
    };
}
