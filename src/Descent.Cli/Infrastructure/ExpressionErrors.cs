namespace Descent.Cli.Infrastructure;

/// <summary>Describes an error in a user's expression, with its column.</summary>
public static class ExpressionErrors
{
    /// <summary>True when <paramref name="e"/> is an expression error; the message then says where.</summary>
    public static bool TryDescribe(Exception e, out string message)
    {
        if (e is Descent.Differentiation.Expressions.ExpressionException x)
        {
            string caret = new string(' ', Math.Max(0, x.Column - 1)) + "^";
            message = $"bad expression: {x.Message}\n  {x.Expression}\n  {caret}";
            return true;
        }
        message = "";
        return false;
    }
}
