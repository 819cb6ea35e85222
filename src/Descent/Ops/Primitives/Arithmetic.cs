using System.Linq.Expressions;
using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;


namespace Descent.Ops;

// Arithmetic primitives: forward kernel, VJP (tensor and scalar) and the compiler's element-wise form, one record each.

/// <summary>a + b with broadcasting. ∂/∂a = 1, ∂/∂b = 1.</summary>
internal sealed record Add<T> : BinaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Add<T> Instance = new();
    public override string Name => "add";
    public override Tensor<T> Forward(Tensor<T> a, Tensor<T> b) => TensorKernels.Binary<T, AddOp<T>>(a, b, Name);
    public override Tensor<T> VjpA(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g;
    public override Tensor<T> VjpB(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g;
    public override bool ScalarVjp(T g, T a, T b, T y, out T da, out T db) { da = g; db = g; return true; }
    public Expression Forward(Expression a, Expression? b) => Expression.Add(a, b!);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y) => g;
}

/// <summary>a − b with broadcasting. ∂/∂a = 1, ∂/∂b = −1.</summary>
internal sealed record Subtract<T> : BinaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Subtract<T> Instance = new();
    public override string Name => "subtract";
    public override Tensor<T> Forward(Tensor<T> a, Tensor<T> b) => TensorKernels.Binary<T, SubtractOp<T>>(a, b, Name);
    public override Tensor<T> VjpA(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g;
    public override Tensor<T> VjpB(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => -g;
    public override bool ScalarVjp(T g, T a, T b, T y, out T da, out T db) { da = g; db = -g; return true; }
    public Expression Forward(Expression a, Expression? b) => Expression.Subtract(a, b!);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y) => input == 0 ? g : Expression.Negate(g);
}

/// <summary>a · b with broadcasting. ∂/∂a = b, ∂/∂b = a.</summary>
internal sealed record Multiply<T> : BinaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Multiply<T> Instance = new();
    public override string Name => "multiply";
    public override Tensor<T> Forward(Tensor<T> a, Tensor<T> b) => TensorKernels.Binary<T, MultiplyOp<T>>(a, b, Name);
    public override Tensor<T> VjpA(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g * b;
    public override Tensor<T> VjpB(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g * a;
    public override bool ScalarVjp(T g, T a, T b, T y, out T da, out T db) { da = g * b; db = g * a; return true; }
    public Expression Forward(Expression a, Expression? b) => Expression.Multiply(a, b!);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y)
        => input == 0 ? Expression.Multiply(g, b!) : Expression.Multiply(g, a);
}

/// <summary>a / b with broadcasting. ∂/∂a = 1/b, ∂/∂b = −a/b² = −y/b.</summary>
internal sealed record Divide<T> : BinaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Divide<T> Instance = new();
    public override string Name => "divide";
    public override Tensor<T> Forward(Tensor<T> a, Tensor<T> b) => TensorKernels.Binary<T, DivideOp<T>>(a, b, Name);
    public override Tensor<T> VjpA(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => g / b;
    public override Tensor<T> VjpB(Tensor<T> g, Tensor<T> a, Tensor<T> b, Tensor<T> y) => -(g * y / b);
    public override bool ScalarVjp(T g, T a, T b, T y, out T da, out T db) { da = g / b; db = -(g * y / b); return true; }
    public Expression Forward(Expression a, Expression? b) => Expression.Divide(a, b!);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y)
        => input == 0 ? Expression.Divide(g, b!) : Expression.Negate(Expression.Divide(Expression.Multiply(g, y()), b!));
}

/// <summary>−x. ∂/∂x = −1.</summary>
internal sealed record Negate<T> : UnaryOp<T>, IDiagonalJacobian, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static readonly Negate<T> Instance = new();
    public override string Name => "negate";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Unary(x, static (s, d) => TensorPrimitives.Negate(s, d));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => -g;
    public Expression Forward(Expression a, Expression? b) => Expression.Negate(a);
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y) => Expression.Negate(g);
}
