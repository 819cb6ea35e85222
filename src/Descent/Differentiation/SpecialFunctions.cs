namespace Descent.Differentiation;

/// <summary>
/// Numerically careful scalar kernels shared by expression evaluation and <see cref="Dual"/>:
/// the ones <see cref="Math"/> lacks or computes unstably.
/// </summary>
internal static class SpecialFunctions
{
    /// <summary>σ(x) = 1 / (1 + e^(−x)), computed without overflow for large |x|.</summary>
    public static double Sigmoid(double x)
    {
        if (x >= 0)
        {
            return 1 / (1 + Math.Exp(-x));
        }

        var z = Math.Exp(x);
        return z / (1 + z);
    }

    /// <summary>softplus(x) = log(1 + e^x) = max(x, 0) + log(1 + e^(−|x|)), stable for large |x|.</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + double.LogP1(Math.Exp(-Math.Abs(x)));

    /// <summary>relu(x) = max(x, 0); NaN stays NaN.</summary>
    public static double Relu(double x) => double.IsNaN(x) ? x : (x > 0 ? x : 0);

    /// <summary>Heaviside step: 1 for x &gt; 0, 0 for x ≤ 0 (so heaviside(0) = 0), NaN for NaN.</summary>
    public static double Heaviside(double x) => double.IsNaN(x) ? x : (x > 0 ? 1 : 0);

    /// <summary>Sign: −1, 0 or 1; NaN for NaN.</summary>
    public static double Sign(double x) => x > 0 ? 1 : x < 0 ? -1 : x;

    /// <summary>sinc(x) = sin(x)/x with sinc(0) = 1 (unnormalised), by its Taylor series near 0.</summary>
    public static double Sinc(double x)
    {
        if (Math.Abs(x) < 1e-4)
        {
            return 1 - (x * x / 6);
        }

        return Math.Sin(x) / x;
    }

    /// <summary>
    /// sinc′(x) = (x cos x − sin x)/x², equal to 0 at x = 0. Near 0 (|x| &lt; 0.1) the difference cancels
    /// badly, so the series Σₖ (−1)ᵏ 2k x^(2k−1)/(2k+1)! is used instead.
    /// </summary>
    public static double SincDerivative(double x)
    {
        if (Math.Abs(x) < 0.1)
        {
            double x2 = x * x, sum = 0, power = x, factorial = 6; // power = x^(2k−1), factorial = (2k+1)!
            for (var k = 1; k <= 6; k++)
            {
                sum += (k % 2 == 1 ? -1 : 1) * 2 * k * power / factorial;
                power *= x2;
                factorial *= (2 * k + 2) * (2 * k + 3);
            }

            return sum;
        }

        return ((x * Math.Cos(x)) - Math.Sin(x)) / (x * x);
    }

    /// <summary>sinc″(x) = −sinc(x) − 2 sinc′(x)/x, equal to −1/3 at 0 (series −1/3 + x²/10 − x⁴/168 near 0).</summary>
    public static double SincSecondDerivative(double x)
    {
        if (Math.Abs(x) < 1e-2)
        {
            var x2 = x * x;
            return (-1.0 / 3) + (x2 / 10) - (x2 * x2 / 168);
        }

        return -Sinc(x) - (2 * SincDerivative(x) / x);
    }
}
