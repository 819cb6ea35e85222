using Descent.Differentiation.Expressions;

namespace Descent.Cli.Infrastructure;

/// <summary>An expression and a point given on the command line.</summary>
public static class ExpressionInput
{
    /// <summary>Parses the expression (an <see cref="ExpressionException"/> becomes exit code 3 with its column).</summary>
    public static Expr Parse(string text) => Expr.Parse(text);

    /// <summary>
    /// Parses <paramref name="option"/>'s point and checks it gives every variable of <paramref name="e"/> a value.
    /// </summary>
    public static List<KeyValuePair<string, double>> Point(Expr e, string option, string? text)
    {
        if (text is null)
        {
            if (e.Variables.Count == 0) return [];
            throw new UsageException($"{option} is required: give every variable a value, e.g. {option} {string.Join(",", e.Variables.Select(v => v + "=1"))}.");
        }
        var point = Points.Parse(option, text);
        var missing = e.Variables.Where(v => point.All(p => p.Key != v)).ToList();
        if (missing.Count > 0)
            throw new UsageException($"{option} '{text}': no value for {string.Join(", ", missing)}; give every variable a value, e.g. {option} {string.Join(",", e.Variables.Select(v => v + "=1"))}.");
        return point;
    }

    /// <summary>The point as a dictionary.</summary>
    public static Dictionary<string, double> ToDictionary(IEnumerable<KeyValuePair<string, double>> point) => point.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
