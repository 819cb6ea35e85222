using Descent.Differentiation.Expressions;

namespace Descent.Optimization.Lessons;

/// <summary>
/// An expression compiled once into nested delegates over a position array (variable i reads <c>p[i]</c>): no
/// dictionary look-up per evaluation, so a contour grid of tens of thousands of points takes milliseconds.
/// </summary>
internal sealed class CompiledExpression(IReadOnlyList<string> variables) : IExpressionBackend<Func<double[], double>>
{
    public static Func<double[], double> Compile(Expr expression, IReadOnlyList<string> variables) =>
        expression.Compile(new CompiledExpression(variables));

    public Func<double[], double> Constant(double value) => _ => value;

    public Func<double[], double> Variable(string name)
    {
        int index = -1;
        for (int i = 0; i < variables.Count; i++)
            if (variables[i] == name) index = i;
        if (index < 0) throw new ArgumentException($"The variable '{name}' is not one of {string.Join(", ", variables)}.", nameof(name));
        return p => p[index];
    }

    public Func<double[], double> Negate(Func<double[], double> operand) => p => -operand(p);

    public Func<double[], double> Add(Func<double[], double> left, Func<double[], double> right) => p => left(p) + right(p);

    public Func<double[], double> Subtract(Func<double[], double> left, Func<double[], double> right) => p => left(p) - right(p);

    public Func<double[], double> Multiply(Func<double[], double> left, Func<double[], double> right) => p => left(p) * right(p);

    public Func<double[], double> Divide(Func<double[], double> left, Func<double[], double> right) => p => left(p) / right(p);

    public Func<double[], double> Power(Func<double[], double> left, Func<double[], double> right) => p => Math.Pow(left(p), right(p));

    public Func<double[], double> Function(string name, IReadOnlyList<Func<double[], double>> arguments)
    {
        var evaluate = FunctionCatalog.Get(name).Evaluate;
        var args = arguments.ToArray();
        if (args.Length == 1)
        {
            var a = args[0];
            return p => evaluate([a(p)]);
        }
        return p =>
        {
            var values = new double[args.Length];
            for (int i = 0; i < args.Length; i++) values[i] = args[i](p);
            return evaluate(values);
        };
    }
}
