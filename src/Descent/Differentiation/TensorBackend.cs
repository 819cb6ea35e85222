using Descent.Differentiation.Expressions;

namespace Descent.Differentiation;

/// <summary>
/// Compiles an <see cref="Expr"/> to a graph of <see cref="Tensor{T}"/> operations (<see cref="Expr.Compile{TValue}"/>),
/// so reverse-mode autodiff, higher derivatives (Hessians) and every optimizer work on a typed-in formula. Each
/// variable is a tensor the caller provides; constants are scalars. <c>x ^ c</c> with a constant exponent uses
/// <see cref="Tensor{T}.Pow(T)"/>, so negative bases with whole exponents stay finite.
/// </summary>
/// <remarks><c>heaviside</c> and <c>sign</c> are piecewise constant (gradient 0); <c>dsinc</c> is not supported.</remarks>
/// <example>
/// <code>
/// var f = TensorBackend.Function(Expr.Parse("x^2 + 3*y"), ["x", "y"]);
/// var w = Tensor.FromArray([1.0, 2.0]).WithGrad();
/// f(w).Backward(); // w.Grad = [2, 3]
/// </code>
/// </example>
public sealed class TensorBackend : IExpressionBackend<Tensor<double>>
{
    private readonly IReadOnlyDictionary<string, Tensor<double>> _variables;
    private readonly Dictionary<Tensor<double>, double> _constants = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates a backend that reads each variable from <paramref name="variables"/>.</summary>
    /// <param name="variables">The tensor of every variable the expression uses (scalars or broadcast-compatible shapes).</param>
    /// <exception cref="ArgumentNullException"><paramref name="variables"/> is null.</exception>
    public TensorBackend(IReadOnlyDictionary<string, Tensor<double>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        _variables = variables;
    }

    /// <summary>
    /// f(w) for a 1-D tensor w whose entries are the variables in the order of <paramref name="names"/>, as
    /// a scalar tensor: the form every <c>Minimizer</c> and <c>CriticalPoints</c> takes.
    /// </summary>
    /// <exception cref="ArgumentException">The expression uses a variable not in <paramref name="names"/>.</exception>
    public static Func<Tensor<double>, Tensor<double>> Function(Expr expression, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(names);
        var missing = expression.Variables.Where(v => !names.Contains(v)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"The expression uses {string.Join(", ", missing)}, which has no value; give every variable a value.", nameof(names));
        return w =>
        {
            var variables = new Dictionary<string, Tensor<double>>(StringComparer.Ordinal);
            for (int i = 0; i < names.Count; i++) variables[names[i]] = w.IndexSelect(0, i).Reshape();
            var result = expression.Compile(new TensorBackend(variables));
            return result.Size == 1 && result.Rank != 0 ? result.Reshape() : result;
        };
    }

    /// <inheritdoc />
    public Tensor<double> Constant(double value)
    {
        var t = Tensor.Scalar(value);
        _constants[t] = value;
        return t;
    }

    /// <inheritdoc />
    public Tensor<double> Variable(string name) => _variables.TryGetValue(name, out var t) ? t
        : throw new ArgumentException($"No value for the variable '{name}'.", nameof(name));

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
    public Tensor<double> Power(Tensor<double> left, Tensor<double> right)
        => _constants.TryGetValue(right, out double c) ? left.Pow(c) : left.Pow(right);

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">The function has no tensor form (<c>dsinc</c>).</exception>
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
            "heaviside" => x.Detach().GreaterThan(0.0),
            "sign" => x.Detach().Sign(),
            "min" => x.Minimum(arguments[1]),
            "max" => x.Maximum(arguments[1]),
            "pow" => Power(x, arguments[1]),
            _ => throw new NotSupportedException($"The function '{name}' has no tensor form."),
        };
    }
}
