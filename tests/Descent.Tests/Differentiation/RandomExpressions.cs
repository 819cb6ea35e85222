using Descent.Differentiation.Expressions;

namespace Descent.Tests.Differentiation;

/// <summary>
/// A seeded generator of random expressions over the whole grammar, and a guard that keeps test points inside each
/// function's domain and away from kinks and singularities (where finite differences are meaningless).
/// The expression for a seed never changes, so a failing seed reproduces exactly.
/// </summary>
internal static class RandomExpressions
{
    public static readonly string[] VariableNames = ["x", "y", "w"];

    private static readonly string[] UnaryFunctions =
        ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp", "log", "log2", "log10", "sqrt",
         "abs", "sigmoid", "relu", "softplus", "sinc", "dsinc", "heaviside", "sign"];

    private static readonly string[] BinaryFunctions = ["min", "max", "pow"];

    private static readonly HashSet<string> Kinked = ["abs", "relu", "sign", "heaviside"];

    /// <summary>The expression and a point for a seed.</summary>
    public static (Expr Expression, Dictionary<string, double> Point) Sample(int seed, int maxDepth = 4)
    {
        var random = new Random(seed);
        var expression = Generate(random, maxDepth);
        var point = VariableNames.ToDictionary(v => v, _ => (random.Next(2) == 0 ? -1 : 1) * (0.2 + (2.3 * random.NextDouble())));
        return (expression, point);
    }

    public static Expr Generate(Random random, int depth)
    {
        if (depth == 0 || random.Next(10) < 2)
        {
            return Leaf(random);
        }

        switch (random.Next(10))
        {
            case 0:
                return -Generate(random, depth - 1);
            case 1 or 2 or 3:
                return Expr.Binary((BinaryOperator)random.Next(4), Generate(random, depth - 1), Generate(random, depth - 1));
            case 4:
                double[] exponents = [2, 3, 0.5, -1, 1.5, -2];
                return random.Next(4) == 0
                    ? Expr.Power(Generate(random, depth - 1), Generate(random, depth - 1))
                    : Expr.Power(Generate(random, depth - 1), exponents[random.Next(exponents.Length)]);
            case 5 or 6 or 7 or 8:
                return Expr.Call(UnaryFunctions[random.Next(UnaryFunctions.Length)], Generate(random, depth - 1));
            default:
                return Expr.Call(BinaryFunctions[random.Next(BinaryFunctions.Length)], Generate(random, depth - 1), Generate(random, depth - 1));
        }
    }

    /// <summary>
    /// True if every subexpression is finite and moderate at the point and every function is evaluated well inside
    /// its domain: log/sqrt arguments ≥ 0.05, |asin/acos arguments| ≤ 0.9, |cos| ≥ 0.3 under tan, denominators and
    /// bases of non-integer or negative powers ≥ 0.05 in size, kinks (abs, relu, sign, heaviside, min, max) and the
    /// 1/x in sinc″ at least 0.05 away.
    /// </summary>
    public static bool IsWellInsideDomain(Expr e, IReadOnlyDictionary<string, double> point)
    {
        double V(Expr sub) => sub.Evaluate(point);
        var value = V(e);
        if (!double.IsFinite(value) || Math.Abs(value) > 50)
        {
            return false;
        }

        switch (e)
        {
            case NegateExpr n:
                return IsWellInsideDomain(n.Operand, point);
            case BinaryExpr b:
                if (!IsWellInsideDomain(b.Left, point) || !IsWellInsideDomain(b.Right, point))
                {
                    return false;
                }

                return b.Operator switch
                {
                    BinaryOperator.Divide => Math.Abs(V(b.Right)) >= 0.05,
                    BinaryOperator.Power => PowerIsSafe(V(b.Left), b.Right),
                    _ => true,
                };
            case FunctionExpr f:
                if (!f.Arguments.All(a => IsWellInsideDomain(a, point)))
                {
                    return false;
                }

                var u = V(f.Arguments[0]);
                return f.Name switch
                {
                    "log" or "log2" or "log10" or "sqrt" => u >= 0.05,
                    "asin" or "acos" => Math.Abs(u) <= 0.9,
                    "tan" => Math.Abs(Math.Cos(u)) >= 0.3,
                    "dsinc" => Math.Abs(u) >= 0.05, // symbolic dsinc' = -sinc(u) - 2*dsinc(u)/u is 0/0 at u = 0
                    "min" or "max" => Math.Abs(u - V(f.Arguments[1])) >= 0.05,
                    "pow" => PowerIsSafe(u, f.Arguments[1]),
                    _ when Kinked.Contains(f.Name) => Math.Abs(u) >= 0.05,
                    _ => true,
                };
            default:
                return true;
        }

        bool PowerIsSafe(double baseValue, Expr exponent)
        {
            var constant = exponent.Variables.Count == 0;
            var n = V(exponent);
            if (constant && n == Math.Round(n) && n > 0)
            {
                return true;
            }

            return constant && n == Math.Round(n) ? Math.Abs(baseValue) >= 0.05 : baseValue >= 0.05;
        }
    }

    /// <summary>True if every subexpression evaluates to a finite number at the point.</summary>
    public static bool AllFinite(Expr e, IReadOnlyDictionary<string, double> point) =>
        double.IsFinite(e.Evaluate(point)) && e switch
        {
            NegateExpr n => AllFinite(n.Operand, point),
            BinaryExpr b => AllFinite(b.Left, point) && AllFinite(b.Right, point),
            FunctionExpr f => f.Arguments.All(a => AllFinite(a, point)),
            _ => true,
        };

    private static Expr Leaf(Random random) => random.Next(8) switch
    {
        0 => Expr.Number(0.5 * (1 + random.Next(6))),
        1 => random.Next(2) == 0 ? Expr.Pi : Expr.E,
        _ => Expr.Variable(VariableNames[random.Next(VariableNames.Length)]),
    };
}
