using System.Globalization;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using X86 = System.Runtime.Intrinsics.X86;

namespace Descent.Kernels;

/// <summary>The instruction set a kernel runs with (the widest the runtime accelerates, unless narrowed for a test).</summary>
internal enum SimdIsa
{
    /// <summary>No hardware vectors (<c>DOTNET_EnableHWIntrinsic=0</c>): plain loops.</summary>
    Scalar,

    /// <summary>128-bit vectors: Arm64 NEON (with fused multiply-add) or x86 SSE (multiply then add).</summary>
    Vector128,

    /// <summary>256-bit vectors with fused multiply-add: x86 AVX2 + FMA.</summary>
    Avx2,

    /// <summary>512-bit vectors: x86 AVX-512.</summary>
    Avx512,
}

/// <summary>
/// Which instruction set Descent's kernels use on this machine, and the cache sizes the matrix multiply's blocking is
/// derived from — for benchmark reports and bug reports (<c>benchmarks/compare.sh</c> prints <see cref="Describe"/>).
/// </summary>
/// <remarks>
/// The choice is made once per process from what the runtime accelerates, so the environment variables of the .NET
/// runtime narrow it: <c>DOTNET_EnableAVX512=0</c> (on .NET 8/9 also <c>DOTNET_EnableAVX512F=0</c>) selects the AVX2
/// kernels, <c>DOTNET_EnableAVX2=0</c> the 128-bit ones, <c>DOTNET_EnableHWIntrinsic=0</c> the scalar loops.
/// </remarks>
public static class KernelInfo
{
    /// <summary>The matrix multiply's instruction set and register tile: "AVX-512", "AVX2+FMA", "Vector128+FMA" (Arm64 NEON), "Vector128" (SSE) or "scalar".</summary>
    public static string GemmIsa => Name(Isa.Detected);

    /// <summary>
    /// The data cache sizes used for blocking, in bytes (per core for L1 and L2; L3 as reported), read from
    /// <c>/sys/devices/system/cpu/cpu0/cache</c> on Linux, defaults (32 KB, 512 KB, 8 MB) elsewhere.
    /// </summary>
    public static (long L1, long L2, long L3) CacheSizes => (Caches.L1, Caches.L2, Caches.L3);

    /// <summary>One line: instruction set, register tiles and blocking (float, double) and cache sizes.</summary>
    public static string Describe()
    {
        var f = Blocking.For(Isa.Detected, sizeof(float));
        var d = Blocking.For(Isa.Detected, sizeof(double));
        return string.Create(CultureInfo.InvariantCulture,
            $"gemm {GemmIsa}: float {f}, double {d}; caches L1d {Caches.L1 >> 10} KB, L2 {Caches.L2 >> 10} KB, L3 {Caches.L3 >> 10} KB ({Caches.Source}); {Environment.ProcessorCount} cores");
    }

    internal static string Name(SimdIsa isa) => isa switch
    {
        SimdIsa.Avx512 => "AVX-512",
        SimdIsa.Avx2 => "AVX2+FMA",
        SimdIsa.Vector128 => Isa.HasFma128 ? "Vector128+FMA" : "Vector128",
        _ => "scalar",
    };
}

/// <summary>Instruction-set detection, with a per-thread override so tests can run the narrower kernels on any machine.</summary>
internal static class Isa
{
    [ThreadStatic] private static SimdIsa? t_override;

    /// <summary>The widest instruction set the runtime accelerates for both float and double.</summary>
    public static readonly SimdIsa Detected =
        Vector512.IsHardwareAccelerated && Vector512<float>.IsSupported ? SimdIsa.Avx512
        : Vector256.IsHardwareAccelerated && X86.Fma.IsSupported ? SimdIsa.Avx2
        : Vector128.IsHardwareAccelerated ? SimdIsa.Vector128
        : SimdIsa.Scalar;

    /// <summary>Whether 128-bit vectors have a fused multiply-add (Arm64 NEON, or x86 with FMA).</summary>
    public static bool HasFma128 => X86.Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary>The instruction set kernels called on this thread use: <see cref="Detected"/> unless a test narrowed it.</summary>
    public static SimdIsa Current => t_override is { } o && o < Detected ? o : Detected;

    /// <summary>
    /// Narrows the kernels called on this thread to <paramref name="isa"/> (never wider than <see cref="Detected"/>)
    /// until the returned scope is disposed — for tests that check every path on one machine.
    /// </summary>
    public static IDisposable Narrow(SimdIsa isa)
    {
        var before = t_override;
        t_override = isa;
        return new Scope(before);
    }

    private sealed class Scope(SimdIsa? before) : IDisposable
    {
        public void Dispose() => t_override = before;
    }
}

/// <summary>Data cache sizes of this machine (per core for L1/L2), for the GEMM's blocking.</summary>
internal static class Caches
{
    public static readonly long L1, L2, L3;
    public static readonly string Source;

