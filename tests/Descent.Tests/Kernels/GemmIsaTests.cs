using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>
/// Every GEMM micro-kernel on whatever machine runs the tests: the kernels of narrower instruction sets are selected
/// on the test's thread (<c>Isa.Narrow</c>) and checked against the naive triple loop, so an AVX2 or Vector128 (Arm64)
/// bug is caught on an AVX-512 machine. The other direction — the JIT's code for a narrower machine, and the scalar
/// fallback — is covered by CI runs of these tests with <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c> and
/// <c>DOTNET_EnableHWIntrinsic=0</c> (.ci/run), which <see cref="Selected_kernel_obeys_the_runtime_settings"/> checks
/// took effect.
/// </summary>
public class GemmIsaTests
{
    /// <summary>The instruction sets this machine can run (the detected one and every narrower one).</summary>
    public static IEnumerable<object[]> Isas() =>
        Enum.GetValues<SimdIsa>().Where(i => i <= Isa.Detected).Select(i => new object[] { i.ToString() });

    /// <summary>Random shapes around every tile edge (MR = 6 or 8; NR = 4 … 32), each path's thresholds included.</summary>
    private static IEnumerable<(int M, int K, int N)> Shapes(int seed)
    {
        var rng = new Random(seed);
        int[] edge = [1, 3, 4, 5, 6, 7, 8, 9, 12, 13, 15, 16, 17, 24, 31, 32, 33, 47, 48, 49, 65];
        for (int t = 0; t < 24; t++) yield return (edge[rng.Next(edge.Length)], edge[rng.Next(edge.Length)], edge[rng.Next(edge.Length)]);
        for (int t = 0; t < 8; t++) yield return (rng.Next(1, 90), rng.Next(1, 90), rng.Next(1, 90));
        // The training shapes (direct path, small-n heads) and the packed path (operands over 1 MB: several KC slabs,
        // ragged edges, two cores).
        yield return (64, 784, 128);
        yield return (784, 64, 128);
        yield return (64, 128, 10);
        yield return (128, 64, 10);
        yield return (64, 10, 128);
        yield return (784, 64, 10);
        yield return (100, 33, 9);   // the 10-column pass (Aᵀ·B, n = 9 or 10) with row edges after its 2-vector blocks
        yield return (49, 7, 10);
        yield return (203, 301, 97);
        yield return (257, 600, 301);
        yield return (130, 1100, 70); // three slabs or more at any KC up to MaxKC (the last two split evenly)
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Every_kernel_matches_the_naive_product(string isaName)
    {
        var isa = Enum.Parse<SimdIsa>(isaName);
        using var _ = Isa.Narrow(isa);
        Assert.Equal(isa, Isa.Current);
        int s = 0;
        foreach (var (m, k, n) in Shapes((int)isa + 1))
        {
            s++;
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                {
                    bool acc = (s + (ta ? 1 : 0) + (tb ? 2 : 0)) % 2 == 1; // β = 0 and β = 1 alternate over the shapes
                    GemmTests.Check<float>(m, k, n, ta, tb, s * 17 + 1, 2e-6, acc);
                    GemmTests.Check<double>(m, k, n, ta, tb, s * 17 + 2, 1e-13, !acc);
                }
        }
    }

    [Fact]
    public void Narrowing_is_per_thread_and_undone()
    {
        var before = Isa.Current;
        using (Isa.Narrow(SimdIsa.Scalar))
        {
            Assert.Equal(SimdIsa.Scalar, Isa.Current);
            SimdIsa other = SimdIsa.Scalar;
            var thread = new Thread(() => other = Isa.Current);
            thread.Start();
            thread.Join();
            Assert.Equal(before, other);
        }
        Assert.Equal(before, Isa.Current);
    }

    /// <summary>
    /// The forced-ISA CI runs mean something only if the runtime honoured the setting (on .NET 10 the AVX-512 switch is
    /// <c>DOTNET_EnableAVX512</c>; the older <c>DOTNET_EnableAVX512F</c> is ignored): the kernel chosen must not be wider.
    /// </summary>
    [Fact]
    public void Selected_kernel_obeys_the_runtime_settings()
    {
        static bool Off(string name) => Environment.GetEnvironmentVariable("DOTNET_" + name) == "0";
        string isa = KernelInfo.GemmIsa;
        if (Off("EnableHWIntrinsic")) Assert.Equal("scalar", isa);
        else if (Off("EnableAVX2") || Off("EnableAVX")) Assert.StartsWith("Vector128", isa);
        else if (Off("EnableAVX512")) Assert.NotEqual("AVX-512", isa);
        Assert.Contains(isa, KernelInfo.Describe());
    }

    [Theory]
    [InlineData(nameof(SimdIsa.Avx512), 4, 8, 32)]
    [InlineData(nameof(SimdIsa.Avx512), 8, 8, 16)]
    [InlineData(nameof(SimdIsa.Avx2), 4, 6, 16)]
    [InlineData(nameof(SimdIsa.Avx2), 8, 6, 8)]
    [InlineData(nameof(SimdIsa.Vector128), 4, 6, 8)] // 4 rows where 128-bit vectors have no fused multiply-add
    [InlineData(nameof(SimdIsa.Vector128), 8, 6, 4)]
    public void Blocking_fits_the_caches(string isaName, int size, int mr, int nr)
    {
        var b = Blocking.For(Enum.Parse<SimdIsa>(isaName), size);
        if (b.MR == 4 && !Isa.HasFma128) mr = 4;
        Assert.Equal((mr, nr), (b.MR, b.NR));
        var (l1, l2, _) = KernelInfo.CacheSizes;
        // The B sliver of one slab takes at most four thirds of L1 (unless L1 is so small that the floor of 16 applies),
        // at most MaxKC deep; the A block fits L2.
        Assert.True(b.KC == 16 || (long)b.NR * b.KC * size <= l1 * 4 / 3, $"KC {b.KC}");
        Assert.True(b.KC <= Blocking.MaxKC && b.KC % 16 == 0, $"KC {b.KC}");
        Assert.True((long)b.MC * b.KC * size <= l2 / 2 || b.MC == 4 * b.MR, $"MC {b.MC}");
        Assert.Equal(0, b.MC % b.MR);
        int nc = b.NC(1000, size);
        Assert.True(nc >= 4 * b.NR && nc % b.NR == 0 && nc <= 4096, $"NC {nc}");
    }

    [Theory]
    [InlineData("48K", 48 * 1024)]
    [InlineData("1024K", 1024 * 1024)]
    [InlineData("32M", 32L * 1024 * 1024)]
    [InlineData("65536", 65536)]
    [InlineData("", 0)]
    [InlineData("x", 0)]
    public void Cache_sizes_parse_as_sysfs_writes_them(string text, long bytes) => Assert.Equal(bytes, Caches.ParseSize(text));
}
