using System.Globalization;

namespace Descent.Cli.Infrastructure;

/// <summary>Parses points written <c>x=1.5,y=-2</c> and numbers given on the command line.</summary>
public static class Points
{
    /// <summary>Parses <c>name=value,…</c> given to <paramref name="option"/>, keeping the order.</summary>
    /// <exception cref="UsageException">The text is not of that form.</exception>
    public static List<KeyValuePair<string, double>> Parse(string option, string text)
    {
        var result = new List<KeyValuePair<string, double>>();
        if (string.IsNullOrWhiteSpace(text)) throw new UsageException($"{option}: empty; use name=value,name=value (e.g. {option} x=1.5,y=-2).");
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new UsageException($"{option} '{text}': '{part}' is not name=value; use e.g. {option} x=1.5,y=-2.");
            string name = part[..eq].Trim();
            string raw = part[(eq + 1)..].Trim();
            if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw new UsageException($"{option} '{text}': the value of {name} must be a finite number, not '{raw}'.");
            if (result.Any(p => p.Key == name)) throw new UsageException($"{option} '{text}': {name} is given twice.");
            result.Add(new(name, v));
        }
        return result;
    }

    /// <summary>Parses a number or fails naming the option.</summary>
    public static double Number(string option, string raw)
    {
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new UsageException($"{option}: '{raw}' is not a finite number.");
        return v;
    }

    /// <summary>Formats a number for people: up to 6 significant digits.</summary>
    public static string Show(double v) => double.IsFinite(v) ? v.ToString("G6", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
}
