using System.Globalization;
using Descent.Differentiation.Expressions;

namespace Descent.Optimization.Lessons;

/// <summary>
/// A loss surface of two variables for the optimizer race: its value, gradient and Hessian (all symbolic, from the
/// expression parser), the window to draw it in, a starting point, and — when every second derivative is a constant —
/// its analysis as a quadratic (<see cref="Quadratic"/>).
/// </summary>
/// <example>
/// <code>
/// var s = Surface.Preset("quadratic", condition: 10);     // ½(x² + 10·y²)
/// s.Quadratic!.Eigenvalues;                                // [1, 10]
/// s.Quadratic!.StabilityBound;                             // 0.2 = 2/λ_max
/// </code>
/// </example>
public sealed class Surface
{
    /// <summary>The named surfaces: <c>quadratic</c> (condition number κ), <c>rosenbrock</c>, <c>himmelblau</c>, <c>beale</c>, <c>saddle</c>, <c>seed</c>.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["quadratic", "rosenbrock", "himmelblau", "beale", "saddle", "seed"];

    private readonly Func<double[], double> _value;
    private readonly Func<double[], double>[] _gradient;
    private readonly Func<double[], double>[,] _hessian;

    private Surface(string name, Expr expression, string[] variables, double[] bounds, double[] start, double[]? minimum)
    {
        Name = name;
        Expression = expression;
        Variables = variables;
        Bounds = bounds;
        Start = start;
        Minimum = minimum;
        _value = CompiledExpression.Compile(expression, variables);
        var first = variables.Select(v => expression.Differentiate(v)).ToArray();
        _gradient = first.Select(d => CompiledExpression.Compile(d, variables)).ToArray();
        _hessian = new Func<double[], double>[2, 2];
        bool constant = true;
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
            {
                var second = first[i].Differentiate(variables[j]);
                constant &= !variables.Any(second.DependsOn);
                _hessian[i, j] = CompiledExpression.Compile(second, variables);
            }
        if (constant)
        {
            var h = Hessian(0, 0);
            if (h.Cast<double>().All(double.IsFinite)) Quadratic = new QuadraticAnalysis(h);
        }
    }

    /// <summary>The preset's name, or <c>custom</c> for a typed expression.</summary>
    public string Name { get; }

    /// <summary>The loss as an expression.</summary>
    public Expr Expression { get; }

    /// <summary>The two variable names, horizontal axis first.</summary>
    public IReadOnlyList<string> Variables { get; }

    /// <summary>The window to draw: [xmin, xmax, ymin, ymax].</summary>
    public IReadOnlyList<double> Bounds { get; }

    /// <summary>A good place to start from.</summary>
    public IReadOnlyList<double> Start { get; }

    /// <summary>A known global minimum (one of them), when there is one.</summary>
    public IReadOnlyList<double>? Minimum { get; }

    /// <summary>The analysis as a quadratic (Hessian eigenvalues, stability bound), or null when the Hessian is not constant.</summary>
    public QuadraticAnalysis? Quadratic { get; }

    /// <summary>L(x, y).</summary>
    public double Value(double x, double y) => _value([x, y]);

    /// <summary>∇L(x, y).</summary>
    public (double X, double Y) Gradient(double x, double y)
    {
        double[] p = [x, y];
        return (_gradient[0](p), _gradient[1](p));
    }

    /// <summary>The Hessian ∇²L(x, y).</summary>
    public double[,] Hessian(double x, double y)
    {
        double[] p = [x, y];
        return new[,] { { _hessian[0, 0](p), _hessian[0, 1](p) }, { _hessian[1, 0](p), _hessian[1, 1](p) } };
    }

