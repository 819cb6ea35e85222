namespace Descent.Differentiation.Expressions;

/// <summary>
/// The functions expressions may call, each with its derivative rule in one line.
/// Besides the usual ones there are three auxiliaries that derivatives need and that therefore parse too:
/// <c>heaviside(x)</c> (1 for x &gt; 0, else 0 — relu′, and min/max′), <c>sign(x)</c> (abs′) and
/// <c>dsinc(x)</c> (sinc′, stable at 0).
/// </summary>
internal static class FunctionCatalog
{
    private static readonly FunctionDefinition[] Definitions =
    [
        Unary("sin", @"\sin({0})", Math.Sin, u => Call("cos", u)),
        Unary("cos", @"\cos({0})", Math.Cos, u => -Call("sin", u)),
        Unary("tan", @"\tan({0})", Math.Tan, u => 1 / Expr.Power(Call("cos", u), 2)),
        Unary("asin", @"\arcsin({0})", Math.Asin, u => 1 / Call("sqrt", 1 - Expr.Power(u, 2))),
        Unary("acos", @"\arccos({0})", Math.Acos, u => -(1 / Call("sqrt", 1 - Expr.Power(u, 2)))),
        Unary("atan", @"\arctan({0})", Math.Atan, u => 1 / (1 + Expr.Power(u, 2))),
        Unary("sinh", @"\sinh({0})", Math.Sinh, u => Call("cosh", u)),
        Unary("cosh", @"\cosh({0})", Math.Cosh, u => Call("sinh", u)),
        Unary("tanh", @"\tanh({0})", Math.Tanh, u => 1 - Expr.Power(Call("tanh", u), 2)),
        Unary("exp", @"\exp({0})", Math.Exp, u => Call("exp", u)),
        Unary("log", @"\ln({0})", Math.Log, u => 1 / u),
        Unary("log2", @"\log_{{2}}({0})", Math.Log2, u => 1 / (u * Call("log", 2))),
        Unary("log10", @"\log_{{10}}({0})", Math.Log10, u => 1 / (u * Call("log", 10))),
        Unary("sqrt", @"\sqrt{{{0}}}", Math.Sqrt, u => 1 / (2 * Call("sqrt", u))),
        Unary("abs", @"\left|{0}\right|", Math.Abs, u => Call("sign", u)),
        Unary("sigmoid", @"\sigma({0})", SpecialFunctions.Sigmoid, u => Call("sigmoid", u) * (1 - Call("sigmoid", u))),
        Unary("relu", @"\operatorname{{relu}}({0})", SpecialFunctions.Relu, u => Call("heaviside", u)),
        Unary("softplus", @"\operatorname{{softplus}}({0})", SpecialFunctions.Softplus, u => Call("sigmoid", u)),
        Unary("sinc", @"\operatorname{{sinc}}({0})", SpecialFunctions.Sinc, u => Call("dsinc", u)),

        // sinc'' = -sinc - 2 sinc'/u: exact away from 0, but NaN at u = 0 (0/0) — only second derivatives of sinc hit this.
        Unary("dsinc", @"\operatorname{{sinc}}'({0})", SpecialFunctions.SincDerivative, u => -Call("sinc", u) - (2 * Call("dsinc", u) / u)),

        // The derivative of a step is 0 everywhere except at the jump, where it does not exist; 0 is returned.
        Unary("heaviside", @"H({0})", SpecialFunctions.Heaviside, _ => 0),
        Unary("sign", @"\operatorname{{sgn}}({0})", SpecialFunctions.Sign, _ => 0),

        // At a tie min/max return b, and their derivative follows b, as Dual.Min/Max do.
        Binary("min", @"\min({0}, {1})", Math.Min, (a, i) => i == 0 ? Call("heaviside", a[1] - a[0]) : 1 - Call("heaviside", a[1] - a[0])),
        Binary("max", @"\max({0}, {1})", Math.Max, (a, i) => i == 0 ? Call("heaviside", a[0] - a[1]) : 1 - Call("heaviside", a[0] - a[1])),
        Binary("pow", "{{{0}}}^{{{1}}}", Math.Pow, PowerPartial),
    ];

    private static readonly Dictionary<string, FunctionDefinition> ByName =
        Definitions.ToDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>Name → arity of every known function, in catalog order.</summary>
    public static IReadOnlyDictionary<string, int> Arities { get; } =
        Definitions.ToDictionary(d => d.Name, d => d.Arity, StringComparer.Ordinal);

    /// <summary>The known function names in catalog order (used for suggestions).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Definitions.Select(d => d.Name)];

    /// <summary>Looks a function up by its exact (case-sensitive) name.</summary>
    public static bool TryGet(string name, out FunctionDefinition definition) =>
        ByName.TryGetValue(name, out definition!);

    /// <summary>Gets a function that is known to exist.</summary>
    public static FunctionDefinition Get(string name) => ByName[name];

    /// <summary>
    /// ∂(a^b)/∂a = b·a^(b−1) and ∂(a^b)/∂b = a^b·log(a). The chain rule only uses the partial of an argument that
    /// depends on the variable, so x^2 never produces log(x) and (−2)^y never produces a NaN for its base.
    /// </summary>
    public static Expr PowerPartial(IReadOnlyList<Expr> a, int i) =>
        i == 0 ? a[1] * Expr.Power(a[0], a[1] - 1) : Expr.Power(a[0], a[1]) * Call("log", a[0]);

    private static Expr Call(string name, Expr argument) => Expr.Call(name, argument);

    private static FunctionDefinition Unary(string name, string latex, Func<double, double> f, Func<Expr, Expr> derivative) =>
        new(name, 1, latex, x => f(x[0]), (a, _) => derivative(a[0]));

    private static FunctionDefinition Binary(string name, string latex, Func<double, double, double> f, Func<IReadOnlyList<Expr>, int, Expr> partial) =>
        new(name, 2, latex, x => f(x[0], x[1]), partial);
}
