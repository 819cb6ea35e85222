using System.Linq.Expressions;
using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent.Ops;

// Trigonometric and hyperbolic functions.

/// <summary>sin x. ∂/∂x = cos x.</summary>
internal sealed record Sin<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Sin<T> Instance = new();
    public override string Name => "sin";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Sin(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g * x.Cos();
}

/// <summary>cos x. ∂/∂x = −sin x.</summary>
internal sealed record Cos<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Cos<T> Instance = new();
    public override string Name => "cos";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Cos(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => -(g * x.Sin());
}

/// <summary>tan x. ∂/∂x = 1 + tan²x.</summary>
internal sealed record Tan<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Tan<T> Instance = new();
    public override string Name => "tan";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Tan(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g * (y.Square() + T.One);
}

/// <summary>arcsin x on [−1, 1]. ∂/∂x = 1/√(1−x²).</summary>
internal sealed record Asin<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Asin<T> Instance = new();
    public override string Name => "asin";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Asin(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g / (T.One - x.Square()).Sqrt();
}

/// <summary>arccos x on [−1, 1]. ∂/∂x = −1/√(1−x²).</summary>
internal sealed record Acos<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Acos<T> Instance = new();
    public override string Name => "acos";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Acos(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => -(g / (T.One - x.Square()).Sqrt());
}

/// <summary>arctan x. ∂/∂x = 1/(1+x²).</summary>
internal sealed record Atan<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Atan<T> Instance = new();
    public override string Name => "atan";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Atan(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g / (x.Square() + T.One);
}

/// <summary>sinh x. ∂/∂x = cosh x.</summary>
internal sealed record Sinh<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Sinh<T> Instance = new();
    public override string Name => "sinh";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Sinh(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g * x.Cosh();
}

/// <summary>cosh x. ∂/∂x = sinh x.</summary>
internal sealed record Cosh<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Cosh<T> Instance = new();
    public override string Name => "cosh";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Cosh(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g * x.Sinh();
}

/// <summary>tanh x. ∂/∂x = 1 − tanh²x = 1 − y².</summary>
internal sealed record Tanh<T> : UnaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Tanh<T> Instance = new();
    public override string Name => "tanh";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Tanh(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y)
        => Tensor<T>.FusedGrad<Tensor<T>.TanhGrad>(g, y, static (g, y) => g * (T.One - y.Square()));
    public Expression Forward(Expression a, Expression? b) => Scalar<T>.Call(nameof(Scalar<T>.Tanh), a);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y)
        => Expression.Multiply(g, Expression.Subtract(Scalar<T>.One, Expression.Multiply(y(), y())));
}

/// <summary>
/// sinc x = sin(x)/x with sinc 0 = 1: the stable form of <c>x.Sin() / x</c>, whose autodiff gradient at 0 is NaN.
/// ∂/∂x = (x cos x − sin x)/x², which is 0 at x = 0 (and ≈ −x/3 near it, used for |x| &lt; 1e-4).
/// </summary>
internal sealed record Sinc<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Sinc<T> Instance = new();
    public override string Name => "sinc";

    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) =>
    {
        for (int i = 0; i < d.Length; i++)
        {
            T v = s[i];
            d[i] = T.Abs(v) < Cv(1e-4) ? T.One - v * v / Cv(6) : T.Sin(v) / v;
        }
    });

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g * SincDerivative<T>.Instance.Apply(x);
}

/// <summary>sinc′ x = (x cos x − sin x)/x² (≈ −x/3 near 0); its own derivative is a constant-free kernel.</summary>
internal sealed record SincDerivative<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly SincDerivative<T> Instance = new();
    public override string Name => "sinc'";

    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) =>
    {
        for (int i = 0; i < d.Length; i++)
        {
            T v = s[i];
            d[i] = T.Abs(v) < Cv(1e-4) ? -v / Cv(3) : (v * T.Cos(v) - T.Sin(v)) / (v * v);
        }
    });

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g * SecondDerivative(x);

    private static Tensor<T> SecondDerivative(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) =>
    {
        for (int i = 0; i < d.Length; i++)
        {
            T v = s[i];
            d[i] = T.Abs(v) < Cv(1e-3) ? -T.One / Cv(3) + v * v / Cv(10)
                : ((Cv(2) - v * v) * T.Sin(v) - Cv(2) * v * T.Cos(v)) / (v * v * v);
        }
    });
}
