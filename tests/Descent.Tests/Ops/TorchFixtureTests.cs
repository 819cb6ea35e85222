using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;
using T = Descent.Tensor<double>;

namespace Descent.Tests.Ops;

/// <summary>
/// Descent against PyTorch (float64): values and gradients of sum(result · w) for the literal inputs of
/// Fixtures/make_op_fixtures.py, stored in Fixtures/ops.json. The oracle of micrograd's tests, as a committed fixture.
/// </summary>
public class TorchFixtureTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-12;

    private static readonly TensorIndex All = TensorIndex.All;

    private static readonly Dictionary<string, Func<T[], T>> Ops = new()
    {
        ["exp"] = x => x[0].Exp(), ["log"] = x => x[0].Log(), ["log1p"] = x => x[0].Log1P(), ["expm1"] = x => x[0].ExpM1(),
        ["sqrt"] = x => x[0].Sqrt(), ["square"] = x => x[0].Square(), ["abs"] = x => x[0].Abs(), ["negate"] = x => -x[0],
        ["pow2.5"] = x => x[0].Pow(2.5), ["sin"] = x => x[0].Sin(), ["cos"] = x => x[0].Cos(), ["tan"] = x => x[0].Tan(),
        ["asin"] = x => x[0].Asin(), ["acos"] = x => x[0].Acos(), ["atan"] = x => x[0].Atan(), ["sinh"] = x => x[0].Sinh(),
        ["cosh"] = x => x[0].Cosh(), ["tanh"] = x => x[0].Tanh(), ["sinc"] = x => x[0].Sinc(), ["sigmoid"] = x => x[0].Sigmoid(),
        ["softplus"] = x => x[0].Softplus(), ["relu"] = x => x[0].Relu(), ["leaky_relu"] = x => x[0].LeakyRelu(0.1),
        ["clip"] = x => x[0].Clip(-1, 1),

        ["add"] = x => x[0] + x[1], ["subtract"] = x => x[0] - x[1], ["multiply"] = x => x[0] * x[1], ["divide"] = x => x[0] / x[1],
        ["pow"] = x => x[0].Pow(x[1]), ["maximum"] = x => T.Maximum(x[0], x[1]), ["minimum"] = x => T.Minimum(x[0], x[1]),

        ["sum"] = x => x[0].Sum(), ["sum_1_keep"] = x => x[0].Sum(1, keepDims: true), ["sum_02"] = x => x[0].Sum([0, 2]),
        ["mean_m1"] = x => x[0].Mean(-1), ["max_1"] = x => x[0].Max(1), ["min_02_keep"] = x => x[0].Min([0, 2], keepDims: true),
        ["prod_2"] = x => x[0].Prod([2]), ["prod_zero"] = x => x[0].Prod([2]), ["var_1"] = x => x[0].Variance([1]),
        ["var_all_unbiased"] = x => x[0].Variance(correction: 1), ["std_2"] = x => x[0].Std([2], correction: 1),
        ["logsumexp_2"] = x => x[0].LogSumExp(2), ["logsumexp_01_keep"] = x => x[0].LogSumExp([0, 1], keepDims: true),

        ["softmax_m1"] = x => x[0].Softmax(-1), ["softmax_0"] = x => x[0].Softmax(0),
        ["log_softmax_1"] = x => x[0].LogSoftmax(1), ["log_softmax_m1"] = x => x[0].LogSoftmax(-1),

        ["matmul_batch"] = x => x[0].MatMul(x[1]), ["matmul_matrix"] = x => x[0].MatMul(x[1]),
        ["matmul_vector_matrix"] = x => x[0].MatMul(x[1]), ["matmul_matrix_vector"] = x => x[0].MatMul(x[1]),
        ["matmul_vector_vector"] = x => x[0].MatMul(x[1]),

        ["slice"] = x => x[0][1, 0..2], ["slice_from_end"] = x => x[0][^1, All, 1..],
        ["index_select"] = x => x[0].IndexSelect(2, 3, 0, 3, 1),
        ["masked_select"] = x => x[0].MaskedSelect([true, false, true, false, true, true]),
        ["concat"] = x => T.Concat(0, x[0], x[1], x[0]), ["stack"] = x => T.Stack(1, x[0], x[1]),
        ["where"] = x => T.Where(Tensor.FromArray([1.0, 0, 1, 0, 0, 1], 2, 3), x[0], x[1]),
        ["permute"] = x => x[0].Permute(2, 0, 1), ["reshape"] = x => x[0].Reshape(4, 6),

        ["norm1"] = x => x[0].Norm(1), ["norm2"] = x => x[0].Norm(), ["norm3_2"] = x => x[0].Norm(3, [2]),
        ["norminf_1"] = x => x[0].Norm(double.PositiveInfinity, [1]),
        ["matrix_fro"] = x => x[0].MatrixNorm(), ["matrix_1"] = x => x[0].MatrixNorm("1"), ["matrix_inf"] = x => x[0].MatrixNorm("inf"),

        // Binary cross-entropy with logits z: softplus(z) − y·z, averaged.
        ["logistic_regression"] = x =>
        {
            var z = x[2].MatMul(x[0]) + x[1];
            return (z.Softplus() - x[3] * z).Mean();
        },
    };

    private static string FixtureDirectory => Path.Combine(AppContext.BaseDirectory, "Ops", "Fixtures");

    public static TheoryData<string> Families()
    {
        var data = new TheoryData<string>();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "ops.json")));
        foreach (var family in doc.RootElement.EnumerateObject()) data.Add(family.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void ValuesAndGradientsMatchPyTorch(string family)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "ops.json")));
        foreach (var c in doc.RootElement.GetProperty(family).EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            Assert.True(Ops.ContainsKey(name), $"No Descent op is mapped to the fixture case '{name}'.");
            var inputs = c.GetProperty("inputs").EnumerateArray().Select(Read).Select(t => t.WithGrad()).ToArray();
            var result = Ops[name](inputs);
            OpHarness.AssertClose(Read(c.GetProperty("output")), result, Tolerance, $"{family}/{name} value");
            var weights = Tensor.FromArray(Enumerable.Range(0, result.Size).Select(i => 1 + 0.5 * Math.Sin(i + 1)).ToArray(), result.ShapeArray);
            if (result.Rank == 0) weights = weights.Reshape();
            var grads = Autograd.Grad((result * weights).Sum(), inputs);
            var expected = c.GetProperty("grads").EnumerateArray().Select(Read).ToArray();
            for (int i = 0; i < inputs.Length; i++)
                OpHarness.AssertClose(expected[i], grads[i], Tolerance, $"{family}/{name} gradient of input {i}");
        }
    }

    [Fact]
    public void EveryMappedOpHasAFixtureCase()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "ops.json")));
        var names = doc.RootElement.EnumerateObject().SelectMany(f => f.Value.EnumerateArray()).Select(c => c.GetProperty("name").GetString()).ToHashSet();
        Assert.DoesNotContain(Ops.Keys, k => !names.Contains(k));
    }

    /// <summary>
    /// Reruns the script when python3 with torch is installed (CI installs it) and checks the committed fixture is what
    /// it produces. Without them the test is skipped (it fails when CI is set).
    /// </summary>
    [SkippableFact]
    public void CommittedFixtureIsReproducedByTheScript()
    {
        string? python = new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists);
        Requires.That(python is not null && ChildProcess.Run(python, ["-c", "import torch"]).Code == 0, "python3 with torch (sudo apt-get install python3-torch)");
        output.WriteLine($"regenerating the fixture with {python}");
        string fresh = Path.Combine(Path.GetTempPath(), $"descent-ops-{Guid.NewGuid():N}.json");
        try
        {
            Assert.Equal(0, ChildProcess.Run(python, [Path.Combine(FixtureDirectory, "make_op_fixtures.py"), fresh]).Code);
            using var committed = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "ops.json")));
            using var regenerated = JsonDocument.Parse(File.ReadAllText(fresh));
            var a = Flatten(committed.RootElement).ToArray();
            var b = Flatten(regenerated.RootElement).ToArray();
            Assert.Equal(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++)
                Assert.True(a[i].Path == b[i].Path && Math.Abs(a[i].Value - b[i].Value) <= Tolerance * Math.Max(1, Math.Abs(a[i].Value)),
                    $"The committed fixture differs from the script's output at {a[i].Path}: {a[i].Value:R} vs {b[i].Value:R}. Rerun make_op_fixtures.py.");
        }
        finally
        {
            File.Delete(fresh);
        }
    }


    private static IEnumerable<(string Path, double Value)> Flatten(JsonElement e, string path = "")
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                    foreach (var v in Flatten(p.Value, path + "/" + p.Name)) yield return v;
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray())
                    foreach (var v in Flatten(item, path + "/" + i++)) yield return v;
                break;
            case JsonValueKind.Number:
                yield return (path, e.GetDouble());
                break;
            case JsonValueKind.String:
                yield return (path + "=" + e.GetString(), 0);
                break;
        }
    }

    private static T Read(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var data = e.GetProperty("data").EnumerateArray().Select(d => d.GetDouble()).ToArray();
        return OpHarness.Make(data, shape);
    }
}
