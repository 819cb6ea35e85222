using System.Globalization;

namespace Descent.Cli.Infrastructure;

/// <summary>
/// One setting in the small grammar shared by <c>--optimizer</c>, <c>--schedule</c> and <c>--stop</c>:
/// <c>NAME</c>, <c>NAME:VALUE</c> or <c>NAME:key=value,key=value</c>, e.g. <c>step:factor=0.5,every=1000</c>,
/// <c>max-steps:10000</c>, <c>plateau:window=50,slope=1e-6</c>.
/// </summary>
public sealed class Setting
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private Setting(string option, string text, string name, string? positional, Dictionary<string, string> values)
    {
        Option = option;
        Text = text;
        Name = name;
        Positional = positional;
        _values = values;
    }

    /// <summary>The option the setting came from, for messages.</summary>
    public string Option { get; }

    /// <summary>The original text.</summary>
    public string Text { get; }

    /// <summary>The name before the colon, lower case.</summary>
    public string Name { get; }

    /// <summary>The single value after the colon when it has no key (<c>max-steps:10000</c>).</summary>
    public string? Positional { get; }

    /// <summary>Parses <paramref name="text"/> given to <paramref name="option"/>.</summary>
    /// <exception cref="UsageException">The text does not follow the grammar.</exception>
    public static Setting Parse(string option, string text)
    {
        string form = $"NAME or NAME:key=value,key=value (e.g. {Example(option)})";
        if (string.IsNullOrWhiteSpace(text)) throw new UsageException($"{option}: empty value; use {form}.");
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string name = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        if (name.Length == 0) throw new UsageException($"{option} '{text}': missing name before ':'; use {form}.");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? positional = null;
        if (colon >= 0)
        {
            foreach (var part in text[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries))
            {
                if (part.Length == 0) throw new UsageException($"{option} '{text}': empty item; use {form}.");
                int eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    if (positional is not null || values.Count > 0) throw new UsageException($"{option} '{text}': '{part}' has no key; use {form}.");
                    positional = part;
                }
                else
                {
                    string key = part[..eq].Trim().ToLowerInvariant();
                    if (key.Length == 0 || !values.TryAdd(key, part[(eq + 1)..].Trim()))
                        throw new UsageException($"{option} '{text}': bad or repeated key in '{part}'; use {form}.");
                }
            }
        }
        return new Setting(option, text, name, positional, values);
    }

    private static string Example(string option) => option switch
    {
        "--schedule" => "step:factor=0.5,every=1000",
        "--stop" => "plateau:window=50,slope=1e-6 or max-steps:10000",
        _ => "adam:beta1=0.9",
    };

    /// <summary>A number by key (or the positional value when <paramref name="positional"/>), or the default.</summary>
    public double Number(string key, double fallback, bool positional = false)
    {
        string? raw = Raw(key, positional);
        return raw is null ? fallback : ParseNumber(key, raw);
    }

    /// <summary>A required number.</summary>
    public double RequiredNumber(string key, bool positional = false)
        => Raw(key, positional) is { } raw ? ParseNumber(key, raw)
            : throw new UsageException($"{Option} '{Text}': '{Name}' needs {key}=NUMBER, e.g. {Name}:{key}=100.");

    /// <summary>A whole number by key, or the default.</summary>
    public long Integer(string key, long fallback, bool positional = false)
    {
        double v = Number(key, fallback, positional);
        if (v != Math.Floor(v) || v < 0) throw new UsageException($"{Option} '{Text}': {key} must be a whole number ≥ 0.");
        return (long)v;
    }

    /// <summary>A required whole number.</summary>
    public long RequiredInteger(string key, bool positional = false)
    {
        double v = RequiredNumber(key, positional);
        if (v != Math.Floor(v) || v < 0) throw new UsageException($"{Option} '{Text}': {key} must be a whole number ≥ 0.");
        return (long)v;
    }

    /// <summary>
    /// A whole number by key (or the positional value) in [<paramref name="min"/>, <paramref name="max"/>], or the
    /// default: a value outside the range is an error naming the key and the range, never clamped.
    /// </summary>
    public long Integer(string key, long fallback, long min, long max, bool positional = false)
    {
        string? raw = Raw(key, positional);
        return raw is null ? fallback : InRange(key, raw, min, max);
    }

    /// <summary>A required whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long RequiredInteger(string key, long min, long max, bool positional = false)
        => Raw(key, positional) is { } raw ? InRange(key, raw, min, max)
            : throw new UsageException($"{Option} '{Text}': '{Name}' needs {key}=N (a whole number from {min} to {max}), e.g. {Name}:{key}={Math.Max(min, Math.Min(max, 100))}.");

    /// <summary>A number by key (or positional) in [<paramref name="min"/>, <paramref name="max"/>] (exclusive of min when <paramref name="minExclusive"/>), or the default.</summary>
    public double Number(string key, double fallback, double min, double max, bool minExclusive = false, bool positional = false)
    {
        double v = Number(key, fallback, positional);
        if (v < min || v > max || (minExclusive && v == min))
            throw new UsageException($"{Option} '{Text}': {key} must be {(minExclusive ? "above" : "at least")} {Points.Show(min)} and at most {Points.Show(max)}, not {Points.Show(v)}.");
        return v;
    }

    private long InRange(string key, string raw, long min, long max)
    {
        double v = ParseNumber(key, raw);
        if (v != Math.Floor(v) || v < min || v > max)
            throw new UsageException($"{Option} '{Text}': {key} must be a whole number from {min} to {max}, not '{raw}'.");
        return (long)v;
    }

    /// <summary>A required text value by key (or the positional value when <paramref name="positional"/>).</summary>
    public string RequiredText(string key, bool positional = false)
        => Raw(key, positional) is { Length: > 0 } raw ? raw
            : throw new UsageException($"{Option} '{Text}': '{Name}' needs {key}=VALUE.");

    /// <summary>A flag: true, false, 1, 0, yes, no.</summary>
    public bool Flag(string key, bool fallback)
    {
        string? raw = Raw(key, false);
        return raw?.ToLowerInvariant() switch
        {
            null => fallback,
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw new UsageException($"{Option} '{Text}': {key} must be true or false."),
        };
    }

    /// <summary>Fails when a key was given that no reader asked for.</summary>
    public void RejectUnknown(params string[] known)
    {
        foreach (var key in _values.Keys)
            if (!_used.Contains(key))
                throw new UsageException($"{Option} '{Text}': unknown key '{key}' for '{Name}'; accepted: {(known.Length == 0 ? "none" : string.Join(", ", known))}.");
        if (Positional is not null && !_used.Contains(""))
            throw new UsageException($"{Option} '{Text}': '{Name}' takes no value after ':'; accepted keys: {(known.Length == 0 ? "none" : string.Join(", ", known))}.");
    }

    private string? Raw(string key, bool positional)
    {
        _used.Add(key);
        if (_values.TryGetValue(key, out var v)) return v;
        if (positional && Positional is not null) { _used.Add(""); return Positional; }
        return null;
    }

    private double ParseNumber(string key, string raw)
    {
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new UsageException($"{Option} '{Text}': {key} must be a finite number, not '{raw}'.");
        return v;
    }
}
