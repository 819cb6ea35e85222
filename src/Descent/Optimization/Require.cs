using System.Globalization;

namespace Descent.Optimization;

/// <summary>
/// Argument validation for the optimization layer: each check throws an
/// <see cref="ArgumentOutOfRangeException"/> whose message names the argument, the value and the rule.
/// </summary>
internal static class Require
{
    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Requires <paramref name="value"/> to be finite and strictly positive.</summary>
    public static double Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and > 0, but was {Show(value)}.");
        }

        return value;
    }

    /// <summary>Requires <paramref name="value"/> to be finite and not negative.</summary>
    public static double NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and >= 0, but was {Show(value)}.");
        }

        return value;
    }

    /// <summary>Requires <paramref name="value"/> to be finite.</summary>
    public static double Finite(double value, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite, but was {Show(value)}.");
        }

        return value;
    }

    /// <summary>Requires <paramref name="value"/> to lie in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static double InHalfOpen(double value, double low, double high, string name)
    {
        if (!(value >= low && value < high))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [{Show(low)}, {Show(high)}), but was {Show(value)}.");
        }

        return value;
    }

    /// <summary>Requires <paramref name="value"/> to lie in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static double InClosed(double value, double low, double high, string name)
    {
        if (!(value >= low && value <= high))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [{Show(low)}, {Show(high)}], but was {Show(value)}.");
        }

        return value;
    }

    /// <summary>Requires <paramref name="value"/> to lie in (<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static double InOpen(double value, double low, double high, string name)
    {
        if (!(value > low && value < high))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in ({Show(low)}, {Show(high)}), but was {Show(value)}.");
        }

        return value;
    }

    /// <summary>Requires the count <paramref name="value"/> to be at least <paramref name="minimum"/>.</summary>
    public static long AtLeast(long value, long minimum, string name)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be >= {minimum}, but was {value}.");
        }

        return value;
    }
}
