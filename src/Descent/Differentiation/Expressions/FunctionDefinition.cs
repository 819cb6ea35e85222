namespace Descent.Differentiation.Expressions;

/// <summary>
/// One known function: its name, arity, how to evaluate it on doubles, its partial derivatives as expressions,
/// and its LaTeX form.
/// </summary>
/// <param name="Name">The name used in text, e.g. <c>sin</c>.</param>
/// <param name="Arity">The number of arguments.</param>
/// <param name="Latex">A composite format for LaTeX with <c>{0}</c>, <c>{1}</c> for the arguments' LaTeX.</param>
/// <param name="Evaluate">The function on doubles.</param>
/// <param name="Partial">∂f/∂argᵢ as an expression of the argument expressions (i is the second parameter).</param>
internal sealed record FunctionDefinition(
    string Name,
    int Arity,
    string Latex,
    Func<double[], double> Evaluate,
    Func<IReadOnlyList<Expr>, int, Expr> Partial);
