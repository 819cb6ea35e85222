using System.Diagnostics;
using Descent.Differentiation.Expressions;

namespace Descent.Differentiation;

/// <summary>One mode's gradient in a comparison, and how long it took.</summary>
/// <param name="Mode">"symbolic", "forward", "numeric" (central differences), "richardson" or "reverse".</param>
/// <param name="Gradient">∂f/∂v for each variable.</param>
/// <param name="Seconds">Wall time of the computation (parsing excluded; for symbolic, differentiation and evaluation).</param>
public sealed record ModeResult(string Mode, IReadOnlyDictionary<string, double> Gradient, double Seconds);

/// <summary>The gradient of one function at one point by every mode, and how far apart they are.</summary>
/// <param name="Value">f at the point.</param>
/// <param name="Modes">Each mode's result.</param>
/// <param name="MaxDisagreement">The largest |difference| between any two modes on any component (NaN counts as infinite).</param>
public sealed record DerivativeComparisonResult(double Value, IReadOnlyList<ModeResult> Modes, double MaxDisagreement);

/// <summary>
/// Evaluates a function's gradient at a point with all four ways of getting a derivative — symbolic, forward mode
/// (dual numbers), numerical (central differences and Richardson extrapolation) and reverse mode (autodiff) — so each
/// checks the others, and reports where they disagree (at a kink, at a removable singularity such as sin(x)/x at 0).
/// </summary>
public static class DerivativeComparison
{
    /// <summary>The modes, in the order they are reported.</summary>
    public static IReadOnlyList<string> ModeNames { get; } = ["symbolic", "forward", "numeric", "richardson", "reverse"];

    /// <summary>Compares the modes on <paramref name="expression"/> at <paramref name="point"/> (a value for every variable).</summary>
    /// <param name="expression">The function.</param>
    /// <param name="point">A value for every variable.</param>
    /// <param name="modes">The modes to run (all when null).</param>
    /// <exception cref="ArgumentException">A variable has no value, or an unknown mode is named.</exception>
    public static DerivativeComparisonResult Compare(Expr expression, IReadOnlyDictionary<string, double> point, IReadOnlyList<string>? modes = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(point);
        var names = expression.Variables;
        foreach (var v in names)
            if (!point.ContainsKey(v)) throw new ArgumentException($"No value was given for the variable '{v}'.", nameof(point));
        var x = names.Select(n => point[n]).ToArray();
        double Eval(double[] at) => expression.Evaluate(names.Select((n, i) => (n, at[i])).ToDictionary(p => p.n, p => p.Item2));
        var results = new List<ModeResult>();
        foreach (var mode in modes ?? ModeNames)
        {
            var clock = Stopwatch.StartNew();
            double[] g = mode switch
            {
                "symbolic" => names.Select(n => expression.Differentiate(n).Evaluate(point)).ToArray(),
                "forward" => ForwardMode.Gradient(expression, point) is var fg ? names.Select(n => fg[n]).ToArray() : [],
                "numeric" => NumericalDifferences.Central(Eval, x),
                "richardson" => NumericalDifferences.Richardson(Eval, x),
                "reverse" => Derivatives.Gradient(TensorBackend.ToFunction(expression, names), x),
                _ => throw new ArgumentException($"Unknown mode '{mode}'; use {string.Join(", ", ModeNames)}.", nameof(modes)),
            };
            double seconds = clock.Elapsed.TotalSeconds;
            results.Add(new ModeResult(mode, names.Select((n, i) => (n, g[i])).ToDictionary(p => p.n, p => p.Item2), seconds));
        }
        double worst = 0;
        for (int a = 0; a < results.Count; a++)
            for (int b = a + 1; b < results.Count; b++)
                foreach (var n in names)
                {
                    double d = Math.Abs(results[a].Gradient[n] - results[b].Gradient[n]);
                    bool bothNaN = double.IsNaN(results[a].Gradient[n]) && double.IsNaN(results[b].Gradient[n]);
                    worst = Math.Max(worst, bothNaN ? 0 : double.IsNaN(d) ? double.PositiveInfinity : d);
                }
        return new DerivativeComparisonResult(expression.Evaluate(point), results, worst);
    }
}
