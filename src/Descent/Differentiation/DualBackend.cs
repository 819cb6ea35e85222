using Descent.Differentiation.Expressions;

namespace Descent.Differentiation;

/// <summary>
/// Compiles an <see cref="Expr"/> to a <see cref="Dual"/>: forward-mode differentiation of an expression in one
/// pass, giving its value and its directional derivative along the given tangents.
/// </summary>
/// <example>
/// <code>
/// var backend = new DualBackend(new Dictionary&lt;string, double&gt; { ["x"] = 2 }, seed: "x");
/// Dual d = Expr.Parse("x^3").Compile(backend);   // d.Tangent == 12
/// </code>
/// </example>
public sealed class DualBackend : IExpressionBackend<Dual>
{
    private readonly IReadOnlyDictionary<string, double> _values;
    private readonly Func<string, double> _tangent;

    /// <summary>Differentiates along arbitrary tangents (a directional derivative).</summary>
    /// <param name="values">The point: a value for every variable.</param>
    /// <param name="tangents">The direction: each variable's tangent; missing ones are 0.</param>
    public DualBackend(IReadOnlyDictionary<string, double> values, IReadOnlyDictionary<string, double> tangents)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(tangents);
        _values = values;
        _tangent = name => tangents.TryGetValue(name, out var t) ? t : 0;
    }

    /// <summary>Differentiates with respect to one variable (its tangent 1, the others 0).</summary>
    /// <param name="values">The point: a value for every variable.</param>
    /// <param name="seed">The variable to differentiate by.</param>
    public DualBackend(IReadOnlyDictionary<string, double> values, string seed)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(seed);
        _values = values;
        _tangent = name => name == seed ? 1 : 0;
    }

    /// <inheritdoc/>
    public Dual Constant(double value) => value;

    /// <inheritdoc/>
    /// <exception cref="KeyNotFoundException">The variable has no value.</exception>
    public Dual Variable(string name) =>
        _values.TryGetValue(name, out var value)
            ? new Dual(value, _tangent(name))
            : throw new KeyNotFoundException($"Variable '{name}' has no value; add it to the values dictionary.");

    /// <inheritdoc/>
    public Dual Negate(Dual operand) => -operand;

    /// <inheritdoc/>
    public Dual Add(Dual left, Dual right) => left + right;

    /// <inheritdoc/>
    public Dual Subtract(Dual left, Dual right) => left - right;

    /// <inheritdoc/>
    public Dual Multiply(Dual left, Dual right) => left * right;

    /// <inheritdoc/>
    public Dual Divide(Dual left, Dual right) => left / right;

    /// <inheritdoc/>
    public Dual Power(Dual left, Dual right) => Dual.Pow(left, right);

    /// <inheritdoc/>
    public Dual Function(string name, IReadOnlyList<Dual> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var a = arguments[0];
        return name switch
        {
            "sin" => Dual.Sin(a),
            "cos" => Dual.Cos(a),
            "tan" => Dual.Tan(a),
            "asin" => Dual.Asin(a),
            "acos" => Dual.Acos(a),
            "atan" => Dual.Atan(a),
            "sinh" => Dual.Sinh(a),
            "cosh" => Dual.Cosh(a),
            "tanh" => Dual.Tanh(a),
            "exp" => Dual.Exp(a),
            "log" => Dual.Log(a),
            "log2" => Dual.Log2(a),
            "log10" => Dual.Log10(a),
            "sqrt" => Dual.Sqrt(a),
            "abs" => Dual.Abs(a),
            "sigmoid" => Dual.Sigmoid(a),
            "relu" => Dual.Relu(a),
            "softplus" => Dual.Softplus(a),
            "sinc" => Dual.Sinc(a),
            "dsinc" => Dual.SincDerivative(a),
            "heaviside" => Dual.Heaviside(a),
            "sign" => Dual.Sign(a),
            "min" => Dual.Min(a, arguments[1]),
            "max" => Dual.Max(a, arguments[1]),
            "pow" => Dual.Pow(a, arguments[1]),
            _ => throw new NotSupportedException($"Function '{name}' has no dual-number implementation."),
        };
    }
}
