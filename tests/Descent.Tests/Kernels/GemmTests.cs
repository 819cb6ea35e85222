using System.Numerics;
using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>The blocked, packed GEMM against a naive triple loop, over many odd sizes and all transpose variants.</summary>
public class GemmTests
{
    private static T[] Random<T>(Random rng, int length) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var x = new T[length];
        for (int i = 0; i < length; i++) x[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>op(A)·op(B) in double by the definition; A is m×k (k×m when transposed), B k×n (n×k when transposed).</summary>
    private static double[] Naive<T>(T[] a, int aOff, bool ta, T[] b, int bOff, bool tb, int m, int k, int n)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = double.CreateTruncating(ta ? a[aOff + p * m + i] : a[aOff + i * k + p]);
                    double y = double.CreateTruncating(tb ? b[bOff + j * k + p] : b[bOff + p * n + j]);
                    s += x * y;
                }
                c[i * n + j] = s;
            }
        return c;
    }

    /// <summary>
    /// Checks C = op(A)·op(B) over garbage in C, and with <paramref name="accumulate"/> also C += op(A)·op(B) over random
    /// C (the reference adds the old C); the elements around C must stay untouched.
    /// </summary>
    internal static void Check<T>(int m, int k, int n, bool ta, bool tb, int seed, double tol, bool accumulate = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        const int aOff = 3, bOff = 5, cOff = 7;
        var a = Random<T>(rng, aOff + m * k + 2);
        var b = Random<T>(rng, bOff + k * n + 2);
        var c = Random<T>(rng, cOff + m * n + 2); // garbage that must be overwritten (or the values to add to)
        var old = (T[])c.Clone();
        T before = c[0], after = c[^1];
        if (accumulate) Gemm.Multiply(a, aOff, ta, b, bOff, tb, c, cOff, m, k, n, accumulate: true);
        else Gemm.Multiply(a, aOff, ta, b, bOff, tb, c, cOff, m, k, n);
        var expected = Naive(a, aOff, ta, b, bOff, tb, m, k, n);
        for (int i = 0; i < m * n; i++)
        {
            double want = expected[i] + (accumulate ? double.CreateTruncating(old[cOff + i]) : 0);
            double got = double.CreateTruncating(c[cOff + i]);
            Assert.True(Math.Abs(got - want) <= tol * (1 + Math.Sqrt(k)),
                $"m={m} k={k} n={n} ta={ta} tb={tb} acc={accumulate}: element {i} is {got}, expected {want}");
        }
        Assert.Equal(before, c[0]);
        Assert.Equal(after, c[^1]);
    }

    public static IEnumerable<object[]> Sizes()
    {
        var rng = new Random(42);
        int[] edge = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 70];
        for (int t = 0; t < 60; t++)
            yield return [edge[rng.Next(edge.Length)], edge[rng.Next(edge.Length)], edge[rng.Next(edge.Length)]];
        for (int t = 0; t < 30; t++)
            yield return [rng.Next(1, 71), rng.Next(1, 71), rng.Next(1, 71)];
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Float_matches_naive_for_all_transposes(int m, int k, int n)
    {
        foreach (var ta in new[] { false, true })
            foreach (var tb in new[] { false, true })
                Check<float>(m, k, n, ta, tb, m * 10007 + k * 101 + n, 2e-6);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Double_matches_naive_for_all_transposes(int m, int k, int n)
    {
        foreach (var ta in new[] { false, true })
            foreach (var tb in new[] { false, true })
                Check<double>(m, k, n, ta, tb, m * 10007 + k * 101 + n, 1e-13);
    }

    [Theory]
    [InlineData(300, 517, 1100)]   // several KC slabs, two NC panels, ragged edges, parallel regions
    [InlineData(257, 255, 129)]
    [InlineData(1, 600, 2000)]
    [InlineData(1000, 3, 1000)]
    public void Large_sizes_match_naive(int m, int k, int n)
    {
        Check<float>(m, k, n, false, false, 1, 2e-6);
        Check<double>(m, k, n, false, false, 2, 1e-13);
        Check<float>(m, k, n, true, false, 3, 2e-6);
        Check<double>(m, k, n, false, true, 4, 1e-13);
    }

    [Theory]
    [InlineData(64, 784, 10)]   // a classifier head's forward (dots against a transposed B)
    [InlineData(784, 64, 10)]   // its weight gradient Xᵀ·G (axpys into Cᵀ)
    [InlineData(65, 100, 1)]
    [InlineData(3, 64, 31)]
    [InlineData(100, 7, 5)]
    public void Small_n_paths_match_naive(int m, int k, int n)
    {
        foreach (var ta in new[] { false, true })
            foreach (var tb in new[] { false, true })
            {
                Check<float>(m, k, n, ta, tb, m * 31 + n, 2e-6);
                Check<double>(m, k, n, ta, tb, m * 37 + n, 1e-13);
            }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Accumulate_adds_the_product_for_all_transposes(int m, int k, int n)
    {
        foreach (var ta in new[] { false, true })
            foreach (var tb in new[] { false, true })
            {
                Check<float>(m, k, n, ta, tb, m * 10007 + k * 101 + n + 1, 2e-6, accumulate: true);
                Check<double>(m, k, n, ta, tb, m * 10007 + k * 101 + n + 2, 1e-13, accumulate: true);
            }
    }

    /// <summary>
    /// Every path with and without accumulation: the MLP's shapes (direct path, split between cores), small-n heads
    /// (dot products, Cᵀ columns, with ragged m, n and k), edge slivers of the direct path, and the packed path in one
    /// slab, several slabs and in parallel (≥ 256³).
    /// </summary>
    [Theory]
    [InlineData(64, 784, 128)]   // X·W1, direct path on two cores
    [InlineData(784, 64, 128)]   // Xᵀ·G1 shape
    [InlineData(64, 128, 10)]    // H·W2
    [InlineData(128, 64, 10)]    // Hᵀ·G2 shape
    [InlineData(64, 10, 128)]    // G2·W2ᵀ shape
    [InlineData(784, 64, 10)]    // softmax regression's gradient shape
    [InlineData(67, 101, 13)]    // small n, ragged everything
    [InlineData(83, 35, 31)]     // small n just under the float kernel's width
    [InlineData(61, 77, 45)]     // direct path with edge slivers in m and n
    [InlineData(123, 301, 97)]   // direct path (≤ 128 rows), several tasks on two cores, edges
    [InlineData(200, 150, 97)]   // direct path with more rows (operands ≤ 256 KB), edges
    [InlineData(203, 301, 97)]   // packed from 256 KB with more than 128 rows, edges
    [InlineData(300, 517, 260)]  // packed path, several slabs
    [InlineData(257, 600, 300)]  // packed path on two cores (operands over 1 MB), edges
    public void Every_path_overwrites_or_accumulates(int m, int k, int n)
    {
        foreach (var acc in new[] { false, true })
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                {
                    Check<float>(m, k, n, ta, tb, m + 3 * k + 7 * n, 2e-6, acc);
                    Check<double>(m, k, n, ta, tb, m + 5 * k + 11 * n, 1e-13, acc);
                }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Edge_sliver_packing_copies_the_last_columns_and_zeroes_the_rest(int seed)
    {
        // B's last columns as a zero-padded k×nr sliver (the direct path's edge): the vector path reads past each row
        // and must clear those lanes bitwise whatever they hold; NaN and infinities in B show a lane that leaked.
        var rng = new Random(seed);
        for (int trial = 0; trial < 200; trial++)
        {
            int nr = new[] { 4, 8, 16, 32 }[rng.Next(4)];
            int k = rng.Next(1, 40), nFull = nr * rng.Next(0, 3), n = nFull + rng.Next(1, nr);
            PackEdge<float>(rng, k, n, nFull, nr);
            if (nr <= 16) PackEdge<double>(rng, k, n, nFull, nr);
        }
    }

    private static void PackEdge<T>(Random rng, int k, int n, int nFull, int nr) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var b = new T[k * n];
        for (int i = 0; i < b.Length; i++)
            b[i] = rng.Next(5) switch { 0 => T.NaN, 1 => T.PositiveInfinity, _ => T.CreateTruncating(rng.NextDouble() + 1) };
        var edge = new T[k * nr];
        edge.AsSpan().Fill(T.CreateTruncating(7));
        Gemm.PackEdgeB<T>(b, k, n, nFull, nr, edge);
        for (int p = 0; p < k; p++)
            for (int j = 0; j < nr; j++)
            {
                T want = j < n - nFull ? b[p * n + nFull + j] : T.Zero;
                T got = edge[p * nr + j];
                Assert.True(got.Equals(want) && T.IsNegative(got) == T.IsNegative(want),
                    $"{typeof(T).Name} k={k} n={n} nFull={nFull} nr={nr}: edge[{p},{j}] is {got}, expected {want}");
            }
    }

    [Fact]
    public void Slabs_cover_k_with_no_sliver_at_the_end()
    {
        foreach (int KC in new[] { 64, 192, 224, 256 })
            for (int k = 1; k <= 5 * KC; k++)
            {
                int covered = 0, slabs = 0;
                for (int p0 = 0, kc; p0 < k; p0 += kc, slabs++)
                {
                    kc = Gemm.SlabDepth(k, p0, KC);
                    Assert.InRange(kc, 1, KC);
                    // Only a k shorter than half a slab makes a slab shallower than KC/2.
                    if (k >= KC / 2) Assert.True(kc >= KC / 2, $"k={k} KC={KC}: a slab of {kc} at {p0}");
                    covered += kc;
                }
                Assert.Equal(k, covered);
                Assert.Equal((k + KC - 1) / KC, slabs);
            }
    }

    /// <summary>
    /// A product's bits do not depend on how it was spread over the cores: every path that splits work between the
    /// caller and the helper (the packed path packing B as its row blocks reach it, the direct path's row strips, the
    /// small-n column tasks) gives exactly what the same call gives on one thread. Resumed training relies on it.
    /// Where the machine has one core both sides run alone and agree trivially.
    /// </summary>
    [Theory]
    [InlineData(257, 600, 301)]   // packed, two cores: ragged rows and columns, two slabs
    [InlineData(300, 1100, 517)]  // packed: three slabs or more (the last two split), chunks of B ragged at the end
    [InlineData(600, 300, 1030)]  // packed: many row blocks, odd ones starting mid-slab
    [InlineData(64, 784, 128)]    // direct path split in row strips
    [InlineData(784, 64, 10)]     // small n: column tasks
    public void Two_core_products_equal_one_core_bit_for_bit(int m, int k, int n)
    {
        foreach (var acc in new[] { false, true })
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                {
                    SameBits<float>(m, k, n, ta, tb, acc, m + k + n);
                    SameBits<double>(m, k, n, ta, tb, acc, m + k + n + 1);
                }
    }

    private static void SameBits<T>(int m, int k, int n, bool ta, bool tb, bool acc, int seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var a = Random<T>(rng, m * k);
        var b = Random<T>(rng, k * n);
        var c0 = Random<T>(rng, m * n);
        var shared = (T[])c0.Clone();
        var alone = (T[])c0.Clone();
        Gemm.Multiply(a, 0, ta, b, 0, tb, shared, 0, m, k, n, acc);
        using (GemmTeam.Alone()) Gemm.Multiply(a, 0, ta, b, 0, tb, alone, 0, m, k, n, acc);
        for (int i = 0; i < m * n; i++)
            Assert.True(shared[i].Equals(alone[i]),
                $"{typeof(T).Name} m={m} k={k} n={n} ta={ta} tb={tb} acc={acc}: element {i} is {shared[i]} on two cores, {alone[i]} on one");
    }

    [Fact]
    public void Concurrent_callers_get_correct_products()
    {
        // The two-core helper serves one product at a time; other threads must still compute theirs (alone).
        Parallel.For(0, 8, t => Check<float>(64, 784, 128, t % 2 == 1, false, t, 2e-6, accumulate: t % 3 == 0));
    }

    [Fact]
    public void Accumulate_with_zero_inner_dimension_leaves_c()
    {
        var c = new double[] { 1, 2, 3, 4 };
        Gemm.Multiply(Array.Empty<double>(), 0, false, Array.Empty<double>(), 0, false, c, 0, 2, 0, 2, accumulate: true);
        Assert.Equal(new double[] { 1, 2, 3, 4 }, c);
    }

    [Fact]
    public void Zero_inner_dimension_gives_zeros()
    {
        var c = new double[] { 1, 2, 3, 4 };
        Gemm.Multiply(Array.Empty<double>(), 0, Array.Empty<double>(), 0, c, 0, 2, 0, 2);
        Assert.All(c, v => Assert.Equal(0.0, v));
    }
}
