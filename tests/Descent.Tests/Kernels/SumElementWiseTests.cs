using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Descent.Kernels;
using Split = Descent.Kernels.Split;

namespace Descent.Tests.Kernels;

/// <summary>
/// <see cref="Summation"/> on every instruction set this machine has: bit for bit the association its documentation
/// states (rebuilt here with scalar adds, lane by lane), the same bits for the same values at every address alignment
/// (a resumed run must repeat an uninterrupted one), and within the floating-point error bound of the exact sum. The
/// forced-ISA CI runs (.ci/run selects classes whose name contains "ElementWiseTests") add the narrower machines' code.
/// </summary>
public class SumElementWiseTests
{
    public static IEnumerable<object[]> Isas() =>
        Enum.GetValues<SimdIsa>().Where(i => i <= Isa.Detected).Select(i => new object[] { i.ToString() });

    private static readonly int[] Lengths =
        [.. Enumerable.Range(250, 40), 511, 512, 513, 1023, 1024, 1025, 4096, 4097, 4160, 12345, 65536, 262144 + 3];

    /// <summary>The documented association: blocks of 4 (AVX-512) or 8 vectors, lane by lane.</summary>
    private static T Model<T>(ReadOnlySpan<T> x, SimdIsa isa) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (x.Length < Summation.MinLength || isa == SimdIsa.Scalar) return TensorPrimitives.Sum(x);
        int w = isa == SimdIsa.Avx512 ? Vector512<T>.Count : isa == SimdIsa.Avx2 ? Vector256<T>.Count : Vector128<T>.Count;
        int accumulators = isa == SimdIsa.Avx512 ? 4 : 8;
        var acc = new T[accumulators, w];
        int n = x.Length, i = 0;
        for (; i + accumulators * w <= n; i += accumulators * w)
            for (int a = 0; a < accumulators; a++)
                for (int l = 0; l < w; l++) acc[a, l] += x[i + a * w + l];
        for (; i + w <= n; i += w)
            for (int l = 0; l < w; l++) acc[0, l] += x[i + l];
        var lanes = new T[w];
        for (int l = 0; l < w; l++)
            lanes[l] = accumulators == 4
                ? (acc[0, l] + acc[1, l]) + (acc[2, l] + acc[3, l])
                : ((acc[0, l] + acc[1, l]) + (acc[2, l] + acc[3, l])) + ((acc[4, l] + acc[5, l]) + (acc[6, l] + acc[7, l]));
        T sum = isa switch
        {
            SimdIsa.Avx512 => Vector512.Sum(Vector512.Create<T>(lanes)),
            SimdIsa.Avx2 => Vector256.Sum(Vector256.Create<T>(lanes)),
            _ => Vector128.Sum(Vector128.Create<T>(lanes)),
        };
        for (; i < n; i++) sum += x[i];
        return sum;
    }

    private static void Check<T>(SimdIsa isa, int seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        foreach (int n in Lengths)
        {
            // The values at 16 different offsets into a larger array: every alignment of a float or double start.
            var buffer = new T[n + 16];
            var values = new T[n];
            for (int i = 0; i < n; i++) values[i] = T.CreateChecked(rng.NextDouble() * 2 - 1) * T.CreateChecked(Math.Pow(2, rng.Next(-8, 9)));
            T expected = Model<T>(values, isa);
            for (int offset = 0; offset < 16; offset++)
            {
                // Garbage around the span: never added.
                Array.Fill(buffer, T.NaN);
                values.CopyTo(buffer, offset);
                T got = Summation.Of<T>(buffer.AsSpan(offset, n), isa);
                Assert.True(got.Equals(expected), $"{isa} {typeof(T).Name} n={n} offset={offset}: {got} vs the documented order's {expected}");
            }
            // Within the bound for any association: n·ε·Σ|x|.
            double exact = 0, magnitude = 0;
            foreach (var v in values) { exact += double.CreateChecked(v); magnitude += Math.Abs(double.CreateChecked(v)); }
            double error = Math.Abs(double.CreateChecked(expected) - exact);
            Assert.True(error <= n * Eps<T>() * magnitude,
                $"{isa} {typeof(T).Name} n={n}: error {error}");
        }
    }

    private static double Eps<T>() where T : IBinaryFloatingPointIeee754<T> => typeof(T) == typeof(float) ? 1.2e-7 : 2.3e-16;

    [Theory]
    [MemberData(nameof(Isas))]
    public void Sums_follow_the_documented_order_at_every_alignment(string isaName)
    {
        var isa = Enum.Parse<SimdIsa>(isaName);
        Check<float>(isa, 1);
        Check<double>(isa, 2);
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Max_and_min_start_their_loop_aligned_with_the_same_results_at_every_alignment(string isaName)
    {
        // Extreme's vector loop starts at the first aligned element after its first (unaligned) vector; whatever the
        // start, the result is TensorPrimitives' max/min, NaN and the sign of zero included.
        var isa = Enum.Parse<SimdIsa>(isaName);
        var rng = new Random(4);
        foreach (int n in new[] { 32, 33, 47, 64, 100, 255, 1000, 4099 })
        {
            var values = new float[n];
            for (int i = 0; i < n; i++) values[i] = (float)(rng.NextDouble() * 4 - 2);
            if (n > 40) { values[n / 3] = -0f; values[n - 1] = rng.Next(2) == 0 ? float.NaN : 0f; }
            var buffer = new float[n + 16];
            for (int offset = 0; offset < 16; offset++)
            {
                Array.Fill(buffer, float.PositiveInfinity);
                values.CopyTo(buffer, offset);
                var span = buffer.AsSpan(offset, n);
                Assert.Equal(TensorPrimitives.Max(values), Extreme.Of<float, MaxSelect<float>>(span, isa));
                Assert.Equal(TensorPrimitives.Min(values), Extreme.Of<float, MinSelect<float>>(span, isa));
                Assert.Equal(float.IsNegative(TensorPrimitives.Max(values)), float.IsNegative(Extreme.Of<float, MaxSelect<float>>(span, isa)));
            }
        }
    }

    [Fact]
    public void Whole_tensor_sums_and_means_split_across_cores_add_the_chunks_in_order()
    {
        // 600K floats: split into chunks on any machine with 2 cores or more; the result is the chunks' sums (each by
        // Summation) added left to right — the same bits whatever array the values sit in.
        var rng = new Random(3);
        var x = new float[600_000];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() - 0.5);
        int chunks = Split.Chunks(x.Length / 2);
        float expected = 0;
        for (int c = 0; c < chunks; c++)
        {
            int start = Split.Start(x.Length, chunks, c), end = Split.Start(x.Length, chunks, c + 1);
            float part = Summation.Of<float>(x.AsSpan(start, end - start), Isa.Current);
            expected = c == 0 ? part : expected + part;
        }
        var t = Tensor.FromArray(x, [x.Length]);
        Assert.Equal(expected, t.Sum().Item());
        Assert.Equal(expected / x.Length, t.Mean().Item());
    }
}
