namespace Descent.Differentiation.Expressions;

/// <summary>
/// An immutable expression tree over real numbers: numbers, variables, negation, <c>+ - * / ^</c> and calls of
/// known functions. Parse one with <see cref="Parse"/>, or build one with the factory methods and operators
/// (<c>2 * Expr.Variable("x") + 1</c>); then <see cref="Evaluate(IReadOnlyDictionary{string, double})"/>, <see cref="Differentiate"/>,
/// <see cref="Simplify"/>, print (<see cref="ToString"/>, <see cref="ToLatex"/>) or <see cref="Compile{TValue}"/> it.
/// </summary>
/// <example>
/// <code>
/// var f = Expr.Parse("sigmoid(w*x)");
/// Expr df = f.Differentiate("x");           // w*sigmoid(w*x)*(1 - sigmoid(w*x))
/// double v = df.Evaluate(new Dictionary&lt;string, double&gt; { ["w"] = 2, ["x"] = 0.5 });
/// </code>
/// </example>
/// <remarks>
/// Nodes compare by reference; compare <see cref="ToString"/> texts for structural equality.
/// Trees built through the factories may be arbitrarily deep, but the recursive algorithms here are meant for
/// trees within <see cref="MaxDepth"/> levels, the limit <see cref="Parse"/> enforces.
/// </remarks>
public abstract class Expr
{
    /// <summary>The deepest nesting <see cref="Parse"/> accepts (a chain of n binary operators is n levels).</summary>
    public const int MaxDepth = 200;

    /// <summary>The longest text <see cref="Parse"/> accepts, in characters.</summary>
    public const int MaxLength = 10_000;

    private IReadOnlyList<string>? _variables;

    private protected Expr(int depth) => Depth = depth;

    /// <summary>The kind of this node.</summary>
    public abstract ExprKind Kind { get; }

    /// <summary>The number of levels of this tree: 1 for a number or variable.</summary>
    public int Depth { get; }

    /// <summary>The constant π.</summary>
    public static Expr Pi { get; } = new NumberExpr(Math.PI, "pi");

    /// <summary>Euler's number e.</summary>
    public static Expr E { get; } = new NumberExpr(Math.E, "e");

    /// <summary>
    /// The known functions (name → number of arguments): <c>sin cos tan asin acos atan sinh cosh tanh exp log log2
    /// log10 sqrt abs sigmoid relu softplus sinc min max pow</c>, and the auxiliaries derivatives produce:
    /// <c>heaviside</c> (1 for x &gt; 0, else 0), <c>sign</c> and <c>dsinc</c> (sinc′, stable at 0).
    /// <c>log</c> is the natural logarithm; <c>sinc(x) = sin(x)/x</c> with <c>sinc(0) = 1</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, int> KnownFunctions => FunctionCatalog.Arities;

    /// <summary>The distinct variable names in this expression, sorted ordinally.</summary>
    public IReadOnlyList<string> Variables => _variables ??= CollectVariables();

