namespace Descent.Differentiation.Expressions;

/// <summary>
/// Rewrites an expression into a canonical form bottom-up. A sum is seen as constant + Σ cᵢ·termᵢ and a product
/// as c · Π baseⱼ^expⱼ; like terms and like bases are merged, zero terms and zero exponents dropped, and the
/// parts sorted (numbers, variables, calls, powers, sums; then by text) so equal inputs print equally.
/// Products with negative numeric exponents print as fractions; sums put positive terms before negative ones.
/// </summary>
internal static class Simplifier
{
    /// <summary>Calls on numbers whose result is exact whatever it is, so always folded.</summary>
    private static readonly HashSet<string> ExactFunctions = new(StringComparer.Ordinal) { "abs", "relu", "sign", "heaviside", "min", "max" };

    private static readonly Expr One = Num(1);

    private static readonly Expr MinusOne = Num(-1);

    /// <summary>
    /// Simplifies bottom-up. Where folding constants would overflow (1e308*1e3, 1e308 + 1e308), that node is kept as
    /// written, with its operands simplified: the expression is valid, its value is just not a finite literal.
    /// </summary>
    public static Expr Simplify(Expr e)
    {
        switch (e)
        {
            case NegateExpr n:
                var operand = Simplify(n.Operand);
                return Folding(() => Sum([(-1, operand)]), () => Expr.Negate(operand));
            case BinaryExpr b:
                var left = Simplify(b.Left);
                var right = Simplify(b.Right);
                return Folding(() => SimplifyBinary(b.Operator, left, right), () => AsWritten(b.Operator, left, right));
            case FunctionExpr f:
                Expr[] args = [.. f.Arguments.Select(Simplify)];
                return Folding(() => SimplifyCall(f.Name, args), () => Expr.Call(f.Name, args));
            default:
                return e;
        }
    }

    private static Expr Folding(Func<Expr> simplify, Func<Expr> asWritten)
    {
        try
        {
            return simplify();
        }
        catch (FoldOverflowException)
        {
            return asWritten();
        }
    }

    /// <summary>A node kept as written, less the identities that need no folding: x + 0, 0 + x, x − 0, 1·x, x·1, x/1.</summary>
    private static Expr AsWritten(BinaryOperator op, Expr left, Expr right) => op switch
    {
        BinaryOperator.Add when IsZero(left) => right,
        BinaryOperator.Add or BinaryOperator.Subtract when IsZero(right) => left,
        BinaryOperator.Multiply when IsOne(left) => right,
        BinaryOperator.Multiply or BinaryOperator.Divide when IsOne(right) => left,
        _ => Expr.Binary(op, left, right),
    };

    private static bool IsOne(Expr e) => e is NumberExpr { IsPlain: true, Value: 1 };

    /// <summary>A folded constant would not be finite.</summary>
    private sealed class FoldOverflowException : Exception;

    private static Expr SimplifyBinary(BinaryOperator op, Expr left, Expr right) => op switch
    {
        BinaryOperator.Add => Sum([(1, left), (1, right)]),
        BinaryOperator.Subtract => Sum([(1, left), (-1, right)]),
        BinaryOperator.Multiply => Product([(left, One), (right, One)]),
        BinaryOperator.Divide when IsZero(right) => Expr.Divide(left, right), // ±∞ or NaN: left as written
        BinaryOperator.Divide => Product([(left, One), (right, MinusOne)]),
        _ => Power(left, right),
    };

    private static Expr Power(Expr baseExpr, Expr exponent)
    {
        if (baseExpr is NumberExpr { IsPlain: true } b && exponent is NumberExpr { IsPlain: true } x)
        {
            var value = Math.Pow(b.Value, x.Value);
            if (double.IsFinite(value))
            {
                return Num(value);
            }
        }

        if (IsZero(baseExpr))
        {
            return Expr.Power(baseExpr, exponent); // 0^negative is a division by zero: left as written
        }

        return Product([(baseExpr, exponent)]);
    }

    private static Expr SimplifyCall(string name, Expr[] args)
    {
        if (name == "pow")
        {
            return Power(args[0], args[1]);
        }

        if (args.All(a => a is NumberExpr { IsPlain: true }))
        {
            var value = FunctionCatalog.Get(name).Evaluate([.. args.Select(a => ((NumberExpr)a).Value)]);
            if (double.IsFinite(value) && (ExactFunctions.Contains(name) || value == Math.Round(value)))
            {
                return Num(value);
            }
        }

        return Expr.Call(name, args);
    }

