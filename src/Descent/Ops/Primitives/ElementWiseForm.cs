using System.Linq.Expressions;
using System.Numerics;
using System.Reflection;

namespace Descent.Ops;

/// <summary>
/// The element-wise form of a primitive, which the graph compiler (<c>Autograd.Compile</c>) fuses into loops: its
/// forward value and each input's VJP as scalar expressions of the elements that meet at one output position.
/// A primitive without this form (and not one of the compiler's structural operations) is not compiled.
/// </summary>
internal interface IElementWise
{
    /// <summary>The output element from the input elements (<paramref name="b"/> null for one input).</summary>
    Expression Forward(Expression a, Expression? b);

    /// <summary>
    /// Input <paramref name="input"/>'s gradient contribution at one position from the upstream element
    /// <paramref name="g"/>; <paramref name="y"/> reads the output element. The same formula, operation by operation,
    /// as the tensor VJP, so compiled and eager results agree bit for bit.
    /// </summary>
    Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y);
}

/// <summary>Scalar kernels the compiled code calls (the same functions the eager kernels compute) and expression helpers.</summary>
internal static class Scalar<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static T Exp(T x) => T.Exp(x);
    public static T Log(T x) => T.Log(x);
    public static T Sqrt(T x) => T.Sqrt(x);
    public static T Pow(T x, T p) => T.Pow(x, p);
    public static T Abs(T x) => T.Abs(x);
    public static T Tanh(T x) => T.Tanh(x);
    public static T Sigmoid(T x) => T.One / (T.One + T.Exp(-x));
    public static T Relu(T x) => T.Max(x, T.Zero);
    public static T Sign(T x) => x > T.Zero ? T.One : x < T.Zero ? -T.One : x;
    public static T Positive(T x) => x > T.Zero ? T.One : T.Zero;

    public static ConstantExpression One => Expression.Constant(T.One, typeof(T));

    public static ConstantExpression C(T value) => Expression.Constant(value, typeof(T));

    public static ConstantExpression C(double value) => C(T.CreateTruncating(value));

    /// <summary>A call of one of the scalar kernels above.</summary>
    public static Expression Call(string name, params Expression[] args)
        => Expression.Call(typeof(Scalar<T>).GetMethod(name, BindingFlags.Public | BindingFlags.Static)!, args);
}