    /// <summary>
    /// Parses math as people type it: numbers (<c>2</c>, <c>0.5</c>, <c>1e-3</c>), variables (<c>w</c>, <c>w1</c>,
    /// <c>x_2</c>), <c>+ - * /</c>, powers <c>^</c> or <c>**</c> (right-associative, binding tighter than unary
    /// minus: <c>-x^2 = -(x^2)</c>), parentheses, the constants <c>pi</c> and <c>e</c>, and calls of
    /// <see cref="KnownFunctions"/>. There is no implicit multiplication: write <c>2*x</c>.
    /// </summary>
    /// <param name="text">The expression text, at most <see cref="MaxLength"/> characters.</param>
    /// <returns>The expression tree.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ExpressionException">The text is not a valid expression; the message gives the column.</exception>
    public static Expr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ExpressionParser(text).ParseAll();
    }

    /// <summary>A numeric literal.</summary>
    /// <param name="value">A finite number.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public static Expr Number(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "An expression literal must be finite; NaN and infinities have no text form.");
        }

        return new NumberExpr(value, null);
    }

    /// <summary>A variable.</summary>
    /// <param name="name">An identifier (letters, digits, '_', not starting with a digit) that is not a function or constant name.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid variable name.</exception>
    public static Expr Variable(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!ExpressionParser.IsIdentifier(name) || name is "pi" or "e" || FunctionCatalog.TryGet(name, out _))
        {
            throw new ArgumentException($"'{name}' is not a valid variable name: use letters, digits and '_', not starting with a digit, and not a function or constant name.", nameof(name));
        }

        return new VariableExpr(name);
    }

    /// <summary><c>-operand</c>.</summary>
    /// <param name="operand">The expression to negate.</param>
    public static Expr Negate(Expr operand) => new NegateExpr(operand ?? throw new ArgumentNullException(nameof(operand)));

    /// <summary><c>left + right</c>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    public static Expr Add(Expr left, Expr right) => Binary(BinaryOperator.Add, left, right);

    /// <summary><c>left - right</c>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    public static Expr Subtract(Expr left, Expr right) => Binary(BinaryOperator.Subtract, left, right);

    /// <summary><c>left * right</c>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    public static Expr Multiply(Expr left, Expr right) => Binary(BinaryOperator.Multiply, left, right);

    /// <summary><c>left / right</c>.</summary>
    /// <param name="left">The numerator.</param>
    /// <param name="right">The denominator.</param>
    public static Expr Divide(Expr left, Expr right) => Binary(BinaryOperator.Divide, left, right);

    /// <summary><c>left ^ right</c>.</summary>
    /// <param name="left">The base.</param>
    /// <param name="right">The exponent.</param>
    public static Expr Power(Expr left, Expr right) => Binary(BinaryOperator.Power, left, right);

    /// <summary>A binary operation.</summary>
    /// <param name="op">The operator.</param>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    public static Expr Binary(BinaryOperator op, Expr left, Expr right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new BinaryExpr(op, left, right);
    }

    /// <summary>A call of a known function, e.g. <c>Expr.Call("max", a, b)</c>.</summary>
    /// <param name="name">A name from <see cref="KnownFunctions"/>.</param>
    /// <param name="arguments">As many arguments as the function takes.</param>
    /// <exception cref="ArgumentException">The function is unknown or given the wrong number of arguments.</exception>
    public static Expr Call(string name, params Expr[] arguments)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(arguments);
        if (!FunctionCatalog.TryGet(name, out var definition))
        {
            var nearest = EditDistance.Nearest(name, FunctionCatalog.Names);
            throw new ArgumentException($"Unknown function '{name}'." + (nearest is null ? "" : $" Did you mean '{nearest}'?"), nameof(name));
        }

        if (arguments.Length != definition.Arity)
        {
            throw new ArgumentException($"Function '{name}' takes {definition.Arity} argument(s) but was given {arguments.Length}.", nameof(arguments));
        }

        foreach (var a in arguments)
        {
            ArgumentNullException.ThrowIfNull(a, nameof(arguments));
        }

        return new FunctionExpr(name, [.. arguments]);
    }

    /// <summary>A literal from a double.</summary>
    /// <param name="value">A finite number.</param>
    public static implicit operator Expr(double value) => Number(value);

    /// <summary><c>-a</c>.</summary>
    /// <param name="operand">The operand.</param>
    public static Expr operator -(Expr operand) => Negate(operand);

    /// <summary><c>a + b</c>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    public static Expr operator +(Expr left, Expr right) => Add(left, right);

    /// <summary><c>a - b</c>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    public static Expr operator -(Expr left, Expr right) => Subtract(left, right);

    /// <summary><c>a * b</c>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    public static Expr operator *(Expr left, Expr right) => Multiply(left, right);

    /// <summary><c>a / b</c>.</summary>
    /// <param name="left">The numerator.</param>
    /// <param name="right">The denominator.</param>
    public static Expr operator /(Expr left, Expr right) => Divide(left, right);

    /// <summary>True if <paramref name="variable"/> occurs in this expression.</summary>
    /// <param name="variable">A variable name.</param>
    public bool DependsOn(string variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        return Kind switch
        {
            ExprKind.Number => false,
            ExprKind.Variable => ((VariableExpr)this).Name == variable,
            _ => Variables.Contains(variable, StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// Folds the tree bottom-up through <paramref name="backend"/>: literals and variables become values, then each
    /// operation combines its compiled operands. <c>pow(a, b)</c> is compiled as <see cref="IExpressionBackend{TValue}.Power"/>.
    /// </summary>
    /// <typeparam name="TValue">The backend's value type.</typeparam>
    /// <param name="backend">The backend.</param>
    /// <returns>The compiled value.</returns>
    public TValue Compile<TValue>(IExpressionBackend<TValue> backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return CompileNode(this, backend);
    }

    /// <summary>
    /// Evaluates in double precision. Out-of-domain operations follow IEEE rules rather than throwing:
    /// <c>log(-1)</c> and <c>0/0</c> are NaN, <c>1/0</c> is ∞.
    /// </summary>
    /// <param name="variables">A value for every variable in <see cref="Variables"/>; extra entries are ignored.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">A variable has no value; the message names it.</exception>
    public double Evaluate(IReadOnlyDictionary<string, double> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return Compile(new EvaluationBackend(variables));
    }

    /// <summary>Evaluates an expression without variables.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">The expression has a variable.</exception>
    public double Evaluate() => Evaluate(new Dictionary<string, double>());

    /// <summary>
    /// The symbolic derivative with respect to <paramref name="variable"/>, simplified (<see cref="Simplify"/>).
    /// Non-smooth functions get the one-sided rules autodiff libraries use: abs′ = sign (0 at 0),
    /// relu′ = heaviside (0 at 0), min/max′ follow the chosen argument (the second on a tie).
    /// </summary>
    /// <param name="variable">The variable to differentiate by (it need not occur).</param>
    /// <returns>The derivative.</returns>
    /// <remarks>
    /// Where the function is smooth but its formula is singular the derivative is NaN like the formula:
    /// d/dx of <c>sin(x)/x</c> at 0 is NaN (use <c>sinc(x)</c>, whose derivative <c>dsinc</c> is 0 there), and
    /// d/dx of <c>sqrt(x^2)</c> at 0 is <c>x/sqrt(x^2)</c> = 0/0 = NaN, though central differences give 0.
    /// Second derivatives of sinc are <c>-sinc(u) - 2*dsinc(u)/u</c>, NaN at exactly u = 0 (forward mode's
    /// <see cref="Dual.SincDerivative"/> is exact there).
    /// </remarks>
    public Expr Differentiate(string variable)
    {
        ArgumentException.ThrowIfNullOrEmpty(variable);
        return SymbolicDerivative.Differentiate(this, variable);
    }

    /// <summary>
    /// An equivalent, deterministic, usually shorter form: constants folded, 0/1 identities applied, like terms
    /// collected (2*x + 3*x = 5*x), powers of the same base merged (x*x^2 = x^3, x/x = 1), double negation
    /// removed, and the terms and factors put in a canonical order.
    /// </summary>
    /// <returns>The simplified expression.</returns>
    /// <remarks>
    /// Like every computer-algebra system it simplifies as if each subexpression were defined, so the result can be
    /// defined where the input is not: x/x becomes 1, also at x = 0; x^0.5*x^0.5 becomes x, also for x &lt; 0.
    /// It never becomes undefined where the input was defined, but it does not track the sign of zero, so a
    /// division by an expression that is exactly zero may change from −∞ to +∞ (1/(-(x - x)) becomes 1/0). Calls on numbers are folded only when the result
    /// is an integer (sin(0) = 0) so that log(2) stays exact.
    /// </remarks>
    public Expr Simplify() => Simplifier.Simplify(this);

    /// <summary>
    /// Text with minimal parentheses that <see cref="Parse"/> reads back to the same value,
    /// e.g. <c>w*sigmoid(w*x)*(1 - sigmoid(w*x))</c>.
    /// </summary>
    /// <returns>The text.</returns>
    public override string ToString() => ExpressionPrinter.Print(this);

    /// <summary>LaTeX for the expression, e.g. <c>\frac{1}{2 \sqrt{x}}</c> or <c>w \sigma(w x)</c>.</summary>
    /// <returns>The LaTeX source (math mode, without delimiters).</returns>
    public string ToLatex() => LatexPrinter.Print(this);

    private static TValue CompileNode<TValue>(Expr e, IExpressionBackend<TValue> backend)
    {
        switch (e)
        {
            case NumberExpr n:
                return backend.Constant(n.Value);
            case VariableExpr v:
                return backend.Variable(v.Name);
            case NegateExpr n:
                return backend.Negate(CompileNode(n.Operand, backend));
            case BinaryExpr b:
                var left = CompileNode(b.Left, backend);
                var right = CompileNode(b.Right, backend);
                return b.Operator switch
                {
                    BinaryOperator.Add => backend.Add(left, right),
                    BinaryOperator.Subtract => backend.Subtract(left, right),
                    BinaryOperator.Multiply => backend.Multiply(left, right),
                    BinaryOperator.Divide => backend.Divide(left, right),
                    _ => backend.Power(left, right),
                };
            case FunctionExpr f:
                var args = new TValue[f.Arguments.Count];
                for (var i = 0; i < args.Length; i++)
                {
                    args[i] = CompileNode(f.Arguments[i], backend);
                }

                return f.Name == "pow" ? backend.Power(args[0], args[1]) : backend.Function(f.Name, args);
            default:
                throw new InvalidOperationException($"Unknown expression node {e.GetType().Name}.");
        }
    }

    private string[] CollectVariables()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        Collect(this, names);
        return [.. names];

        static void Collect(Expr e, SortedSet<string> names)
        {
            switch (e)
            {
                case VariableExpr v:
                    names.Add(v.Name);
                    break;
                case NegateExpr n:
                    names.UnionWith(n.Operand.Variables);
                    break;
                case BinaryExpr b:
                    names.UnionWith(b.Left.Variables);
                    names.UnionWith(b.Right.Variables);
                    break;
                case FunctionExpr f:
                    foreach (var a in f.Arguments)
                    {
                        names.UnionWith(a.Variables);
                    }

                    break;
            }
        }
    }
}
