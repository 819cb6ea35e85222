namespace Descent.Differentiation.Expressions;

/// <summary>A binary operation <c>Left op Right</c> with op one of <c>+ - * / ^</c>.</summary>
public sealed class BinaryExpr : Expr
{
    internal BinaryExpr(BinaryOperator op, Expr left, Expr right)
        : base(Math.Max(left.Depth, right.Depth) + 1)
    {
        Operator = op;
        Left = left;
        Right = right;
    }

    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Binary;

    /// <summary>The operator.</summary>
    public BinaryOperator Operator { get; }

    /// <summary>The left operand (the base, for <see cref="BinaryOperator.Power"/>).</summary>
    public Expr Left { get; }

    /// <summary>The right operand (the exponent, for <see cref="BinaryOperator.Power"/>).</summary>
    public Expr Right { get; }
}
