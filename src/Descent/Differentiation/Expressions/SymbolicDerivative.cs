namespace Descent.Differentiation.Expressions;

/// <summary>
/// The textbook rules, applied recursively and then simplified once. A subexpression that does not depend on the
/// variable has derivative 0 and contributes no term — which is also why x^2 never mentions log(x).
/// </summary>
internal static class SymbolicDerivative
{
    public static Expr Differentiate(Expr e, string variable) => Simplifier.Simplify(D(e, variable));

    private static Expr D(Expr e, string v)
    {
        if (!e.DependsOn(v))
        {
            return 0;
        }

        switch (e)
        {
            case VariableExpr:
                return 1;
            case NegateExpr n:
                return -D(n.Operand, v);
            case BinaryExpr b:
                var (a, c) = (b.Left, b.Right);
                return b.Operator switch
                {
                    BinaryOperator.Add => D(a, v) + D(c, v),
                    BinaryOperator.Subtract => D(a, v) - D(c, v),
                    BinaryOperator.Multiply => (D(a, v) * c) + (a * D(c, v)),
                    BinaryOperator.Divide => (D(a, v) / c) - (a * D(c, v) / Expr.Power(c, 2)),
                    _ => Chain([a, c], FunctionCatalog.PowerPartial, v),
                };
            case FunctionExpr f:
                return Chain(f.Arguments, FunctionCatalog.Get(f.Name).Partial, v);
            default:
                throw new InvalidOperationException($"Unknown expression node {e.GetType().Name}.");
        }
    }

    /// <summary>Σᵢ ∂f/∂argᵢ · d argᵢ over the arguments that depend on the variable.</summary>
    private static Expr Chain(IReadOnlyList<Expr> args, Func<IReadOnlyList<Expr>, int, Expr> partialOf, string v)
    {
        Expr? sum = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].DependsOn(v))
            {
                var term = partialOf(args, i) * D(args[i], v);
                sum = sum is null ? term : sum + term;
            }
        }

        return sum ?? 0;
    }
}
