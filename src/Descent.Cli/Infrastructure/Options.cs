using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Descent.Cli.Infrastructure;

/// <summary>Option constructors shared by several commands.</summary>
public static partial class Options
{
    /// <summary>The most layers <c>--hidden</c> accepts.</summary>
    public const int MaxHiddenLayers = 64;

    /// <summary>The widest hidden layer <c>--hidden</c> accepts.</summary>
    public const int MaxHiddenWidth = 100_000;

    /// <summary>A string option.</summary>
    public static Option<string?> Text(string name, string description) => new(name) { Description = description };

    /// <summary>A repeatable string option.</summary>
    public static Option<string[]> Many(string name, string description) => new(name) { Description = description, AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.OneOrMore };

    /// <summary>
    /// A number option: a value that is not a finite number (<c>abc</c>, <c>1e400</c>, <c>Infinity</c>, <c>NaN</c>) is a
    /// usage error naming the option, e.g. "--lr expects a finite number, got 'abc' (e.g. --lr 0.1)".
    /// </summary>
    public static Option<double?> Number(string name, string description, string example = "0.1") => new(name)
    {
        Description = description,
        CustomParser = r => ParseNumber(name, example, r),
    };

    /// <summary>A whole-number option: "--epochs expects a whole number, got '3.5' (e.g. --epochs 100)".</summary>
    public static Option<int?> Whole(string name, string description, string example = "100") => new(name)
    {
        Description = description,
        CustomParser = r => ParseWhole(name, example, r),
    };

    /// <summary>A flag.</summary>
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>Splits a comma list, or null.</summary>
    public static string[]? List(string? text) => text?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Parses a comma list of whole numbers (at most <see cref="MaxHiddenLayers"/> of them, each from 1 to
    /// <see cref="MaxHiddenWidth"/>), naming the option on error.
    /// </summary>
    public static int[]? Ints(string option, string? text)
    {
        var parts = List(text);
        if (parts is null) return null;
        string form = $"use whole numbers from 1 to {MaxHiddenWidth} separated by commas, e.g. {option} 128,64";
        if (parts.Length == 0) throw new UsageException($"{option} '{text}': {form}.");
        if (parts.Length > MaxHiddenLayers) throw new UsageException($"{option} '{text}': {parts.Length} layers; at most {MaxHiddenLayers} are accepted.");
        return parts.Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v is >= 1 and <= MaxHiddenWidth ? v
            : throw new UsageException($"{option} '{text}': '{t}' is not accepted; {form}.")).ToArray();
    }

    private static double? ParseNumber(string name, string example, ArgumentResult r)
    {
        if (r.Tokens.Count == 0) { r.AddError($"{name} expects a number, e.g. {name} {example}."); return null; }
        string raw = r.Tokens[^1].Value;
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
        {
            r.AddError($"{name} expects a number, got '{raw}' (e.g. {name} {example}).");
            return null;
        }
        if (!double.IsFinite(v))
        {
            r.AddError($"{name} expects a finite number, got '{raw}'{(double.IsInfinity(v) && !raw.Contains("inf", StringComparison.OrdinalIgnoreCase) ? " (beyond the largest double, about 1.8e308)" : "")} (e.g. {name} {example}).");
            return null;
        }
        return v;
    }

    private static int? ParseWhole(string name, string example, ArgumentResult r)
    {
        if (r.Tokens.Count == 0) { r.AddError($"{name} expects a whole number, e.g. {name} {example}."); return null; }
        string raw = r.Tokens[^1].Value;
        if (int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)) return v;
        // 1e3 is a whole number too; 3.5 and 1e12 are not accepted.
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) && d == Math.Floor(d))
        {
            if (d is >= int.MinValue and <= int.MaxValue) return (int)d;
            r.AddError($"{name} expects a whole number up to {int.MaxValue}, got '{raw}' (e.g. {name} {example}).");
            return null;
        }
        r.AddError($"{name} expects a whole number, got '{raw}' (e.g. {name} {example}).");
        return null;
    }

    /// <summary>
    /// Rewrites System.CommandLine's "Cannot parse argument 'X' for option '--o' as expected type 'System.Int64'" into
    /// words (the option or argument, what it expects, what it got); other messages pass through unchanged.
    /// </summary>
    public static string DescribeParseError(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var m = CannotParse().Match(message);
        if (!m.Success) return message;
        string raw = m.Groups["raw"].Value, name = m.Groups["name"].Value, type = m.Groups["type"].Value;
        string expected = type.Contains("Int", StringComparison.Ordinal) ? "a whole number"
            : type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "a number"
            : type.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
            : "another value (see --help)";
        return m.Groups["kind"].Value == "option" ? $"{name} expects {expected}, got '{raw}'." : $"'{name}' expects {expected} as its argument, got '{raw}'.";
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<raw>.*)' for (?<kind>option|command|argument) '(?<name>.*)' as expected type '(?<type>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex CannotParse();
}
