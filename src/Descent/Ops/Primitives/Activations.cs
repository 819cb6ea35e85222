using System.Linq.Expressions;
using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent.Ops;

// Activation functions. Sigmoid, softplus and relu are primitives rather than compositions: the obvious compositions
// overflow (1/(1+e^{-x}) differentiates to ∞/∞ for very negative x) or put the kink's gradient in the wrong place.

/// <summary>σ(x) = 1/(1+e⁻ˣ), computed stably. ∂/∂x = σ(x)(1−σ(x)) = y(1−y).</summary>
internal sealed record Sigmoid<T> : UnaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Sigmoid<T> Instance = new();
    public override string Name => "sigmoid";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Sigmoid(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y)
        => Tensor<T>.FusedGrad<Tensor<T>.SigmoidGrad>(g, y, static (g, y) => g * y * (T.One - y));
    public Expression Forward(Expression a, Expression? b) => Scalar<T>.Call(nameof(Scalar<T>.Sigmoid), a);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y)
        => Expression.Multiply(Expression.Multiply(g, y()), Expression.Subtract(Scalar<T>.One, y()));
}

/// <summary>softplus(x) = ln(1+eˣ), computed as max(x,0) + ln(1+e^−|x|) so it never overflows. ∂/∂x = σ(x).</summary>
internal sealed record Softplus<T> : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Softplus<T> Instance = new();
    public override string Name => "softplus";

    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) =>
    {
        for (int i = 0; i < d.Length; i++)
        {
            T v = s[i];
            d[i] = T.Max(v, T.Zero) + T.LogP1(T.Exp(-T.Abs(v)));
        }
    });

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g * x.Sigmoid();
}

/// <summary>max(x, 0). ∂/∂x = 1 for x &gt; 0, else 0 (0 at the kink, as PyTorch).</summary>
internal sealed record Relu<T> : UnaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Relu<T> Instance = new();
    public override string Name => "relu";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Max(s, T.Zero, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y)
        => Tensor<T>.FusedGrad<Tensor<T>.ReluGrad>(g, y, static (g, y) => g * y.GreaterThan(T.Zero));
    public Expression Forward(Expression a, Expression? b) => Scalar<T>.Call(nameof(Scalar<T>.Relu), a);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y)
        => Expression.Multiply(g, Scalar<T>.Call(nameof(Scalar<T>.Positive), a));
}

/// <summary>x for x &gt; 0, else slope·x. ∂/∂x = 1 for x &gt; 0, else slope.</summary>
internal sealed record LeakyRelu<T>(T Slope) : UnaryOp<T>, IDiagonalJacobian where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public override string Name => "leaky_relu";
    public override string Label => $"leaky_relu({Slope})";

    public override Tensor<T> Forward(Tensor<T> x)
    {
        var result = new Tensor<T>(x.ShapeRef);
        var s = x.Buffer;
        var d = result.Buffer;
        for (int i = 0; i < d.Length; i++) d[i] = s[i] > T.Zero ? s[i] : s[i] * Slope;
        return result;
    }

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y)
    {
        var mask = x.GreaterThan(T.Zero);
        return g * (mask + (T.One - mask) * Slope);
    }
}