    // ---- sums -------------------------------------------------------------------------------------------------

    private static Expr Sum(IEnumerable<(double Coefficient, Expr Term)> terms)
    {
        var constant = 0.0;
        var groups = new Dictionary<string, (double Coefficient, Expr Term)>(StringComparer.Ordinal);
        foreach (var (c, t) in terms)
        {
            AddTerm(c, t);
        }

        var items = groups.Where(g => g.Value.Coefficient != 0).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Value).ToList();
        Expr? sum = constant > 0 ? Num(constant) : null;
        foreach (var (c, rest) in items.Where(i => i.Coefficient > 0))
        {
            var term = Scale(c, rest);
            sum = sum is null ? term : Expr.Add(sum, term);
        }

        foreach (var (c, rest) in items.Where(i => i.Coefficient < 0))
        {
            // A leading negative term keeps its sign in the product, where Collect can fold it into a sum factor.
            sum = sum is null ? Scale(c, rest) : Expr.Subtract(sum, Scale(-c, rest));
        }

        if (constant < 0)
        {
            sum = sum is null ? Num(constant) : Expr.Subtract(sum, Num(-constant));
        }

        return sum ?? Num(0);

        void AddTerm(double c, Expr t)
        {
            switch (t)
            {
                case NumberExpr { IsPlain: true } n:
                    constant += c * n.Value;
                    return;
                case BinaryExpr { Operator: BinaryOperator.Add } b:
                    AddTerm(c, b.Left);
                    AddTerm(c, b.Right);
                    return;
                case BinaryExpr { Operator: BinaryOperator.Subtract } b:
                    AddTerm(c, b.Left);
                    AddTerm(-c, b.Right);
                    return;
                case NegateExpr n:
                    AddTerm(-c, n.Operand);
                    return;
            }

            var (k, rest) = SplitCoefficient(t);
            if (rest is null)
            {
                constant += c * k;
                return;
            }

            if (k != 1 && rest is BinaryExpr { Operator: BinaryOperator.Add or BinaryOperator.Subtract })
            {
                AddTerm(c * k, rest); // distribute: 2*(x + y) inside a sum becomes 2*x + 2*y
                return;
            }

            var key = rest.ToString();
            groups[key] = groups.TryGetValue(key, out var g) ? (g.Coefficient + (c * k), g.Term) : (c * k, rest);
        }
    }

    /// <summary>term = k · rest with rest free of numeric factors (null when the term is just a number).</summary>
    private static (double K, Expr? Remainder) SplitCoefficient(Expr term)
    {
        if (term is not BinaryExpr { Operator: BinaryOperator.Multiply or BinaryOperator.Divide })
        {
            return (1, term);
        }

        var (k, factors) = Collect([(term, One)]);
        return factors.Count == 0 ? (k, null) : (k, Build(1, factors));
    }

    private static Expr Scale(double c, Expr rest) => c == 1 ? rest : Product([(Num(c), One), (rest, One)]);

    // ---- products ---------------------------------------------------------------------------------------------

    private static Expr Product(IEnumerable<(Expr Base, Expr Exponent)> factors)
    {
        var (k, collected) = Collect(factors);
        return Build(k, collected);
    }

    private static (double Coefficient, List<(Expr Base, Expr Exponent)> Factors) Collect(IEnumerable<(Expr Base, Expr Exponent)> factors)
    {
        var coefficient = 1.0;
        var groups = new Dictionary<string, (Expr Base, List<Expr> Exponents)>(StringComparer.Ordinal);
        foreach (var (b, x) in factors)
        {
            AddFactor(b, x);
        }

        var result = new List<(Expr Base, Expr Exponent)>();
        foreach (var (b, exponents) in groups.Values)
        {
            var exponent = exponents.Count == 1 ? exponents[0] : Sum(exponents.Select(x => (1.0, x)));
            if (exponent is NumberExpr { IsPlain: true, Value: 0 })
            {
                continue; // x^0 = 1, x/x = 1
            }

            result.Add((b, exponent));
        }

        // A negative coefficient is moved into the first sum factor, -(a - b)*c → (b - a)*c: that is the form a
        // negated sum simplifies to on its own, so simplifying twice gives the same text.
        var sumIndex = coefficient < 0
            ? result.FindIndex(f => f.Exponent is NumberExpr { IsPlain: true, Value: 1 } && f.Base is BinaryExpr { Operator: BinaryOperator.Add or BinaryOperator.Subtract })
            : -1;
        if (sumIndex >= 0)
        {
            result[sumIndex] = (Sum([(-1, result[sumIndex].Base)]), One);
            return Collect([(Num(-coefficient), One), .. result]);
        }

        result.Sort((p, q) => Rank(p.Base) != Rank(q.Base)
            ? Rank(p.Base).CompareTo(Rank(q.Base))
            : string.CompareOrdinal(p.Base.ToString(), q.Base.ToString()));
        return (coefficient, result);

        void AddFactor(Expr b, Expr x)
        {
            if (x is NumberExpr { IsPlain: true } nx)
            {
                var n = nx.Value;
                var integer = n == Math.Round(n);
                switch (b)
                {
                    case NumberExpr { IsPlain: true } nb:
                        var value = Math.Pow(nb.Value, n);
                        if (double.IsFinite(value) && (integer || nb.Value > 0))
                        {
                            coefficient *= value;
                            return;
                        }

                        break;
                    case NegateExpr negated when integer:
                        coefficient *= Math.Abs(n % 2) == 1 ? -1 : 1;
                        AddFactor(negated.Operand, x);
                        return;
                    case BinaryExpr { Operator: BinaryOperator.Multiply } m when integer:
                        AddFactor(m.Left, x);
                        AddFactor(m.Right, x);
                        return;
                    case BinaryExpr { Operator: BinaryOperator.Divide } d when integer && !IsZero(d.Right):
                        AddFactor(d.Left, x);
                        AddFactor(d.Right, Num(-n));
                        return;
                    case BinaryExpr { Operator: BinaryOperator.Power } p when integer && !IsZero(p.Left):
                        AddFactor(p.Left, n == 1 ? p.Right : Product([(p.Right, One), (nx, One)]));
                        return;
                }
            }

            var key = b.ToString();
            if (!groups.TryGetValue(key, out var group))
            {
                group = (b, []);
                groups[key] = group;
            }

            group.Exponents.Add(x);
        }
    }

    private static Expr Build(double coefficient, List<(Expr Base, Expr Exponent)> factors)
    {
        if (coefficient == 0 || factors.Count == 0)
        {
            return Num(coefficient);
        }

        var magnitude = Math.Abs(coefficient);
        double numeratorNumber = magnitude, denominatorNumber = 1;
        if (magnitude < 1)
        {
            var inverse = 1 / magnitude;
            if (inverse == Math.Round(inverse) && inverse < 1e15)
            {
                (numeratorNumber, denominatorNumber) = (1, inverse); // 0.5*x/y prints as x/(2*y)
            }
        }

        Expr? numerator = numeratorNumber != 1 ? Num(numeratorNumber) : null;
        Expr? denominator = denominatorNumber != 1 ? Num(denominatorNumber) : null;
        foreach (var (b, x) in factors)
        {
            if (x is NumberExpr { IsPlain: true, Value: < 0 } negative)
            {
                var factor = negative.Value == -1 ? b : Expr.Power(b, Num(-negative.Value));
                denominator = denominator is null ? factor : Expr.Multiply(denominator, factor);
            }
            else
            {
                var factor = x is NumberExpr { IsPlain: true, Value: 1 } ? b : Expr.Power(b, x);
                numerator = numerator is null ? factor : Expr.Multiply(numerator, factor);
            }
        }

        numerator ??= Num(1);
        var result = denominator is null ? numerator : Expr.Divide(numerator, denominator);
        return coefficient < 0 ? Expr.Negate(result) : result;
    }

    private static bool IsZero(Expr e) => e is NumberExpr { IsPlain: true, Value: 0 };

    /// <summary>A literal with −0 turned into 0, so that folding never prints "-0".</summary>
    private static Expr Num(double value) => double.IsFinite(value) ? Expr.Number(value == 0 ? 0 : value) : throw new FoldOverflowException();

    /// <summary>Factor order: numbers and constants, variables, calls, powers, then everything else (sums).</summary>
    private static int Rank(Expr b) => b switch
    {
        NumberExpr => 0,
        VariableExpr => 1,
        FunctionExpr => 2,
        BinaryExpr { Operator: BinaryOperator.Power } => 3,
        _ => 4,
    };
}
