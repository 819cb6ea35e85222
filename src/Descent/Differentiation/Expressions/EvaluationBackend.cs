namespace Descent.Differentiation.Expressions;

/// <summary>
/// Evaluates an <see cref="Expr"/> in double precision with IEEE semantics (NaN and ∞ propagate); the backend
/// behind <see cref="Expr.Evaluate(IReadOnlyDictionary{string, double})"/>.
/// </summary>
/// <param name="variables">The variables' values.</param>
public sealed class EvaluationBackend(IReadOnlyDictionary<string, double> variables) : IExpressionBackend<double>
{
    private readonly IReadOnlyDictionary<string, double> _variables = variables ?? throw new ArgumentNullException(nameof(variables));

    /// <inheritdoc/>
    public double Constant(double value) => value;

    /// <inheritdoc/>
    /// <exception cref="KeyNotFoundException">The variable has no value.</exception>
    public double Variable(string name) =>
        _variables.TryGetValue(name, out var value)
            ? value
            : throw new KeyNotFoundException(
                $"Variable '{name}' has no value; add it to the dictionary passed to Evaluate (given: {(_variables.Count == 0 ? "none" : string.Join(", ", _variables.Keys.Order(StringComparer.Ordinal)))}).");

    /// <inheritdoc/>
    public double Negate(double operand) => -operand;

    /// <inheritdoc/>
    public double Add(double left, double right) => left + right;

    /// <inheritdoc/>
    public double Subtract(double left, double right) => left - right;

    /// <inheritdoc/>
    public double Multiply(double left, double right) => left * right;

    /// <inheritdoc/>
    public double Divide(double left, double right) => left / right;

    /// <inheritdoc/>
    public double Power(double left, double right) => Math.Pow(left, right);

    /// <inheritdoc/>
    public double Function(string name, IReadOnlyList<double> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return FunctionCatalog.Get(name).Evaluate([.. arguments]);
    }
}
