using System.Collections.Immutable;
using System.Linq.Expressions;
using System.Numerics;
using Descent.Kernels;

namespace Descent.Ops;

// Shape operations. Reshape is a view (shared storage); the others copy. Each gradient is the inverse shape change.

/// <summary>The same elements with shape <see cref="Shape"/> (a view). ∂: reshape back.</summary>
internal sealed record Reshape<T>(ImmutableArray<int> Shape) : UnaryOp<T>, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public Reshape(int[] shape) : this(Own(shape)) { }

    public override string Name => "reshape";
    public override string Label => $"reshape({Format(Shape)})";
    public override Tensor<T> Forward(Tensor<T> x) => new(Raw(Shape), x.Buffer);
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g.Reshape(x.ShapeRef);

    /// <summary>Linear: the tangent reshaped the same way.</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => t.Reshape(y.ShapeRef);
    public Expression Forward(Expression a, Expression? b) => a;
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y) => g;
}

/// <summary>Reorders axes: result axis k is input axis <c>Permutation[k]</c>. ∂: the inverse permutation.</summary>
internal sealed record Permute<T>(ImmutableArray<int> Permutation) : UnaryOp<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public Permute(int[] permutation) : this(Own(permutation)) { }

    public override string Name => "permute";
    public override string Label => $"permute({Format(Permutation)})";
    public override Tensor<T> Forward(Tensor<T> x) => TensorKernels.Permute(x, Raw(Permutation));

    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y)
    {
        var inverse = new int[Permutation.Length];
        for (int i = 0; i < inverse.Length; i++) inverse[Permutation[i]] = i;
        return g.Permute(inverse);
    }

    /// <summary>Linear: the tangent permuted the same way.</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => Apply(t);
}

/// <summary>Repeats the input along broadcast dimensions to <see cref="Shape"/> (a copy). ∂: summed back by the engine.</summary>
internal sealed record BroadcastTo<T>(ImmutableArray<int> Shape) : UnaryOp<T>, IElementWise where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public BroadcastTo(int[] shape) : this(Own(shape)) { }

    public override string Name => "broadcast_to";
    public override string Label => $"broadcast_to({Format(Shape)})";
    public override Tensor<T> Forward(Tensor<T> x) => new((int[])Raw(Shape).Clone(), ElementWise.BroadcastTo(x.Buffer, x.ShapeRef, Raw(Shape)));
    public override Tensor<T> Vjp(Tensor<T> g, Tensor<T> x, Tensor<T> y) => g;

    /// <summary>Linear: the JVP is the op itself on the tangent.</summary>
    public override Tensor<T>? Jvp(Tensor<T> t, Tensor<T> x, Tensor<T> y) => Apply(t);
    public Expression Forward(Expression a, Expression? b) => a;
    public Expression Vjp(int input, Expression g, Expression a, Expression? b, Func<Expression> y) => g;
}
