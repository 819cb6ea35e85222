using Descent.Differentiation.Expressions;

namespace Descent.Differentiation;

/// <summary>
/// Compiles an expression into a graph of tensor operations, so reverse mode (and everything built on it: Hessians,
/// minimizers, graph drawings) runs on parsed text. Each variable is bound to a tensor; every function maps to the
/// tensor op of the same name.
/// </summary>
public sealed class TensorBackend : IExpressionBackend<Tensor<double>>
{
    private readonly IReadOnlyDictionary<string, Tensor<double>> _variables;

    /// <summary>Creates the backend with the tensors bound to each variable.</summary>
    public TensorBackend(IReadOnlyDictionary<string, Tensor<double>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        _variables = variables;
    }

    /// <inheritdoc />
    public Tensor<double> Constant(double value) => Tensor.Scalar(value);

    /// <inheritdoc />
    public Tensor<double> Variable(string name) => _variables.TryGetValue(name, out var t)
        ? t
        : throw new ArgumentException($"No value was given for the variable '{name}'.", nameof(name));

    /// <inheritdoc />
    public Tensor<double> Negate(Tensor<double> operand) => -operand;

    /// <inheritdoc />
    public Tensor<double> Add(Tensor<double> left, Tensor<double> right) => left + right;

    /// <inheritdoc />
    public Tensor<double> Subtract(Tensor<double> left, Tensor<double> right) => left - right;

    /// <inheritdoc />
    public Tensor<double> Multiply(Tensor<double> left, Tensor<double> right) => left * right;

    /// <inheritdoc />
    public Tensor<double> Divide(Tensor<double> left, Tensor<double> right) => left / right;

    /// <inheritdoc />
    /// <remarks>A constant integer exponent uses the constant-power op, so x^2 is differentiable at x ≤ 0 too.</remarks>
    public Tensor<double> Power(Tensor<double> left, Tensor<double> right)
        => !right.RequiresGrad && right.Size == 1 ? left.Pow(right.Item()) : left.Pow(right);

    /// <inheritdoc />
    public Tensor<double> Function(string name, IReadOnlyList<Tensor<double>> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var x = arguments[0];
        return name switch
        {
            "sin" => x.Sin(),
            "cos" => x.Cos(),
            "tan" => x.Tan(),
            "asin" => x.Asin(),
            "acos" => x.Acos(),
            "atan" => x.Atan(),
            "sinh" => x.Sinh(),
            "cosh" => x.Cosh(),
            "tanh" => x.Tanh(),
            "exp" => x.Exp(),
            "log" => x.Log(),
            "log2" => x.Log() / Math.Log(2),
            "log10" => x.Log() / Math.Log(10),
            "sqrt" => x.Sqrt(),
            "abs" => x.Abs(),
            "sigmoid" => x.Sigmoid(),
            "relu" => x.Relu(),
            "softplus" => x.Softplus(),
            "sinc" => x.Sinc(),
            "dsinc" => x.SincDerivative(),
            "sign" => x.Sign(),
            "heaviside" => x.GreaterThan(0.0),
            "min" => Tensor<double>.Minimum(x, arguments[1]),
            "max" => Tensor<double>.Maximum(x, arguments[1]),
            "pow" => Power(x, arguments[1]),
            _ => throw new NotSupportedException($"The function '{name}' has no tensor form."),
        };
    }

    /// <summary>
    /// Compiles <paramref name="expression"/> into a function of one parameter vector whose components are the
    /// variables in the order of <paramref name="names"/> (the expression's variables, sorted, by default) — the form
    /// the minimizers take.
    /// </summary>
    public static Func<Tensor<double>, Tensor<double>> ToFunction(Expr expression, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var order = names ?? expression.Variables;
        foreach (var v in expression.Variables)
            if (!order.Contains(v))
                throw new ArgumentException($"The expression uses '{v}', which is not among the parameters ({string.Join(", ", order)}).", nameof(names));
        return w =>
        {
            var bound = new Dictionary<string, Tensor<double>>(order.Count);
            for (int i = 0; i < order.Count; i++) bound[order[i]] = w[i];
            return expression.Compile(new TensorBackend(bound));
        };
    }
}
