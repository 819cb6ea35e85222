using System.Linq.Expressions;
using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent.Ops;

// Exponentials, logarithms, powers and roots.

/// <summary>eˣ. ∂/∂x = eˣ = y.</summary>
internal sealed record Exp<T> : UnaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Exp<T> Instance = new();
    public override string Name => "exp";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Exp(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g * y;
    public Expression Forward(Expression a, Expression? b) => Scalar<T>.Call(nameof(Scalar<T>.Exp), a);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y) => Expression.Multiply(g, y());
}

/// <summary>ln x (NaN below 0, −∞ at 0). ∂/∂x = 1/x.</summary>
internal sealed record Log<T> : UnaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Log<T> Instance = new();
    public override string Name => "log";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Log(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g / x;
    public Expression Forward(Expression a, Expression? b) => Scalar<T>.Call(nameof(Scalar<T>.Log), a);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y) => Expression.Divide(g, a);
}

/// <summary>ln(1+x), accurate near 0. ∂/∂x = 1/(1+x).</summary>
internal sealed record Log1P<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Log1P<T> Instance = new();
    public override string Name => "log1p";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.LogP1(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g / (x + T.One);
}

/// <summary>eˣ−1, accurate near 0. ∂/∂x = eˣ = y+1.</summary>
internal sealed record ExpM1<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly ExpM1<T> Instance = new();
    public override string Name => "expm1";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.ExpM1(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g * (y + T.One);
}

/// <summary>√x. ∂/∂x = 1/(2√x) = 1/(2y) (infinite at 0).</summary>
internal sealed record Sqrt<T> : UnaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Sqrt<T> Instance = new();
    public override string Name => "sqrt";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Sqrt(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g / (y * Cv(2));
    public Expression Forward(Expression a, Expression? b) => Scalar<T>.Call(nameof(Scalar<T>.Sqrt), a);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y)
        => Expression.Divide(g, Expression.Multiply(y(), Scalar<T>.C(2)));
}

/// <summary>x². ∂/∂x = 2x.</summary>
internal sealed record Square<T> : UnaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Square<T> Instance = new();
    public override string Name => "square";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Multiply(s, s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g * x * Cv(2);
    public Expression Forward(Expression a, Expression? b) => Expression.Multiply(a, a);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y)
        => Expression.Multiply(Expression.Multiply(g, a), Scalar<T>.C(2));
}

/// <summary>xᵖ for a constant exponent p (not 1 or 2, which are recorded as x·1 and a square). ∂/∂x = p·xᵖ⁻¹.</summary>
internal sealed record PowScalar<T>(T Exponent) : UnaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "pow";
    public override string Label => $"pow({Exponent})";

    public override Tensor<T> Forward(Tensor<T> x)
    {
        var result = new Tensor<T>(x.ShapeRef);
        TensorPrimitives.Pow(x.Buffer, Exponent, result.Buffer);
        return result;
    }

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g * x.Pow(Exponent - T.One) * Exponent;

    public Expression Forward(Expression a, Expression? b) => Scalar<T>.Call(nameof(Scalar<T>.Pow), a, Scalar<T>.C(Exponent));

    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y)
        => Expression.Multiply(Expression.Multiply(g, PowMinusOne(a)), Scalar<T>.C(Exponent));

    /// <summary>x^(p−1) as the tensor VJP computes it: x.Pow(p − 1) is a square for p = 3 and x·1 for p = 2.</summary>
    private Expression PowMinusOne(Expression x)
    {
        T q = Exponent - T.One;
        if (q == Cv(2)) return Expression.Multiply(x, x);
        if (q == T.One) return Expression.Multiply(x, Scalar<T>.One);
        return Scalar<T>.Call(nameof(Scalar<T>.Pow), x, Scalar<T>.C(q));
    }
}

/// <summary>aᵇ with broadcasting. ∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·ln a (NaN for a &lt; 0, where the real power is undefined).</summary>
internal sealed record Pow<T> : BinaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Pow<T> Instance = new();
    public override string Name => "pow";
    public override Tensor<T> Forward(Tensor<T> a, Tensor<T> b) => TensorKernels.Binary<T, PowOp<T>>(a, b, Name);
    public override Tensor<T> VjpA(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g * b * a.Pow(b - T.One);
    public override Tensor<T> VjpB(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g * y * a.Log();
    public Expression Forward(Expression a, Expression? b) => Scalar<T>.Call(nameof(Scalar<T>.Pow), a, b!);

    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y) => input == 0
        ? Expression.Multiply(Expression.Multiply(g, b!), Scalar<T>.Call(nameof(Scalar<T>.Pow), a, Expression.Subtract(b!, Scalar<T>.One)))
        : Expression.Multiply(Expression.Multiply(g, y()), Scalar<T>.Call(nameof(Scalar<T>.Log), a));
}

/// <summary>|x|. ∂/∂x = sign(x), taken as 0 at the kink x = 0.</summary>
internal sealed record Abs<T> : UnaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Abs<T> Instance = new();
    public override string Name => "abs";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Abs(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g * x.Sign();
    public Expression Forward(Expression a, Expression? b) => Scalar<T>.Call(nameof(Scalar<T>.Abs), a);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y)
        => Expression.Multiply(g, Scalar<T>.Call(nameof(Scalar<T>.Sign), a));
}
