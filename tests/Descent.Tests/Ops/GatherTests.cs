using System.Diagnostics;
using System.Text.Json;
using Descent.Testing;
using Xunit.Abstractions;
using T = Descent.Tensor<double>;

namespace Descent.Tests.Ops;

/// <summary>Element-by-element references for Gather and ScatterAdd (loops over multi-indices, no tensor ops).</summary>
internal static class GatherReference
{
    private static int[] Unravel(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    private static int Ravel(int[] index, int[] shape)
    {
        int flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + index[d];
        return flat;
    }

    public static T Gather(T x, int axis, T index)
    {
        var values = x.ToArray();
        var picks = index.ToArray();
        var result = new double[picks.Length];
        for (int i = 0; i < picks.Length; i++)
        {
            var at = Unravel(i, index.ShapeArray);
            at[axis] = (int)picks[i];
            result[i] = values[Ravel(at, x.ShapeArray)];
        }
        return OpHarness.Make(result, index.ShapeArray);
    }

    public static T ScatterAdd(T x, int axis, T index, T source)
    {
        var result = x.ToArray();
        var picks = index.ToArray();
        var from = source.ToArray();
        for (int i = 0; i < picks.Length; i++)
        {
            var at = Unravel(i, index.ShapeArray);
            double v = from[Ravel(at, source.ShapeArray)];
            at[axis] = (int)picks[i];
            result[Ravel(at, x.ShapeArray)] += v;
        }
        return OpHarness.Make(result, x.ShapeArray);
    }
}

/// <summary>
/// Gather, TakeAlongAxis and ScatterAdd against PyTorch (float64): values and gradients of sum(result · w) for the
/// literal cases of Fixtures/make_gather_fixtures.py, stored in Fixtures/gather.json; plus the errors. The random-shape
/// values and gradient checks are the registry lines in <see cref="OpRegistry"/> (run by <see cref="IndexingTests"/>).
/// </summary>
public class GatherTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-12;

    private static string FixtureDirectory => Path.Combine(AppContext.BaseDirectory, "Ops", "Fixtures");

    private static T Read(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var data = e.GetProperty("data").EnumerateArray().Select(d => d.GetDouble()).ToArray();
        return OpHarness.Make(data, shape);
    }

    [Fact]
    public void ValuesAndGradientsMatchPyTorch()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "gather.json")));
        int count = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            int axis = c.GetProperty("axis").GetInt32();
            var index = Read(c.GetProperty("index"));
            var inputs = c.GetProperty("inputs").EnumerateArray().Select(Read).Select(t => t.WithGrad()).ToArray();
            var result = c.GetProperty("op").GetString() switch
            {
                "gather" => inputs[0].Gather(axis, index),
                "take_along_dim" => inputs[0].TakeAlongAxis(index, axis),
                _ => inputs[0].ScatterAdd(axis, index, inputs[1]),
            };
            OpHarness.AssertClose(Read(c.GetProperty("output")), result, Tolerance, $"{name} value");
            var weights = Tensor.FromArray(Enumerable.Range(0, result.Size).Select(i => 1 + 0.5 * Math.Sin(i + 1)).ToArray(), result.ShapeArray);
            var grads = Autograd.Grad((result * weights).Sum(), inputs);
            var expected = c.GetProperty("grads").EnumerateArray().Select(Read).ToArray();
            for (int i = 0; i < inputs.Length; i++) OpHarness.AssertClose(expected[i], grads[i], Tolerance, $"{name} gradient of input {i}");
            count++;
        }
        Assert.Equal(9, count);
    }

    [Fact]
    public void GatherPicksArgMaxAndGradCheckPasses()
    {
        var x = Tensor.FromArray([0.3, -1.2, 2.5, 0.7, 1.4, 1.1], 2, 3).WithGrad();
        var best = x.Gather(1, x.ArgMax(1, keepDims: true));
        Assert.Equal([2.5, 1.4], best.ToArray());
        Assert.Equal([0, 0, 1, 0, 1, 0], Autograd.Grad(best.Sum(), [x])[0].ToArray());
        var index = Tensor.FromArray([2.0, 2, 0, 1, 1, 1], 2, 3);
        var source = Tensor.FromArray([0.5, -1, 2, 1.5, 0.75, -0.5, 9, 9], 2, 4);
        Assert.True(GradCheck.Check(v => v[0].ScatterAdd(1, index, v[1]).Square().Gather(1, index), [x.Detach(), source]).Passed);
        Assert.True(GradCheck.CheckSecondOrder(v => v[0].Square().Gather(0, Tensor.FromArray([1.0, 0, 1], 1, 3)).Exp(), [x.Detach()]).Passed);
    }

    [Fact]
    public void BadIndicesAreClearErrors()
    {
        var x = Tensor.FromArray([1.0, 2, 3, 4, 5, 6], 2, 3);
        Assert.Contains("not a whole number in [0, 3)", Assert.Throws<IndexOutOfRangeException>(() => x.Gather(1, Tensor.FromArray([3.0, 0], 2, 1))).Message, StringComparison.Ordinal);
        Assert.Contains("not a whole number", Assert.Throws<IndexOutOfRangeException>(() => x.Gather(1, Tensor.FromArray([0.5, 0], 2, 1))).Message, StringComparison.Ordinal);
        Assert.Contains("rank", Assert.Throws<ShapeException>(() => x.Gather(1, Tensor.FromArray([0.0, 1]))).Message, StringComparison.Ordinal);
        Assert.Contains("larger than the tensor", Assert.Throws<ShapeException>(() => x.Gather(1, Tensor.FromArray([0.0, 1, 0], 3, 1))).Message, StringComparison.Ordinal);
        Assert.Contains("larger than the source", Assert.Throws<ShapeException>(() => x.ScatterAdd(1, Tensor.FromArray([0.0, 1, 0, 1], 2, 2), Tensor.FromArray([1.0, 2], 2, 1))).Message, StringComparison.Ordinal);
        Assert.Contains("equal or one of them 1", Assert.Throws<ShapeException>(() => x.TakeAlongAxis(Tensor.FromArray([0.0, 1, 0], 3, 1), 1)).Message, StringComparison.Ordinal);
    }

    /// <summary>Reruns the script when python3 with torch is installed (CI installs it) and checks the committed fixture.</summary>
    [SkippableFact]
    public void CommittedFixtureIsReproducedByTheScript()
    {
        string? python = new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists);
        Requires.That(python is not null && ChildProcess.Run(python, ["-c", "import torch"]).Code == 0, "python3 with torch (sudo apt-get install python3-torch)");
        output.WriteLine($"regenerating the fixture with {python}");
        string fresh = Path.Combine(Path.GetTempPath(), $"descent-gather-{Guid.NewGuid():N}.json");
        try
        {
            Assert.Equal(0, ChildProcess.Run(python, [Path.Combine(FixtureDirectory, "make_gather_fixtures.py"), fresh]).Code);
            using var committed = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "gather.json")));
            using var regenerated = JsonDocument.Parse(File.ReadAllText(fresh));
            Assert.Equal(committed.RootElement.GetRawText(), regenerated.RootElement.GetRawText());
        }
        finally
        {
            File.Delete(fresh);
        }
    }

}
