namespace Descent.Differentiation.Expressions;

/// <summary>The kind of an <see cref="Expr"/> node.</summary>
public enum ExprKind
{
    /// <summary>A numeric literal or a named constant (<c>pi</c>, <c>e</c>): <see cref="NumberExpr"/>.</summary>
    Number,

    /// <summary>A free variable such as <c>w1</c>: <see cref="VariableExpr"/>.</summary>
    Variable,

    /// <summary>Unary negation <c>-a</c>: <see cref="NegateExpr"/>.</summary>
    Negate,

    /// <summary>A binary operation <c>+ - * / ^</c>: <see cref="BinaryExpr"/>.</summary>
    Binary,

    /// <summary>A call of a known function such as <c>sin(x)</c>: <see cref="FunctionExpr"/>.</summary>
    Function,
}
