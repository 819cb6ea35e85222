using System.Diagnostics;
using System.Text.Json;
using Descent.Learning.Modules;
using Descent.Tests.Ops;
using Xunit.Abstractions;
using T = Descent.Tensor<double>;

namespace Descent.Tests.Learning.Modules;

/// <summary>
/// The convolutional layers against PyTorch (float64): values and gradients of sum(result · w) with respect to the input
/// and every parameter, for the deterministic inputs of Ops/Fixtures/make_conv_fixtures.py stored in Ops/Fixtures/conv.json;
/// batch norm in training mode (and its running statistics after the step) and in evaluation mode.
/// </summary>
public class ConvolutionalLayerFixtureTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-11;

    private static string FixtureDirectory => Path.Combine(AppContext.BaseDirectory, "Ops", "Fixtures");

    /// <summary>Each case: the layer, with its parameters set from the fixture's inputs 1…, and the tensors to differentiate.</summary>
    private static readonly Dictionary<string, Func<T[], (Module<double> Layer, T[] Parameters)>> Layers = new()
    {
        ["conv2d_pad1_bias"] = xs => Conv(new Conv2d<double>(3, 4, 3, padding: 1), xs),
        ["conv2d_stride_dilation"] = xs => Conv(new Conv2d<double>(2, 3, (3, 2), (2, 1), ConvPadding.Symmetric(1, 2), (1, 2), bias: false), xs),
        ["conv2d_groups"] = xs => Conv(new Conv2d<double>(4, 6, 3, stride: 2, groups: 2), xs),
        ["conv2d_depthwise"] = xs => Conv(new Conv2d<double>(3, 3, 3, padding: 1, groups: 3, bias: false), xs),
        ["conv2d_same"] = xs => Conv(new Conv2d<double>(2, 2, (4, 3), (1, 1), ConvPadding.Same, (1, 1), bias: false), xs),
        ["conv1d"] = xs =>
        {
            var layer = new Conv1d<double>(3, 4, 3, stride: 2, padding: 1);
            layer.Weight.CopyFrom(xs[1]);
            layer.Bias!.CopyFrom(xs[2]);
            return (layer, [layer.Weight, layer.Bias]);
        },
        ["max_pool2d"] = _ => (new MaxPool2d<double>(3, 2, 1), []),
        ["avg_pool2d"] = _ => (new AvgPool2d<double>(3, 2, 1), []),
        ["adaptive_avg_pool2d"] = _ => (new AdaptiveAvgPool2d<double>(3, 2), []),
        ["flatten"] = _ => (new Flatten<double>(), []),
        ["batch_norm2d_train"] = xs => Norm(new BatchNorm2d<double>(3), xs, training: true),
        ["batch_norm2d_eval"] = xs => Norm(new BatchNorm2d<double>(3), xs, training: false),
        ["batch_norm1d_train"] = xs => Norm(new BatchNorm1d<double>(4), xs, training: true),
        ["batch_norm1d_eval"] = xs => Norm(new BatchNorm1d<double>(4), xs, training: false),
    };

    private static (Module<double>, T[]) Conv(Conv2d<double> layer, T[] xs)
    {
        layer.Weight.CopyFrom(xs[1]);
        if (layer.Bias is not null) layer.Bias.CopyFrom(xs[2]);
        return (layer, layer.Bias is null ? [layer.Weight] : [layer.Weight, layer.Bias]);
    }

    private static (Module<double>, T[]) Norm(BatchNorm<double> layer, T[] xs, bool training)
    {
        layer.Weight!.CopyFrom(xs[1]);
        layer.Bias!.CopyFrom(xs[2]);
        if (!training)
        {
            // The running statistics the script set (seeds 7 and 8).
            int c = layer.Channels;
            layer.RunningMean.CopyFrom(Tensor.FromArray(Enumerable.Range(0, c).Select(i => 0.5 * Math.Sin(1.7 * i + 7)).ToArray()));
            layer.RunningVar.CopyFrom(Tensor.FromArray(Enumerable.Range(0, c).Select(i => 1.0 + 0.3 * Math.Sin(1.7 * i + 8)).ToArray()));
            layer.Eval();
        }
        return (layer, [layer.Weight, layer.Bias]);
    }

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "conv.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ValuesGradientsAndRunningStatisticsMatchPyTorch(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "conv.json")));
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        Assert.True(Layers.ContainsKey(name), $"No layer is mapped to the fixture case '{name}'.");
        var inputs = c.GetProperty("inputs").EnumerateArray().Select(Read).ToArray();
        var (layer, parameters) = Layers[name](inputs);
        var x = inputs[0].WithGrad();
        var result = layer.Forward(x);
        OpHarness.AssertClose(Read(c.GetProperty("output")), result, Tolerance, $"{name} value");
        var weights = Tensor.FromArray(Enumerable.Range(0, result.Size).Select(i => 1 + 0.5 * Math.Sin(i + 1)).ToArray(), result.ShapeArray);
        var grads = Autograd.Grad((result * weights).Sum(), [x, .. parameters]);
        var expected = c.GetProperty("grads").EnumerateArray().Select(Read).ToArray();
        for (int i = 0; i < grads.Length; i++)
            OpHarness.AssertClose(expected[i], grads[i], Tolerance, $"{name} gradient of input {i}");
        if (layer is BatchNorm<double> bn && bn.IsTraining)
        {
            var state = c.GetProperty("state");
            OpHarness.AssertClose(Read(state.GetProperty("running_mean")), bn.RunningMean, Tolerance, $"{name} running mean");
            OpHarness.AssertClose(Read(state.GetProperty("running_var")), bn.RunningVar, Tolerance, $"{name} running variance");
        }
    }

    /// <summary>Reruns the script when python3 with torch is installed (CI installs it) and checks the committed fixture is what it produces.</summary>
    [SkippableFact]
    public void CommittedFixtureIsReproducedByTheScript()
    {
        string? python = new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists);
        Requires.That(python is not null && ChildProcess.Run(python, ["-c", "import torch"]).Code == 0, "python3 with torch (sudo apt-get install python3-torch)");
        output.WriteLine($"regenerating the fixture with {python}");
        string fresh = Path.Combine(Path.GetTempPath(), $"descent-conv-{Guid.NewGuid():N}.json");
        try
        {
            Assert.Equal(0, ChildProcess.Run(python, [Path.Combine(FixtureDirectory, "make_conv_fixtures.py"), fresh]).Code);
            var a = Numbers(File.ReadAllText(Path.Combine(FixtureDirectory, "conv.json")));
            var b = Numbers(File.ReadAllText(fresh));
            Assert.Equal(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-12 * Math.Max(1, Math.Abs(a[i])), $"The committed conv.json differs from the script's output at number {i}: {a[i]:R} vs {b[i]:R}. Rerun make_conv_fixtures.py.");
        }
        finally
        {
            File.Delete(fresh);
        }
    }

    private static double[] Numbers(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<double>();
        void Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) Walk(p.Value); break;
                case JsonValueKind.Array: foreach (var v in e.EnumerateArray()) Walk(v); break;
                case JsonValueKind.Number: list.Add(e.GetDouble()); break;
            }
        }
        Walk(doc.RootElement);
        return list.ToArray();
    }


    private static T Read(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var data = e.GetProperty("data").EnumerateArray().Select(d => d.GetDouble()).ToArray();
        return OpHarness.Make(data, shape);
    }
}
