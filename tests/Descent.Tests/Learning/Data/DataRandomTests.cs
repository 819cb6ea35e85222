using CsCheck;
using Descent.Learning.Data;

namespace Descent.Tests.Learning.Data;

public class DataRandomTests
{
    [Fact]
    public void PermutationsArePermutations()
        => Gen.Select(Gen.Int[0, 300], Gen.Long).Sample(t =>
        {
            var (n, seed) = t;
            var p = DataRandom.ForStream(seed, 3).Permutation(n);
            Assert.Equal(Enumerable.Range(0, n), p.Order());
        });

    [Fact]
    public void StreamsAreReproducibleAndDistinct()
    {
        Assert.Equal(DataRandom.ForStream(1, 2).Permutation(50), DataRandom.ForStream(1, 2).Permutation(50));
        Assert.NotEqual(DataRandom.ForStream(1, 2).Permutation(50), DataRandom.ForStream(1, 3).Permutation(50));
        Assert.NotEqual(DataRandom.ForStream(1, 2).Permutation(50), DataRandom.ForStream(2, 2).Permutation(50));
    }

    [Fact]
    public void NextIntIsInRangeAndRoughlyUniform()
    {
        var rng = new DataRandom(42);
        var counts = new int[7];
        for (int i = 0; i < 70000; i++) counts[rng.NextInt(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 9500, 10500));
        double mean = Enumerable.Range(0, 20000).Select(_ => rng.NextGaussian()).Average();
        Assert.InRange(mean, -0.05, 0.05);
    }
}
