using System.Globalization;

namespace Descent.Optimization.Stopping;

/// <summary>Formats numbers for stop messages: plain for moderate magnitudes, scientific (<c>-3.2e-07</c>) otherwise.</summary>
internal static class Show
{
    public static string Number(double value) =>
        value == 0 || !double.IsFinite(value) || (Math.Abs(value) >= 1e-3 && Math.Abs(value) < 1e5)
            ? value.ToString("0.####", CultureInfo.InvariantCulture)
            : value.ToString("0.###e+00", CultureInfo.InvariantCulture);
}
