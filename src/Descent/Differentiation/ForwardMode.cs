using Descent.Differentiation.Expressions;

namespace Descent.Differentiation;

/// <summary>
/// Forward-mode automatic differentiation with <see cref="Dual"/> numbers: one evaluation gives one directional
/// derivative, so a gradient of n inputs costs n passes (reverse mode costs one; forward mode wins for few inputs
/// or for Jacobian–vector products).
/// </summary>
public static class ForwardMode
{
    /// <summary>f′(x) of a scalar function, exact up to rounding.</summary>
    /// <param name="f">The function, written over <see cref="Dual"/>.</param>
    /// <param name="x">The point.</param>
    /// <returns>The derivative.</returns>
    /// <example><c>ForwardMode.Derivative(x =&gt; x * Dual.Exp(x), 1.0)</c> is 2e.</example>
    public static double Derivative(Func<Dual, Dual> f, double x)
    {
        ArgumentNullException.ThrowIfNull(f);
        return f(Dual.Variable(x)).Tangent;
    }

    /// <summary>∇f(x) of a scalar function of a vector, one pass per coordinate.</summary>
    /// <param name="f">The function; it must not keep or modify the array it is given.</param>
    /// <param name="x">The point.</param>
    /// <returns>The gradient, the same length as <paramref name="x"/>.</returns>
    public static double[] Gradient(Func<Dual[], Dual> f, double[] x)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        var gradient = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var duals = new Dual[x.Length];
            for (var j = 0; j < x.Length; j++)
            {
                duals[j] = new Dual(x[j], i == j ? 1 : 0);
            }

            gradient[i] = f(duals).Tangent;
        }

        return gradient;
    }

    /// <summary>J(x)·v, the Jacobian of a vector function times a vector, in a single pass.</summary>
    /// <param name="f">The function.</param>
    /// <param name="x">The point.</param>
    /// <param name="v">The direction, the same length as <paramref name="x"/>.</param>
    /// <returns>The Jacobian–vector product, one entry per output of <paramref name="f"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="v"/> and <paramref name="x"/> differ in length.</exception>
    public static double[] JacobianVectorProduct(Func<Dual[], Dual[]> f, double[] x, double[] v)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(v);
        if (v.Length != x.Length)
        {
            throw new ArgumentException($"The direction has {v.Length} entries but the point has {x.Length}; they must match.", nameof(v));
        }

        var duals = new Dual[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            duals[i] = new Dual(x[i], v[i]);
        }

        return [.. f(duals).Select(d => d.Tangent)];
    }

    /// <summary>∂e/∂<paramref name="variable"/> at a point, by compiling the expression to duals.</summary>
    /// <param name="e">The expression.</param>
    /// <param name="point">A value for every variable of <paramref name="e"/>.</param>
    /// <param name="variable">The variable to differentiate by.</param>
    /// <returns>The partial derivative.</returns>
    public static double Derivative(Expr e, IReadOnlyDictionary<string, double> point, string variable)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Compile(new DualBackend(point, variable)).Tangent;
    }

    /// <summary>The gradient of an expression at a point, one pass per variable.</summary>
    /// <param name="e">The expression.</param>
    /// <param name="point">A value for every variable of <paramref name="e"/>.</param>
    /// <returns>Each variable of <paramref name="e"/> with its partial derivative.</returns>
    public static IReadOnlyDictionary<string, double> Gradient(Expr e, IReadOnlyDictionary<string, double> point)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Variables.ToDictionary(v => v, v => Derivative(e, point, v), StringComparer.Ordinal);
    }
}
