namespace Descent.Differentiation.Expressions;

/// <summary>A free variable, named like an identifier: <c>w</c>, <c>w1</c>, <c>x_2</c>.</summary>
public sealed class VariableExpr : Expr
{
    internal VariableExpr(string name)
        : base(1) => Name = name;

    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Variable;

    /// <summary>The variable's name.</summary>
    public string Name { get; }
}