    /// <summary>
    /// L on a <paramref name="columns"/>×<paramref name="rows"/> grid over <see cref="Bounds"/>, row-major from the bottom
    /// row (y = ymin) up; non-finite values are returned as NaN.
    /// </summary>
    public double[] Grid(int columns, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 2);
        var values = new double[columns * rows];
        double[] p = new double[2];
        for (int r = 0; r < rows; r++)
        {
            p[1] = Bounds[2] + (Bounds[3] - Bounds[2]) * r / (rows - 1);
            for (int c = 0; c < columns; c++)
            {
                p[0] = Bounds[0] + (Bounds[1] - Bounds[0]) * c / (columns - 1);
                double v = _value(p);
                values[r * columns + c] = double.IsFinite(v) ? v : double.NaN;
            }
        }
        return values;
    }

    /// <summary>A named surface (see <see cref="PresetNames"/>).</summary>
    /// <param name="name">The preset.</param>
    /// <param name="condition">For <c>quadratic</c>: the condition number κ = λ_max/λ_min of ½(x² + κ·y²), at least 1.</param>
    /// <exception cref="SurfaceException">The name is unknown or κ is out of range.</exception>
    public static Surface Preset(string name, double condition = 10)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name.Trim().ToLowerInvariant())
        {
            case "quadratic":
                if (!(condition >= 1) || !(condition <= 1e6))
                    throw new SurfaceException($"The condition number must be between 1 and 1e6, not {condition}.");
                return new Surface("quadratic", Expr.Parse($"0.5*(x^2 + {condition.ToString("R", CultureInfo.InvariantCulture)}*y^2)"), ["x", "y"], [-3, 3, -2, 2], [-2.5, 1.5], [0, 0]);
            case "rosenbrock":
                return new Surface("rosenbrock", Expr.Parse("(1 - x)^2 + 100*(y - x^2)^2"), ["x", "y"], [-2, 2, -1, 3], [-1.5, 2.5], [1, 1]);
            case "himmelblau":
                return new Surface("himmelblau", Expr.Parse("(x^2 + y - 11)^2 + (x + y^2 - 7)^2"), ["x", "y"], [-5, 5, -5, 5], [-0.5, -0.5], [3, 2]);
            case "beale":
                return new Surface("beale", Expr.Parse("(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2"), ["x", "y"], [-4.5, 4.5, -4.5, 4.5], [-1, 1.5], [3, 0.5]);
            case "saddle":
                return new Surface("saddle", Expr.Parse("x^2 - y^2"), ["x", "y"], [-2, 2, -2, 2], [-1.8, 0.05], null);
            case "seed":
                return new Surface("seed", Expr.Parse("2*w1^2 + 3*w2^2"), ["w1", "w2"], [-3, 3, -3, 3], [2.5, -2], [0, 0]);
            default:
                throw new SurfaceException($"There is no surface called '{name}'; use one of {string.Join(", ", PresetNames)}, or type an expression.");
        }
    }

    /// <summary>A typed loss of (at most) two variables, drawn over <paramref name="bounds"/> ([xmin, xmax, ymin, ymax]; default ±3).</summary>
    /// <remarks>
    /// The variables are (x, y) when those are the names used, else (w1, w2), else the names in alphabetical order;
    /// an expression of one variable gets a second, unused one.
    /// </remarks>
    /// <exception cref="ExpressionException">The text does not parse (the message says where).</exception>
    /// <exception cref="SurfaceException">It has three or more variables, or the bounds are not an increasing window.</exception>
    public static Surface FromExpression(string text, IReadOnlyList<double>? bounds = null, IReadOnlyList<double>? start = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var expression = Expr.Parse(text);
        var names = expression.Variables.ToArray();
        if (names.Length > 2)
            throw new SurfaceException($"A surface has two variables, but '{text}' has {names.Length}: {string.Join(", ", names)}. Replace the others by numbers.");
        string[] variables = names switch
        {
            [] => ["x", "y"],
            _ when names.All(n => n is "x" or "y") => ["x", "y"],
            _ when names.All(n => n is "w1" or "w2") => ["w1", "w2"],
            [var only] => [only, "y"],
            _ => names.Order(StringComparer.Ordinal).ToArray(),
        };
        if (variables[0] == variables[1]) variables[1] = variables[0] + "_2";
        double[] window = bounds?.ToArray() ?? [-3, 3, -3, 3];
        if (window.Length != 4 || !window.All(double.IsFinite) || !(window[0] < window[1]) || !(window[2] < window[3]))
            throw new SurfaceException("The window must be four finite numbers xmin < xmax, ymin < ymax.");
        double[] from = start?.ToArray() ?? [window[0] + 0.8 * (window[1] - window[0]), window[2] + 0.8 * (window[3] - window[2])];
        if (from.Length != 2 || !from.All(double.IsFinite)) throw new SurfaceException("The start must be two finite numbers.");
        return new Surface("custom", expression, variables, window, from, null);
    }
}
