using System.Text;

namespace Descent.Differentiation.Expressions;

/// <summary>Prints an <see cref="Expr"/> as text with minimal parentheses that parses back to the same value.</summary>
internal static class ExpressionPrinter
{
    public static string Print(Expr e)
    {
        var sb = new StringBuilder();
        Write(e, sb);
        return sb.ToString();
    }

    private static void Write(Expr e, StringBuilder sb)
    {
        switch (e)
        {
            case NumberExpr n:
                sb.Append(n.Text);
                break;
            case VariableExpr v:
                sb.Append(v.Name);
                break;
            case NegateExpr n:
                sb.Append('-');
                WriteMaybeParenthesised(n.Operand, Precedence.NegatedNeedsParentheses(n.Operand), sb);
                break;
            case BinaryExpr b:
                WriteMaybeParenthesised(b.Left, Precedence.LeftNeedsParentheses(b.Operator, b.Left), sb);
                sb.Append(b.Operator switch
                {
                    BinaryOperator.Add => " + ",
                    BinaryOperator.Subtract => " - ",
                    BinaryOperator.Multiply => "*",
                    BinaryOperator.Divide => "/",
                    _ => "^",
                });
                WriteMaybeParenthesised(b.Right, Precedence.RightNeedsParentheses(b.Operator, b.Right), sb);
                break;
            case FunctionExpr f:
                sb.Append(f.Name).Append('(');
                for (var i = 0; i < f.Arguments.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    Write(f.Arguments[i], sb);
                }

                sb.Append(')');
                break;
        }
    }

    private static void WriteMaybeParenthesised(Expr e, bool parenthesise, StringBuilder sb)
    {
        if (parenthesise)
        {
            sb.Append('(');
        }

        Write(e, sb);
        if (parenthesise)
        {
            sb.Append(')');
        }
    }
}
