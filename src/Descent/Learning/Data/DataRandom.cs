namespace Descent.Learning.Data;

/// <summary>
/// The data layer's seeded generator (SplitMix64): its sequence is fixed by this file, not by the runtime's
/// <see cref="Random"/>, so shuffles, splits and synthetic data stay bit-identical across .NET versions.
/// </summary>
internal sealed class DataRandom
{
    private ulong _state;

    public DataRandom(ulong seed) => _state = seed;

    /// <summary>The generator's whole state: setting it back replays the same numbers.</summary>
    public ulong State
    {
        get => _state;
        set => _state = value;
    }

    /// <summary>A generator for one (seed, stream) pair, e.g. (loader seed, epoch): independent streams from one seed.</summary>
    public static DataRandom ForStream(long seed, long stream) => new(Mix((ulong)seed) ^ Mix((ulong)stream + 0x9E3779B97F4A7C15UL));

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>), without modulo bias (Lemire's method with rejection).</summary>
    public int NextInt(int bound)
    {
        ulong b = (ulong)bound;
        UInt128 m = (UInt128)NextUInt64() * b;
        if ((ulong)m < b)
        {
            ulong threshold = (0UL - b) % b;
            while ((ulong)m < threshold) m = (UInt128)NextUInt64() * b;
        }
        return (int)(ulong)(m >> 64);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (Box–Muller, one value per call).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Shuffles in place (Fisher–Yates).</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..n−1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle(p);
        return p;
    }
}
