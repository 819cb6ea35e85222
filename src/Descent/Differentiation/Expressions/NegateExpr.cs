namespace Descent.Differentiation.Expressions;

/// <summary>Unary negation <c>-a</c>. Note that <c>-x^2</c> parses as <c>-(x^2)</c>.</summary>
public sealed class NegateExpr : Expr
{
    internal NegateExpr(Expr operand)
        : base(operand.Depth + 1) => Operand = operand;

    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Negate;

    /// <summary>The negated expression.</summary>
    public Expr Operand { get; }
}
