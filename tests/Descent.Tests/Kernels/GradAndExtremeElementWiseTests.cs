using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>
/// The activation backward kernels (<see cref="GradFromOutput"/>) and the row max/min kernel (<see cref="Extreme"/>)
/// on every instruction set this machine has (narrowed per thread, as GemmIsaTests does), against scalar references,
/// bit for bit: random lengths around every vector width's tail, with NaN, ±0 and ±∞ mixed in. The forced-ISA CI runs
/// (.ci/run selects classes whose name contains "ElementWiseTests") add the JIT's own code for narrower machines.
/// </summary>
public class GradAndExtremeElementWiseTests
{
    public static IEnumerable<object[]> Isas() =>
        Enum.GetValues<SimdIsa>().Where(i => i <= Isa.Detected).Select(i => new object[] { i.ToString() });

    private static T[] Values<T>(Random rng, int n, bool specials) where T : IBinaryFloatingPointIeee754<T>
    {
        var x = new T[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = T.CreateChecked(rng.NextDouble() * 4 - 2);
            if (specials && rng.Next(16) == 0)
                x[i] = rng.Next(6) switch { 0 => T.NaN, 1 => T.NegativeZero, 2 => T.Zero, 3 => T.PositiveInfinity, 4 => T.NegativeInfinity, _ => T.One };
        }
        return x;
    }

