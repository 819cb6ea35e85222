using CsCheck;
using Descent.Differentiation;
using Descent.Differentiation.Expressions;

namespace Descent.Tests.Differentiation;

/// <summary>
/// Property tests over random expressions: symbolic, forward-mode and finite-difference derivatives agree, and
/// printing, reparsing and simplifying never change a value.
/// </summary>
public class ModeAgreementTests
{
    private static readonly Gen<int> Seeds = Gen.Int[0, 1_000_000];

    private static bool Close(double a, double b, double relative, double scale = 1) =>
        Math.Abs(a - b) <= relative * Math.Max(scale, Math.Max(Math.Abs(a), Math.Abs(b)));

    [Fact]
    public void SymbolicForwardAndNumericalGradientsAgree()
    {
        var tested = 0;
        Seeds.Sample(
            seed =>
            {
                var (f, point) = RandomExpressions.Sample(seed);
                if (!RandomExpressions.IsWellInsideDomain(f, point))
                {
                    return;
                }

                var value = f.Evaluate(point);
                Interlocked.Increment(ref tested);
                foreach (var v in RandomExpressions.VariableNames)
                {
                    var symbolic = f.Differentiate(v).Evaluate(point);
                    var forward = ForwardMode.Derivative(f, point, v);
                    if (!double.IsFinite(forward) || Math.Abs(forward) > 1e3)
                    {
                        // Steep samples are ill-conditioned for finite differences (error ~ h²·f‴), not wrong.
                        continue;
                    }

                    double Along(double t) => f.Evaluate(new Dictionary<string, double>(point) { [v] = t });
                    var central = NumericalDifferences.Central(Along, point[v]);

                    // Central differences err by about h²·f‴/6; D(2h) − D(h) ≈ 3× that, an honest allowance for steep samples.
                    var h = Math.Cbrt(Math.Pow(2, -52)) * Math.Max(1, Math.Abs(point[v]));
                    var truncation = Math.Abs(NumericalDifferences.Central(Along, point[v], 2 * h) - central);
                    var richardson = NumericalDifferences.Richardson(Along, point[v], initialStep: 1e-3);

                    Assert.True(Close(symbolic, forward, 1e-9), $"seed {seed}: d/d{v} {f} symbolic {symbolic} vs forward {forward} ({f.Differentiate(v)})");
                    Assert.True(Math.Abs(central - forward) <= (1e-6 * Math.Max(Math.Max(1, Math.Abs(value)), Math.Abs(forward))) + truncation, $"seed {seed}: d/d{v} {f} central {central} vs forward {forward}");
                    Assert.True(Close(richardson, forward, 1e-8, Math.Max(1, Math.Abs(value))), $"seed {seed}: d/d{v} {f} Richardson {richardson} vs forward {forward}");
                }
            },
            iter: 3000);
        Assert.True(tested > 500, $"only {tested} samples were inside the domain");
    }

    [Fact]
    public void PrintThenParsePreservesValueExactly()
    {
        Seeds.Sample(seed =>
        {
            var (f, point) = RandomExpressions.Sample(seed, maxDepth: 5);
            var text = f.ToString();
            var reparsed = Expr.Parse(text);
            Assert.Equal(text, reparsed.ToString());
            var (a, b) = (f.Evaluate(point), reparsed.Evaluate(point));
            Assert.True(a.Equals(b), $"seed {seed}: {text} gave {a} then {b}");
        }, iter: 1000);
    }

    [Fact]
    public void SimplifyPreservesValueWhereDefined()
    {
        Seeds.Sample(seed =>
        {
            var (f, point) = RandomExpressions.Sample(seed);
            var value = f.Evaluate(point);
            if (!RandomExpressions.AllFinite(f, point) || Math.Abs(value) > 1e6)
            {
                return; // a division by a zero whose sign simplification may flip, e.g. 1/(-(x - x)) vs 1/0
            }

            var simplified = f.Simplify();
            Assert.True(Close(value, simplified.Evaluate(point), 1e-9), $"seed {seed}: {f} = {value} but {simplified} = {simplified.Evaluate(point)}");
            Assert.Equal(simplified.ToString(), Expr.Parse(simplified.ToString()).Simplify().ToString());
        }, iter: 1000);
    }
}
