using System.Globalization;
using System.Text;

namespace Descent.Differentiation.Expressions;

/// <summary>
/// Prints an <see cref="Expr"/> as LaTeX: <c>\frac{a}{b}</c>, <c>x^{2}</c>, <c>\sin(x)</c>, <c>\sigma(x)</c>,
/// <c>\sqrt{x}</c>, <c>\pi</c>; products are juxtaposed (<c>2 x</c>, <c>w \sigma(w x)</c>) except where a number
/// or a sign follows, which gets <c>\cdot</c>.
/// </summary>
internal static class LatexPrinter
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
            case NumberExpr { Name: "pi" }:
                sb.Append(@"\pi");
                break;
            case NumberExpr n:
                sb.Append(n.Name ?? FormatNumber(n.Value));
                break;
            case VariableExpr v:
                sb.Append(FormatName(v.Name));
                break;
            case NegateExpr n:
                sb.Append('-');
                Group(n.Operand, Precedence.NegatedNeedsParentheses(n.Operand), sb);
                break;
            case BinaryExpr { Operator: BinaryOperator.Divide } b:
                sb.Append(@"\frac{");
                Write(b.Left, sb);
                sb.Append("}{");
                Write(b.Right, sb);
                sb.Append('}');
                break;
            case BinaryExpr { Operator: BinaryOperator.Power } b:
                WritePower(b.Left, b.Right, sb);
                break;
            case BinaryExpr { Operator: BinaryOperator.Multiply } b:
                Group(b.Left, Precedence.LeftNeedsParentheses(b.Operator, b.Left), sb);
                var right = new StringBuilder();
                Group(b.Right, Precedence.RightNeedsParentheses(b.Operator, b.Right), right);
                var needsDot = right.Length > 0 && (char.IsAsciiDigit(right[0]) || right[0] is '-' or '.');
                sb.Append(needsDot ? @" \cdot " : " ").Append(right);
                break;
            case BinaryExpr b:
                Group(b.Left, Precedence.LeftNeedsParentheses(b.Operator, b.Left), sb);
                sb.Append(b.Operator == BinaryOperator.Add ? " + " : " - ");
                Group(b.Right, Precedence.RightNeedsParentheses(b.Operator, b.Right), sb);
                break;
            case FunctionExpr { Name: "pow" } f:
                WritePower(f.Arguments[0], f.Arguments[1], sb);
                break;
            case FunctionExpr f:
                var args = f.Arguments.Select(a => Print(a)).ToArray<object?>();
                sb.Append(string.Format(CultureInfo.InvariantCulture, FunctionCatalog.Get(f.Name).Latex, args));
                break;
        }
    }

    private static void WritePower(Expr baseExpr, Expr exponent, StringBuilder sb)
    {
        // A function call as base reads fine without parentheses: \sin(x)^{2}.
        Group(baseExpr, Precedence.Of(baseExpr) <= Precedence.Power, sb);
        sb.Append("^{");
        Write(exponent, sb);
        sb.Append('}');
    }

    private static void Group(Expr e, bool parenthesise, StringBuilder sb)
    {
        if (!parenthesise)
        {
            Write(e, sb);
            return;
        }

        sb.Append(@"\left(");
        Write(e, sb);
        sb.Append(@"\right)");
    }

    private static string FormatNumber(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        return e < 0 ? text : $@"{text[..e]} \cdot 10^{{{int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture)}}}";
    }

    /// <summary><c>x_2</c> → <c>x_{2}</c>, <c>w1</c> → <c>w_{1}</c>; longer names upright: <c>\mathrm{rate}</c>.</summary>
    private static string FormatName(string name)
    {
        var underscore = name.IndexOf('_', StringComparison.Ordinal);
        if (underscore > 0 && underscore < name.Length - 1)
        {
            return $"{FormatName(name[..underscore])}_{{{name[(underscore + 1)..].Replace("_", @"\_", StringComparison.Ordinal)}}}";
        }

        var digits = name.Length;
        while (digits > 0 && char.IsAsciiDigit(name[digits - 1]))
        {
            digits--;
        }

        if (digits > 0 && digits < name.Length)
        {
            return $"{FormatName(name[..digits])}_{{{name[digits..]}}}";
        }

        return name.Length == 1 ? name : $@"\mathrm{{{name.Replace("_", @"\_", StringComparison.Ordinal)}}}";
    }
}
