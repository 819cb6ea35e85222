namespace Descent.Differentiation.Expressions;

/// <summary>
/// Thrown by <see cref="Expr.Parse"/> when text is not a valid expression. The message says what is wrong and
/// where, e.g. <c>expected an operand after '^' at column 6</c>, and often how to fix it.
/// </summary>
public sealed class ExpressionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">What is wrong, without the position, e.g. <c>expected an operand after '^'</c>.</param>
    /// <param name="column">The 1-based column the problem is at.</param>
    /// <param name="expression">The text being parsed.</param>
    /// <param name="hint">An optional suggestion, appended after a semicolon.</param>
    public ExpressionException(string problem, int column, string expression, string? hint = null)
        : base($"{problem} at column {column}" + (hint is null ? "" : "; " + hint))
    {
        Column = column;
        Expression = expression;
    }

    /// <summary>The 1-based column of the problem in <see cref="Expression"/>.</summary>
    public int Column { get; }

    /// <summary>The text that failed to parse.</summary>
    public string Expression { get; }
}