    private static void Grads<T>(SimdIsa isa, int seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        foreach (int n in Enumerable.Range(0, 140).Concat([255, 256, 257, 1000, 4099]))
        {
            var g = Values<T>(rng, n, specials: true);
            var y = Values<T>(rng, n, specials: true);
            var d = new T[n];
            GradFromOutput.Run<T, Tensor<T>.ReluGrad>(g, y, d, isa);
            for (int i = 0; i < n; i++) Assert.Equal(y[i] > T.Zero ? g[i] : T.Zero, d[i]);
            for (int i = 0; i < n; i++) Assert.False(d[i] == T.Zero && T.IsNegative(d[i]) != (y[i] > T.Zero && T.IsNegative(g[i])));
            GradFromOutput.Run<T, Tensor<T>.SigmoidGrad>(g, y, d, isa);
            for (int i = 0; i < n; i++) Assert.Equal(g[i] * y[i] * (T.One - y[i]), d[i]);
            GradFromOutput.Run<T, Tensor<T>.TanhGrad>(g, y, d, isa);
            for (int i = 0; i < n; i++) Assert.Equal(g[i] * (T.One - y[i] * y[i]), d[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Activation_gradients_equal_the_scalar_formula_bit_for_bit(string isaName)
    {
        var isa = Enum.Parse<SimdIsa>(isaName);
        Grads<float>(isa, 1);
        Grads<double>(isa, 2);
    }

    /// <summary>TensorPrimitives' maximum/minimum, the semantics the kernel must keep (NaN wins, +0 &gt; −0), and a plain loop.</summary>
    private static T Reference<T>(ReadOnlySpan<T> x, bool max) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T r = x[0];
        foreach (var v in x)
        {
            if (T.IsNaN(v) || T.IsNaN(r)) { r = T.NaN; continue; }
            if (max ? v > r || (v == r && T.IsNegative(r) && !T.IsNegative(v)) : v < r || (v == r && !T.IsNegative(r) && T.IsNegative(v))) r = v;
        }
        return r;
    }

    private static void Extremes<T>(SimdIsa isa, int seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        foreach (int n in Enumerable.Range(1, 140).Concat([255, 256, 257, 512, 1000, 4099]))
            for (int trial = 0; trial < 4; trial++)
            {
                // Trial 0 plain, 1 with specials, 2 all zeros of random sign, 3 ±0 beside negatives (the extreme is a zero).
                var x = Values<T>(rng, n, specials: trial == 1);
                if (trial == 2) for (int i = 0; i < n; i++) x[i] = rng.Next(2) == 0 ? T.Zero : T.NegativeZero;
                if (trial == 3) for (int i = 0; i < n; i++) x[i] = rng.Next(3) == 0 ? (rng.Next(2) == 0 ? T.Zero : T.NegativeZero) : -T.Abs(x[i]) - T.One;
                foreach (bool max in new[] { true, false })
                {
                    var xs = x.AsSpan();
                    if (!max) for (int i = 0; i < n; i++) xs[i] = -xs[i]; // the minimum of the negated values, same zeros mix
                    T expected = Reference<T>(xs, max);
                    T tp = max ? TensorPrimitives.Max<T>(xs) : TensorPrimitives.Min<T>(xs);
                    T got = max ? Extreme.Of<T, MaxSelect<T>>(xs, isa) : Extreme.Of<T, MinSelect<T>>(xs, isa);
                    Assert.Equal(BitsOf(expected), BitsOf(tp)); // the reference agrees with TensorPrimitives
                    Assert.Equal(BitsOf(expected), BitsOf(got));
                }
            }
    }

    [Fact]
    public void A_destination_written_with_non_temporal_stores_equals_the_scalar_formula()
    {
        // 16M + 37 floats: split into chunks of NonTemporalBytes or more, each written from its first 64-byte boundary
        // with non-temporal stores (AVX-512; AVX2 from a 32-byte boundary), the head and tail by the ordinary loop.
        int n = (int)(8 * GradFromOutput.NonTemporalBytes / sizeof(float)) + 37;
        var rng = new Random(11);
        var g = Values<float>(rng, n, specials: true);
        var y = Values<float>(rng, n, specials: true);
        var d = new float[n];
        GradFromOutput.Run<float, Tensor<float>.ReluGrad>(g, y, d);
        int wrong = 0;
        for (int i = 0; i < n; i++)
            if (BitConverter.SingleToInt32Bits(d[i]) != BitConverter.SingleToInt32Bits(y[i] > 0 ? g[i] : 0f)) wrong++;
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Whole_tensor_and_long_row_extremes_split_across_cores_equal_the_reference()
    {
        // Above the split threshold one long row (the max of a whole tensor) is cut into chunks on the cores and their
        // extremes combined: NaN anywhere wins, +0 beats −0 for max (−0 beats +0 for min), exactly as one pass would.
        var rng = new Random(7);
        foreach (int n in new[] { 300_001, 600_000 })
            for (int trial = 0; trial < 4; trial++)
            {
                var x = Values<float>(rng, n, specials: false);
                if (trial == 1) x[rng.Next(n)] = float.NaN;
                if (trial >= 2)
                {
                    for (int i = 0; i < n; i++) x[i] = -MathF.Abs(x[i]) - 1;
                    x[rng.Next(n)] = -0f;
                    if (trial == 2) x[rng.Next(n)] = 0f;
                }
                var t = Tensor.FromArray(x, n);
                Assert.Equal(BitsOf(Reference<float>(x, max: true)), BitsOf(t.Max().Item()));
                Assert.Equal(BitsOf(Reference<float>(x, max: false)), BitsOf(t.Min().Item()));
                // Two long rows (fewer rows than chunks): each row split the same way.
                var rows = Tensor.FromArray(x[..(n / 2 * 2)], 2, n / 2).Max(1).Data.ToArray();
                for (int r = 0; r < 2; r++)
                    Assert.Equal(BitsOf(Reference<float>(x.AsSpan(r * (n / 2), n / 2), max: true)), BitsOf(rows[r]));
            }
    }

    private static long BitsOf<T>(T v) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => T.IsNaN(v) ? -1 : typeof(T) == typeof(float) ? BitConverter.SingleToInt32Bits((float)(object)v) : BitConverter.DoubleToInt64Bits((double)(object)v);

    [Theory]
    [MemberData(nameof(Isas))]
    public void Row_extremes_equal_TensorPrimitives_bit_for_bit(string isaName)
    {
        var isa = Enum.Parse<SimdIsa>(isaName);
        Extremes<float>(isa, 3);
        Extremes<double>(isa, 4);
    }

    /// <summary>Through the public API over random shapes, split across cores included: max/min along the last axis equals each row's reference.</summary>
    [Fact]
    public void Max_and_min_along_rows_match_the_reference_over_random_shapes()
    {
        var rng = new Random(5);
        var shapes = Enumerable.Range(0, 12).Select(_ => (rng.Next(1, 40), rng.Next(1, 300))).Append((512, 512)).Append((1100, 777));
        foreach (var (rows, cols) in shapes)
        {
            var data = Values<float>(rng, rows * cols, specials: rows % 3 == 0);
            var m = Tensor.FromArray(data).Reshape(rows, cols);
            var max = m.Max(1).ToArray();
            var min = m.Min(1).ToArray();
            for (int r = 0; r < rows; r++)
            {
                var row = data.AsSpan(r * cols, cols);
                Assert.Equal(BitsOf(Reference<float>(row, true)), BitsOf(max[r]));
                Assert.Equal(BitsOf(Reference<float>(row, false)), BitsOf(min[r]));
            }
        }
    }

    /// <summary>ReLU's backward pass through the engine (the fused kernel, split across cores at this size) equals g·[x &gt; 0].</summary>
    [Fact]
    public void Relu_backward_through_the_engine_matches_the_mask_product()
    {
        int n = (1 << 18) + 37;
        var x = Tensor.RandomNormal<float>([n], seed: 7).WithGrad();
        var g = Tensor.RandomNormal<float>([n], seed: 8);
        var y = x.Relu();
        y.Backward(g);
        var grad = x.Grad!.ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(x.Data[i] > 0 ? g.Data[i] : 0f, grad[i]);
    }
}
