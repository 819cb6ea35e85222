namespace Descent.Differentiation.Expressions;

/// <summary>How tightly a node binds when printed; shared by the text and LaTeX printers.</summary>
internal static class Precedence
{
    public const int Sum = 1;
    public const int Product = 2;
    public const int Unary = 3;
    public const int Power = 4;
    public const int Atom = 5;

    /// <summary>The node's precedence; a negative literal prints with a leading '-' and so counts as unary.</summary>
    public static int Of(Expr e) => e switch
    {
        BinaryExpr { Operator: BinaryOperator.Add or BinaryOperator.Subtract } => Sum,
        BinaryExpr { Operator: BinaryOperator.Multiply or BinaryOperator.Divide } => Product,
        NegateExpr => Unary,
        NumberExpr number when double.IsNegative(number.Value) => Unary, // −0 too: it prints as "-0"
        BinaryExpr => Power,
        _ => Atom,
    };

    /// <summary>The operator's own precedence.</summary>
    public static int Of(BinaryOperator op) => op switch
    {
        BinaryOperator.Add or BinaryOperator.Subtract => Sum,
        BinaryOperator.Multiply or BinaryOperator.Divide => Product,
        _ => Power,
    };

    /// <summary>
    /// Whether the left operand needs parentheses: always below the operator's precedence; for the
    /// right-associative '^' also at equal precedence and for a negation (<c>(-x)^2</c>).
    /// </summary>
    public static bool LeftNeedsParentheses(BinaryOperator op, Expr left) =>
        op == BinaryOperator.Power ? Of(left) <= Power : Of(left) < Of(op);

    /// <summary>
    /// Whether the right operand needs parentheses: for the left-associative operators at or below their
    /// precedence (<c>a - (b - c)</c>, <c>a/(b*c)</c>); for '^' below it. A negation on the right is always
    /// parenthesised, so that text never has two signs in a row (<c>x*(-y)</c>, <c>x - (-1/y)</c>, <c>x^(-1)</c>).
    /// </summary>
    public static bool RightNeedsParentheses(BinaryOperator op, Expr right) =>
        PrintsWithLeadingMinus(right) || (op == BinaryOperator.Power ? Of(right) < Power : Of(right) <= Of(op));

    /// <summary>
    /// Whether a negation's operand needs parentheses: sums, and anything printing with its own leading '-' (<c>-(-x)</c>). A product
    /// need not: <c>-x*y</c> reads back as <c>(-x)*y</c>, which is exactly equal since negation is exact.
    /// </summary>
    public static bool NegatedNeedsParentheses(Expr operand) => Of(operand) == Sum || PrintsWithLeadingMinus(operand);

    /// <summary>Whether the unparenthesised text starts with '-': <c>-x</c>, <c>-2</c>, <c>-x*y</c>, <c>-1/x</c>.</summary>
    public static bool PrintsWithLeadingMinus(Expr e) => e switch
    {
        NegateExpr => true,
        NumberExpr number when double.IsNegative(number.Value) => true,
        BinaryExpr b => !LeftNeedsParentheses(b.Operator, b.Left) && PrintsWithLeadingMinus(b.Left),
        _ => false,
    };
}
