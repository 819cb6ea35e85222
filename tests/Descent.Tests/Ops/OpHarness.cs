using CsCheck;

namespace Descent.Tests.Ops;

/// <summary>One drawn test case: the inputs, the op applied to them, and a scalar float64 reference of its forward values.</summary>
/// <param name="Description">Shapes and parameters, printed when the case fails.</param>
/// <param name="Inputs">The points at which the op is checked.</param>
/// <param name="Function">The op under test.</param>
/// <param name="Reference">The expected result computed element by element with Math.* (null when only the gradient is checked).</param>
public sealed record OpCase(string Description, Tensor<double>[] Inputs, Func<Tensor<double>[], Tensor<double>> Function,
    Func<Tensor<double>[], Tensor<double>>? Reference);

/// <summary>
/// One line of the registry: the public members an op covers, how to draw cases for it, and whether it is smooth
/// (then its second derivatives are checked too).
/// </summary>
public sealed record OpSpec(string Family, string Name, string[] Covers, Gen<OpCase> Cases, bool Smooth, int Samples = 24);

/// <summary>
/// The MyGrad "uber" harness: draws random shapes (broadcasting pairs included) and values with CsCheck generators from
/// a fixed seed per op, checks the forward values against a float64 reference and the gradient with
/// <see cref="GradCheck.Check(Func{Tensor{double}[], Tensor{double}}, Tensor{double}[], double, double, double)"/>.
/// </summary>
public static class OpHarness
{
    /// <summary>Shapes of rank 0..3 with dimensions 1..4.</summary>
    public static readonly Gen<int[]> Shape = Gen.Int[0, 3].SelectMany(rank => Gen.Int[1, 4].Array[rank]);

    /// <summary>Shapes of rank 1..3 (for ops that need an axis).</summary>
    public static readonly Gen<int[]> ShapeWithAxis = Gen.Int[1, 3].SelectMany(rank => Gen.Int[1, 4].Array[rank]);

    /// <summary>
    /// Broadcast-compatible pairs: from a common shape, each operand may drop leading axes and set any axis to 1
    /// (so [3,1] vs [4], [2,3,4] vs [1,4], [] vs [2,2], and equal shapes all occur).
    /// </summary>
    public static readonly Gen<(int[] A, int[] B)> BroadcastPair = Shape.SelectMany(s =>
        Gen.Select(Gen.Int[0, 3].Array[s.Length], Gen.Int[0, 3].Array[s.Length], Gen.Int[0, s.Length], Gen.Int[0, s.Length],
            (ka, kb, da, db) => (Derive(s, ka, da), Derive(s, kb, db))));

    // An axis is set to 1 when its draw is 0 (one time in four); leading axes are dropped only on even draws of d.
    private static int[] Derive(int[] s, int[] keep, int drop)
    {
        int d = drop % 2 == 0 ? drop : 0;
        return s.Select((n, i) => keep[i] == 0 ? 1 : n).Skip(d).ToArray();
    }

    /// <summary>
    /// A tensor of the shape with values uniform in [low, high], redrawing values where <paramref name="avoid"/> holds.
    /// CsCheck draws the seed; the values come from it by System.Random, because CsCheck's bounded doubles favour the
    /// interval's ends and so repeat values, which puts max, min, abs and std exactly on their kinks.
    /// </summary>
    public static Gen<Tensor<double>> Values(int[] shape, double low, double high, Func<double, bool>? avoid = null)
        => Gen.Int[0, int.MaxValue].Select(seed =>
        {
            var random = new Random(seed);
            var data = new double[Size(shape)];
            for (int i = 0; i < data.Length; i++)
                do data[i] = low + (high - low) * random.NextDouble(); while (avoid is not null && avoid(data[i]));
            return Make(data, shape);
        });

    /// <summary>A tensor from data and a shape; shape [] gives a scalar.</summary>
    public static Tensor<double> Make(double[] data, int[] shape) => shape.Length == 0 ? Tensor.Scalar(data[0]) : Tensor.FromArray(data, shape);

    public static int Size(int[] shape) => shape.Aggregate(1, (p, d) => p * d);

    public static string Format(int[] shape) => "[" + string.Join(",", shape) + "]";

    /// <summary>Draws the op's cases from its fixed seed and checks each one; failures name the op, the case and the sample.</summary>
    public static void Verify(OpSpec spec)
    {
        var pcg = new PCG(1, (ulong)Math.Abs(StableHash(spec.Name)));
        for (int i = 0; i < spec.Samples; i++)
        {
            var c = spec.Cases.Generate(pcg, null, out _);
            string where = $"{spec.Name}, sample {i}: {c.Description}";
            if (c.Reference is not null)
            {
                Tensor<double> actual, expected = c.Reference(c.Inputs);
                using (Autograd.NoGrad()) actual = c.Function(c.Inputs);
                AssertClose(expected, actual, 1e-12, where);
            }
            var result = GradCheck.Check(c.Function, c.Inputs);
            Assert.True(result.Passed, $"{where}\n{result.Report}");
        }
    }

    /// <summary>Checks Hessian-vector products of the op on a few of its cases.</summary>
    public static void VerifySecondOrder(OpSpec spec, int samples = 6)
    {
        var pcg = new PCG(2, (ulong)Math.Abs(StableHash(spec.Name)));
        for (int i = 0; i < samples; i++)
        {
            var c = spec.Cases.Generate(pcg, null, out _);
            var result = GradCheck.CheckSecondOrder(c.Function, c.Inputs);
            Assert.True(result.Passed, $"{spec.Name} (second order), sample {i}: {c.Description}\n{result.Report}");
        }
    }

    /// <summary>Equal shapes and values within <paramref name="relative"/> (relative to max(1, |expected|)).</summary>
    public static void AssertClose(Tensor<double> expected, Tensor<double> actual, double relative, string where = "")
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape),
            $"{where}: shape {Format(actual.ShapeArray)}, expected {Format(expected.ShapeArray)}");
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]) && double.IsNaN(a[i])) continue;
            double tol = relative * Math.Max(1, Math.Abs(e[i]));
            Assert.True(Math.Abs(e[i] - a[i]) <= tol, $"{where}: element {i} is {a[i]:R}, expected {e[i]:R}");
        }
    }

    private static int StableHash(string s)
    {
        unchecked
        {
            int h = 17;
            foreach (char ch in s) h = h * 31 + ch;
            return h & int.MaxValue;
        }
    }
}
