namespace Descent.Differentiation.Expressions;

/// <summary>A call of a known function, e.g. <c>sin(x)</c> or <c>max(a, b)</c>; see <see cref="Expr.KnownFunctions"/>.</summary>
public sealed class FunctionExpr : Expr
{
    internal FunctionExpr(string name, Expr[] arguments)
        : base(arguments.Max(a => a.Depth) + 1)
    {
        Name = name;
        Arguments = arguments;
    }

    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Function;

    /// <summary>The function's name, as written (all known names are lower case).</summary>
    public string Name { get; }

    /// <summary>The arguments, as many as the function's arity.</summary>
    public IReadOnlyList<Expr> Arguments { get; }
}
