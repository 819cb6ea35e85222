using Descent.Learning.Data;

namespace Descent.Tests.Learning.Data;

public class SyntheticDataTests
{
    [Fact]
    public void SeedLinearIsTheReferenceData()
    {
        var d = SyntheticData.SeedLinear();
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6, 8 }, d.X.ToArray());
        Assert.Equal(new[] { 5.5, 6, 6.5, 7, 7.5, 8, 9 }, d.Y.ToArray());
        Assert.Equal([7, 1], d.Y.ShapeArray);
    }

    public static TheoryData<string> Generators => ["linear", "blobs", "moons", "spirals"];

    private static Dataset<double> Make(string name, int seed) => name switch
    {
        "linear" => SyntheticData.Linear(50, [2, -1], bias: 0.5, noise: 0.1, seed: seed),
        "blobs" => SyntheticData.Blobs(50, classes: 3, std: 0.5, seed: seed),
        "moons" => SyntheticData.Moons(50, noise: 0.1, seed: seed),
        _ => SyntheticData.Spirals(50, classes: 3, noise: 0.2, seed: seed),
    };

    [Theory]
    [MemberData(nameof(Generators))]
    public void GeneratorsAreDeterministicUnderASeed(string name)
    {
        var a = Make(name, 7);
        var b = Make(name, 7);
        var c = Make(name, 8);
        Assert.Equal(a.X.ToArray(), b.X.ToArray());
        Assert.Equal(a.Y.ToArray(), b.Y.ToArray());
        Assert.NotEqual(a.X.ToArray(), c.X.ToArray());
        Assert.Equal(50, a.Count);
    }

    [Fact]
    public void LinearWithoutNoiseIsExact()
    {
        var d = SyntheticData.Linear(20, [2, -1], bias: 0.5, seed: 3);
        var x = d.X.ToArray();
        var y = d.Y.ToArray();
        for (int i = 0; i < 20; i++) Assert.Equal(2 * x[2 * i] - x[2 * i + 1] + 0.5, y[i], 12);
    }

    [Fact]
    public void BlobsAreBalancedAndCentred()
    {
        var d = SyntheticData.Blobs(2000, std: 0.3, seed: 1);
        Assert.Equal(2, d.ClassCount);
        var labels = d.GetLabels();
        Assert.Equal(1000, labels.Count(l => l == 0));
        var x = d.X.ToArray();
        double mean0 = Enumerable.Range(0, 2000).Where(i => labels[i] == 0).Average(i => x[2 * i]);
        double mean1 = Enumerable.Range(0, 2000).Where(i => labels[i] == 1).Average(i => x[2 * i]);
        Assert.Equal(3, mean0, 1);
        Assert.Equal(-3, mean1, 1);
    }

    [Fact]
    public void MoonsAndSpiralsWithoutNoiseLieOnTheirCurves()
    {
        var m = SyntheticData.Moons(10);
        var x = m.X.ToArray();
        var labels = m.GetLabels();
        for (int i = 0; i < 10; i++)
        {
            double a = x[2 * i], b = x[2 * i + 1];
            double r = labels[i] == 0 ? a * a + b * b : (1 - a) * (1 - a) + (0.5 - b) * (0.5 - b);
            Assert.Equal(1, r, 12);
        }
        var s = SyntheticData.Spirals(9, classes: 3);
        Assert.Equal([0, 1, 2, 0, 1, 2, 0, 1, 2], s.GetLabels());
        Assert.Equal(3, s.ClassCount);
        var sx = s.X.ToArray();
        Assert.Equal(1, Math.Sqrt(sx[12] * sx[12] + sx[13] * sx[13]), 12); // the last point of class 0 has radius 1
    }
}
