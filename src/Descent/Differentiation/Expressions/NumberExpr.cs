using System.Globalization;

namespace Descent.Differentiation.Expressions;

/// <summary>A finite numeric literal, or one of the named constants <c>pi</c> and <c>e</c>.</summary>
public sealed class NumberExpr : Expr
{
    internal NumberExpr(double value, string? name)
        : base(1)
    {
        Value = value;
        Name = name;
    }

    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Number;

    /// <summary>The number's value.</summary>
    public double Value { get; }

    /// <summary>The constant's name (<c>"pi"</c> or <c>"e"</c>), or <see langword="null"/> for a plain literal.</summary>
    public string? Name { get; }

    /// <summary>True for a plain literal (not a named constant).</summary>
    internal bool IsPlain => Name is null;

    /// <summary>The literal as shortest round-trip text, e.g. <c>0.001</c> or <c>1E-05</c>.</summary>
    internal string Text => Name ?? Value.ToString("R", CultureInfo.InvariantCulture);
}