    static Caches()
    {
        (L1, L2, L3, Source) = (32 * 1024, 512 * 1024, 8 * 1024 * 1024, "defaults");
        try
        {
            const string root = "/sys/devices/system/cpu/cpu0/cache";
            if (!Directory.Exists(root)) return;
            bool any = false;
            foreach (var dir in Directory.EnumerateDirectories(root, "index*"))
            {
                string type = File.ReadAllText(Path.Combine(dir, "type")).Trim();
                if (type == "Instruction") continue;
                int level = int.Parse(File.ReadAllText(Path.Combine(dir, "level")).Trim(), CultureInfo.InvariantCulture);
                long size = ParseSize(File.ReadAllText(Path.Combine(dir, "size")).Trim());
                if (size <= 0) continue;
                if (level == 1) L1 = size;
                else if (level == 2) L2 = size;
                else if (level == 3) L3 = size;
                else continue;
                any = true;
            }
            if (any) Source = "sysfs";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            // Keep the defaults: blocking only affects speed.
        }
    }

    /// <summary>"48K", "1024K", "32M" or a plain byte count.</summary>
    internal static long ParseSize(string text)
    {
        if (text.Length == 0) return 0;
        long unit = char.ToUpperInvariant(text[^1]) switch { 'K' => 1024, 'M' => 1024 * 1024, 'G' => 1024L * 1024 * 1024, _ => 1 };
        string digits = unit == 1 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v * unit : 0;
    }
}

/// <summary>
/// The GEMM's register tile (MR×NR) and cache blocking (KC, MC, NC) for one instruction set and element size, derived
/// from the cache sizes, after the BLIS analytical model: a KC-deep sliver of B (KC×NR) takes up to four thirds of
/// L1 (at most <see cref="MaxKC"/> deep: fewer passes over C outweigh the sliver's rows streaming from L2); an MC×KC block of A takes about a quarter of L2 (the rest streams B and C);
/// the packed B panel (all of k × NC) about half of L3.
/// </summary>
internal readonly record struct Blocking(int MR, int NR, int KC, int MC, int NCMax)
{
    private static readonly Blocking[] Table = Build();

    /// <summary>The blocking for <paramref name="isa"/> and elements of <paramref name="size"/> bytes (4 or 8).</summary>
    public static Blocking For(SimdIsa isa, int size) => Table[(int)isa * 2 + (size == 8 ? 1 : 0)];

    /// <summary>NC for a product with inner dimension k: the k×NC packed panel of B within half of L3, a multiple of NR.</summary>
    public int NC(int k, int size)
    {
        long nc = Caches.L3 / 2 / Math.Max(1L, (long)k * size);
        nc = Math.Clamp(nc, 4L * NR, NCMax);
        return (int)(nc / NR * NR);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{MR}x{NR} KC {KC} MC {MC}");

    private static Blocking[] Build()
    {
        var table = new Blocking[8];
        foreach (SimdIsa isa in Enum.GetValues<SimdIsa>())
            foreach (int size in new[] { 4, 8 })
                table[(int)isa * 2 + (size == 8 ? 1 : 0)] = Compute(isa, size);
        return table;
    }

    internal static Blocking Compute(SimdIsa isa, int size)
    {
        int lanes128 = 16 / size;
        (int mr, int nr) = isa switch
        {
            SimdIsa.Avx512 => (8, 2 * 4 * lanes128),
            SimdIsa.Avx2 => (6, 2 * 2 * lanes128),
            SimdIsa.Vector128 => (Isa.HasFma128 ? 6 : 4, 2 * lanes128),
            _ => (4, 4),
        };
        // The B sliver (KC×NR) is what a row block reuses from L1; A's sliver streams through (prefetched). Deeper slabs
        // mean fewer passes over C, and that pays even when the sliver outgrows L1 by a third (its rows then stream from
        // L2 behind the hardware prefetcher): on Emerald Rapids (48 KB L1) KC 320–448 beat the old 224 (A and B slivers
        // in ¾ of L1) by 3–6% for floats on two cores (session 11), and 512 beat 336 (⅞ of L1) by ~3% at 512–1024 on one
        // and two cores (session 12); doubles and AVX2 (256–672) within the noise. The cap keeps the depth within what
        // was measured.
        long kc = Caches.L1 * 4 / 3 / (nr * (long)size);
        kc = Math.Clamp(Override("DESCENT_GEMM_KC") ?? Math.Min(kc, MaxKC) / 16 * 16, 16, 1024);
        long mc = Caches.L2 / 4 / (kc * size);
        mc = Math.Clamp((Override("DESCENT_GEMM_MC") ?? mc) / mr * mr, mr, 64 * mr);
        return new Blocking(mr, nr, (int)kc, (int)mc, 4096 / nr * nr);
    }

    /// <summary>The deepest KC slab the cache model picks (an override may go deeper).</summary>
    internal const int MaxKC = 512;

    /// <summary>DESCENT_GEMM_KC / DESCENT_GEMM_MC: blocking overrides for tuning experiments (benchmarks only).</summary>
    private static long? Override(string name) =>
        long.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v > 0 ? v : null;
}
