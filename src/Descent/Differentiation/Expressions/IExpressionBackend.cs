namespace Descent.Differentiation.Expressions;

/// <summary>
/// Turns an <see cref="Expr"/> into values of <typeparamref name="TValue"/> by a bottom-up fold
/// (<see cref="Expr.Compile{TValue}"/>): each node's operands are compiled first, then combined by one of these
/// methods. Implement it to evaluate an expression on another number type — <see cref="EvaluationBackend"/>
/// (doubles) and <see cref="DualBackend"/> (forward-mode duals) are the reference implementations.
/// </summary>
/// <typeparam name="TValue">The value type, e.g. <see cref="double"/>, <see cref="Dual"/>, or a tensor.</typeparam>
/// <remarks>
/// <see cref="Function"/> receives one of the names in <see cref="Expr.KnownFunctions"/>, with exactly as many
/// arguments as its arity; a backend that cannot support one should throw <see cref="NotSupportedException"/>.
/// The named constants <c>pi</c> and <c>e</c> arrive through <see cref="Constant"/> as their values.
/// </remarks>
public interface IExpressionBackend<TValue>
{
    /// <summary>A numeric literal or named constant.</summary>
    /// <param name="value">A finite number.</param>
    TValue Constant(double value);

    /// <summary>The value of a free variable.</summary>
    /// <param name="name">The variable's name.</param>
    TValue Variable(string name);

    /// <summary><c>-a</c>.</summary>
    /// <param name="operand">The compiled operand.</param>
    TValue Negate(TValue operand);

    /// <summary><c>a + b</c>.</summary>
    /// <param name="left">The compiled left operand.</param>
    /// <param name="right">The compiled right operand.</param>
    TValue Add(TValue left, TValue right);

    /// <summary><c>a - b</c>.</summary>
    /// <param name="left">The compiled left operand.</param>
    /// <param name="right">The compiled right operand.</param>
    TValue Subtract(TValue left, TValue right);

    /// <summary><c>a * b</c>.</summary>
    /// <param name="left">The compiled left operand.</param>
    /// <param name="right">The compiled right operand.</param>
    TValue Multiply(TValue left, TValue right);

    /// <summary><c>a / b</c>.</summary>
    /// <param name="left">The compiled numerator.</param>
    /// <param name="right">The compiled denominator.</param>
    TValue Divide(TValue left, TValue right);

    /// <summary><c>a ^ b</c> (also used for the function <c>pow(a, b)</c>).</summary>
    /// <param name="left">The compiled base.</param>
    /// <param name="right">The compiled exponent.</param>
    TValue Power(TValue left, TValue right);

    /// <summary>A call of a known function other than <c>pow</c>.</summary>
    /// <param name="name">A name from <see cref="Expr.KnownFunctions"/>.</param>
    /// <param name="arguments">The compiled arguments, as many as the function's arity.</param>
    TValue Function(string name, IReadOnlyList<TValue> arguments);
}
