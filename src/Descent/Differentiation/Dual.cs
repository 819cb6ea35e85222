using System.Globalization;

namespace Descent.Differentiation;

/// <summary>
/// A dual number a + b·ε with ε² = 0: carrying <see cref="Value"/> = f(x) and <see cref="Tangent"/> = f′(x)·ẋ
/// through every operation is forward-mode automatic differentiation. Seed the input with tangent 1
/// (<see cref="Variable"/>) and read the derivative off the result's tangent.
/// </summary>
/// <param name="value">The primal value.</param>
/// <param name="tangent">The directional derivative carried along.</param>
/// <example>
/// <code>
/// var x = Dual.Variable(2.0);
/// var y = x * Dual.Sin(x);        // y.Value = 2 sin 2, y.Tangent = sin 2 + 2 cos 2
/// </code>
/// </example>
/// <remarks>
/// Derivatives are exact up to rounding wherever the function is differentiable. At kinks the conventions of
/// autodiff libraries apply: <see cref="Abs"/>′(0) = 0, <see cref="Relu"/>′(0) = 0, <see cref="Min"/> and
/// <see cref="Max"/> follow the second argument on a tie. Where the formula is singular the tangent is NaN or ∞
/// even if the function has a limit: <c>Sin(x)/x</c> at 0 is NaN in both parts (use <see cref="Sinc"/>), and
/// <c>Sqrt(x*x)</c> at 0 has tangent 0/0 = NaN although |x| has the subgradient 0 there.
/// </remarks>
public readonly struct Dual(double value, double tangent) : IEquatable<Dual>
{
    /// <summary>The primal value f(x).</summary>
    public double Value { get; } = value;

    /// <summary>The tangent f′(x)·ẋ.</summary>
    public double Tangent { get; } = tangent;

    /// <summary>A constant: tangent 0.</summary>
    /// <param name="value">The value.</param>
    public static Dual Constant(double value) => new(value, 0);

    /// <summary>The independent variable: tangent 1.</summary>
    /// <param name="value">The point.</param>
    public static Dual Variable(double value) => new(value, 1);

    /// <summary>A constant (tangent 0).</summary>
    /// <param name="value">The value.</param>
    public static implicit operator Dual(double value) => new(value, 0);

    /// <summary>(a, ȧ) ↦ (−a, −ȧ).</summary>
    /// <param name="a">The operand.</param>
    public static Dual operator -(Dual a) => new(-a.Value, -a.Tangent);

    /// <summary>Sum rule.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    public static Dual operator +(Dual a, Dual b) => new(a.Value + b.Value, a.Tangent + b.Tangent);

    /// <summary>Difference rule.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    public static Dual operator -(Dual a, Dual b) => new(a.Value - b.Value, a.Tangent - b.Tangent);

    /// <summary>Product rule: (ab)′ = ȧb + aḃ.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    public static Dual operator *(Dual a, Dual b) => new(a.Value * b.Value, (a.Tangent * b.Value) + (a.Value * b.Tangent));

    /// <summary>Quotient rule: (a/b)′ = (ȧ − (a/b)ḃ)/b.</summary>
    /// <param name="a">The numerator.</param>
    /// <param name="b">The denominator.</param>
    public static Dual operator /(Dual a, Dual b)
    {
        var q = a.Value / b.Value;
        return new(q, (a.Tangent - (q * b.Tangent)) / b.Value);
    }

    /// <summary>Equality of both parts.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    public static bool operator ==(Dual a, Dual b) => a.Equals(b);

    /// <summary>Inequality of either part.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    public static bool operator !=(Dual a, Dual b) => !a.Equals(b);

    /// <summary>sin′ = cos.</summary>
    /// <param name="a">The argument.</param>
    public static Dual Sin(Dual a) => new(Math.Sin(a.Value), Math.Cos(a.Value) * a.Tangent);

    /// <summary>cos′ = −sin.</summary>
    /// <param name="a">The argument.</param>
    public static Dual Cos(Dual a) => new(Math.Cos(a.Value), -Math.Sin(a.Value) * a.Tangent);

    /// <summary>tan′ = 1/cos².</summary>
    /// <param name="a">The argument.</param>
    public static Dual Tan(Dual a)
    {
        var c = Math.Cos(a.Value);
        return new(Math.Tan(a.Value), a.Tangent / (c * c));
    }

    /// <summary>asin′(x) = 1/√(1 − x²); NaN outside [−1, 1], ∞ at ±1.</summary>
    /// <param name="a">The argument.</param>
    public static Dual Asin(Dual a) => new(Math.Asin(a.Value), a.Tangent / Math.Sqrt(1 - (a.Value * a.Value)));

    /// <summary>acos′(x) = −1/√(1 − x²).</summary>
    /// <param name="a">The argument.</param>
    public static Dual Acos(Dual a) => new(Math.Acos(a.Value), -a.Tangent / Math.Sqrt(1 - (a.Value * a.Value)));

    /// <summary>atan′(x) = 1/(1 + x²).</summary>
    /// <param name="a">The argument.</param>
    public static Dual Atan(Dual a) => new(Math.Atan(a.Value), a.Tangent / (1 + (a.Value * a.Value)));

    /// <summary>sinh′ = cosh.</summary>
    /// <param name="a">The argument.</param>
    public static Dual Sinh(Dual a) => new(Math.Sinh(a.Value), Math.Cosh(a.Value) * a.Tangent);

    /// <summary>cosh′ = sinh.</summary>
    /// <param name="a">The argument.</param>
    public static Dual Cosh(Dual a) => new(Math.Cosh(a.Value), Math.Sinh(a.Value) * a.Tangent);

    /// <summary>tanh′ = 1 − tanh².</summary>
    /// <param name="a">The argument.</param>
    public static Dual Tanh(Dual a)
    {
        var t = Math.Tanh(a.Value);
        return new(t, (1 - (t * t)) * a.Tangent);
    }

    /// <summary>exp′ = exp.</summary>
    /// <param name="a">The argument.</param>
    public static Dual Exp(Dual a)
    {
        var e = Math.Exp(a.Value);
        return new(e, e * a.Tangent);
    }

    /// <summary>Natural logarithm; log′(x) = 1/x.</summary>
    /// <param name="a">The argument.</param>
    public static Dual Log(Dual a) => new(Math.Log(a.Value), a.Tangent / a.Value);

    /// <summary>log₂′(x) = 1/(x ln 2).</summary>
    /// <param name="a">The argument.</param>
    public static Dual Log2(Dual a) => new(Math.Log2(a.Value), a.Tangent / (a.Value * Math.Log(2)));

    /// <summary>log₁₀′(x) = 1/(x ln 10).</summary>
    /// <param name="a">The argument.</param>
    public static Dual Log10(Dual a) => new(Math.Log10(a.Value), a.Tangent / (a.Value * Math.Log(10)));

    /// <summary>√′(x) = 1/(2√x); the tangent is ∞·ẋ at 0.</summary>
    /// <param name="a">The argument.</param>
    public static Dual Sqrt(Dual a)
    {
        var s = Math.Sqrt(a.Value);
        return new(s, a.Tangent / (2 * s));
    }

    /// <summary>|x|′ = sign(x), taken as 0 at the kink x = 0.</summary>
    /// <param name="a">The argument.</param>
    public static Dual Abs(Dual a) => new(Math.Abs(a.Value), SpecialFunctions.Sign(a.Value) * a.Tangent);

    /// <summary>sign′ = 0 (the jump at 0 has no derivative; 0 is returned).</summary>
    /// <param name="a">The argument.</param>
    public static Dual Sign(Dual a) => new(SpecialFunctions.Sign(a.Value), 0);

    /// <summary>Heaviside step (1 for x &gt; 0, else 0); derivative 0.</summary>
    /// <param name="a">The argument.</param>
    public static Dual Heaviside(Dual a) => new(SpecialFunctions.Heaviside(a.Value), 0);

    /// <summary>σ(x) = 1/(1 + e^(−x)); σ′ = σ(1 − σ).</summary>
    /// <param name="a">The argument.</param>
    public static Dual Sigmoid(Dual a)
    {
        var s = SpecialFunctions.Sigmoid(a.Value);
        return new(s, s * (1 - s) * a.Tangent);
    }

    /// <summary>relu(x) = max(x, 0); relu′ = heaviside, so 0 at the kink.</summary>
    /// <param name="a">The argument.</param>
    public static Dual Relu(Dual a) => new(SpecialFunctions.Relu(a.Value), SpecialFunctions.Heaviside(a.Value) * a.Tangent);

    /// <summary>softplus(x) = log(1 + eˣ); softplus′ = σ.</summary>
    /// <param name="a">The argument.</param>
    public static Dual Softplus(Dual a) => new(SpecialFunctions.Softplus(a.Value), SpecialFunctions.Sigmoid(a.Value) * a.Tangent);

    /// <summary>sinc(x) = sin(x)/x with sinc(0) = 1; the tangent is exact at 0 too (sinc′(0) = 0).</summary>
    /// <param name="a">The argument.</param>
    public static Dual Sinc(Dual a) => new(SpecialFunctions.Sinc(a.Value), SpecialFunctions.SincDerivative(a.Value) * a.Tangent);

    /// <summary>sinc′(x) = (x cos x − sin x)/x², stable at 0; its tangent uses sinc″ (−1/3 at 0).</summary>
    /// <param name="a">The argument.</param>
    public static Dual SincDerivative(Dual a) =>
        new(SpecialFunctions.SincDerivative(a.Value), SpecialFunctions.SincSecondDerivative(a.Value) * a.Tangent);

    /// <summary>The smaller argument with its tangent; on a tie (or NaN) the second.</summary>
    /// <param name="a">The first argument.</param>
    /// <param name="b">The second argument.</param>
    public static Dual Min(Dual a, Dual b) => a.Value < b.Value ? a : (double.IsNaN(a.Value) ? a : b);

    /// <summary>The larger argument with its tangent; on a tie (or NaN) the second.</summary>
    /// <param name="a">The first argument.</param>
    /// <param name="b">The second argument.</param>
    public static Dual Max(Dual a, Dual b) => a.Value > b.Value ? a : (double.IsNaN(a.Value) ? a : b);

    /// <summary>
    /// aᵇ with (aᵇ)′ = b·a^(b−1)·ȧ + aᵇ·ln(a)·ḃ. A term whose tangent is 0 is skipped, so a constant exponent never
    /// evaluates ln(a) (x² is fine at x &lt; 0) and a constant base never evaluates a^(b−1).
    /// </summary>
    /// <param name="a">The base.</param>
    /// <param name="b">The exponent.</param>
    public static Dual Pow(Dual a, Dual b)
    {
        var value = Math.Pow(a.Value, b.Value);
        var tangent = 0.0;
        if (a.Tangent != 0)
        {
            tangent += b.Value * Math.Pow(a.Value, b.Value - 1) * a.Tangent;
        }

        if (b.Tangent != 0)
        {
            tangent += value * Math.Log(a.Value) * b.Tangent;
        }

        return new(value, tangent);
    }

    /// <inheritdoc/>
    public bool Equals(Dual other) => Value.Equals(other.Value) && Tangent.Equals(other.Tangent);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Dual other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Value, Tangent);

    /// <summary>Formats as <c>value + tangent·ε</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Value:R} + {Tangent:R}ε");
}
