using System.Reflection;
using CsCheck;
using Descent.Ops;

namespace Descent.Tests.Ops;

/// <summary>
/// Ops as data: every recorded node carries an immutable op record (the primitive's kind and parameters), which the
/// compiler and the graph drawing read instead of strings and closures.
/// </summary>
public class OpRecordTests
{
    public static TheoryData<string> AllOps => [.. OpRegistry.All.Select(s => s.Name)];

    /// <summary>Walks every node of the graph under <paramref name="root"/>.</summary>
    private static IEnumerable<global::Descent.Autodiff.Node<double>> Nodes(Tensor<double> root)
        => global::Descent.Autodiff.GraphOrder.PostOrder(root, static _ => true).Where(t => t.Node is not null).Select(t => t.Node!);

    [Theory]
    [MemberData(nameof(AllOps))]
    public void EveryRegisteredOpRecordsNodesThatCarryASealedOpRecord(string name)
    {
        var spec = OpRegistry.All.Single(s => s.Name == name);
        var c = spec.Cases.Generate(new PCG(1, 7), null, out _);
        var inputs = c.Inputs.Select(t => t.Clone().WithGrad()).ToArray();
        var y = c.Function(inputs);
        if (!y.RequiresGrad) return; // a constant result (nothing recorded)
        var nodes = Nodes(y).ToList();
        if (nodes.Count == 0) Assert.Contains(y, inputs); // a no-op case (broadcast to its own shape) returns its input
        foreach (var node in nodes)
        {
            var type = node.Op.GetType();
            Assert.True(type.IsSealed, $"{name}: the op record {type.Name} is not sealed");
            Assert.NotNull(type.GetMethod("<Clone>$")); // a C# record: immutable, compared by value
            Assert.Equal(node.Op.Name, node.Name);
            Assert.All(type.GetProperties(BindingFlags.Public | BindingFlags.Instance), p =>
                Assert.False(p.CanWrite && p.SetMethod!.ReturnParameter.GetRequiredCustomModifiers().All(m => m.Name != "IsExternalInit"),
                    $"{type.Name}.{p.Name} is settable"));
        }
    }

    [Fact]
    public void ParametersAreFieldsOfTheRecord()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3).WithGrad();
        Assert.Equal(new PowScalar<double>(3.0), x.Pow(3.0).Node!.Op);
        var sum = Assert.IsType<Sum<double>>(x.Sum(1).Node!.Op);
        Assert.Equal([1], sum.Axes.ToArray());
        Assert.False(sum.KeepDims);
        Assert.Equal("sum(axes=[1])", sum.Label);
        Assert.Equal([1, 0], Assert.IsType<Permute<double>>(x.Transpose().Node!.Op).Permutation.ToArray());
        Assert.Equal("pow(3)", x.Pow(3.0).Node!.Op.Label);
        Assert.Equal(new Clip<double>(0, 1), x.Clip(0, 1).Node!.Op);
        Assert.Equal(new LeakyRelu<double>(0.2), x.LeakyRelu(0.2).Node!.Op);
    }

    [Fact]
    public void FusedLinearIsOnePrimitiveEqualToItsComposition()
    {
        var x = Tensor.RandomNormal<double>([5, 3], 1).WithGrad();
        var w = Tensor.RandomNormal<double>([3, 4], 2).WithGrad();
        var b = Tensor.RandomNormal<double>([4], 3).WithGrad();
        var upstream = Tensor.RandomNormal<double>([5, 4], 4);
        static bool Close(double p, double q) => Math.Abs(p - q) <= 1e-12 * Math.Max(1, Math.Abs(p));
        foreach (bool relu in new[] { false, true })
        {
            Tensor<double> Fused() => Tensor<double>.Linear(x, w, b, relu);
            Tensor<double> Composed() => relu ? (x.MatMul(w) + b).Relu() : x.MatMul(w) + b;
            Assert.Equal(new Descent.Ops.Linear<double>(relu), Fused().Node!.Op);
            Assert.Equal(Composed().ToArray(), Fused().ToArray());

            var gf = Autograd.Grad((Fused() * upstream).Sum(), [x, w, b]);
            var gc = Autograd.Grad((Composed() * upstream).Sum(), [x, w, b]);
            for (int i = 0; i < 3; i++) Assert.Equal(gc[i].ToArray(), gf[i].ToArray(), Close);

            // Differentiated twice (the recorded backward pass): the same second derivatives.
            var hf = Autograd.Grad((Autograd.Grad(Fused().Square().Sum(), [w], createGraph: true)[0] * upstream[..3]).Sum(), [x]);
            var hc = Autograd.Grad((Autograd.Grad(Composed().Square().Sum(), [w], createGraph: true)[0] * upstream[..3]).Sum(), [x]);
            Assert.Equal(hc[0].ToArray(), hf[0].ToArray(), Close);
        }
    }

    [Fact]
    public void FusedConvReluIsOnePrimitiveEqualToItsComposition()
    {
        // float32 and "same" padding, as the default CNN; the plain backward pass (the fused kernel, the ReLU mask applied
        // while the gradient is copied) must give the composition's gradients bit for bit.
        var x = Tensor.RandomNormal<float>([3, 2, 7, 6], 1).WithGrad();
        var w = Tensor.RandomNormal<float>([4, 2, 3, 3], 2).WithGrad();
        var b = Tensor.RandomNormal<float>([4], 3).WithGrad();
        var upstream = Tensor.RandomNormal<float>([3, 4, 7, 6], 4);
        Tensor<float> Fused() => Tensor<float>.Conv2dRelu(x, w, b, (1, 1), 1, (1, 1), 1);
        Tensor<float> Composed() => Tensor<float>.Conv2d(x, w, b, padding: 1).Relu();
        Assert.Equal("conv2d_relu", Fused().Node!.Op.Name);
        Assert.Equal(Composed().ToArray(), Fused().ToArray());
        Assert.Contains(0f, Fused().ToArray());

        float[][] Grads(Func<Tensor<float>> f)
        {
            foreach (var t in new[] { x, w, b }) t.ZeroGrad();
            (f() * upstream).Sum().Backward();
            return [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        }
        var gf = Grads(Fused);
        var gc = Grads(Composed);
        for (int i = 0; i < 3; i++) Assert.Equal(gc[i], gf[i]);

        // Differentiated twice (the recorded backward pass) and forward mode: the composition's derivatives.
        static bool Close(float p, float q) => Math.Abs(p - q) <= 1e-4f * Math.Max(1, Math.Abs(p));
        var hf = Autograd.Grad((Autograd.Grad(Fused().Square().Sum(), [w], createGraph: true)[0] * w).Sum(), [x]);
        var hc = Autograd.Grad((Autograd.Grad(Composed().Square().Sum(), [w], createGraph: true)[0] * w).Sum(), [x]);
        Assert.Equal(hc[0].ToArray(), hf[0].ToArray(), Close);
        var v = Tensor.RandomNormal<float>([4, 2, 3, 3], 5);
        var jf = Autograd.Jvp(ww => (Tensor<float>.Conv2dRelu(x, ww, b, (1, 1), 1, (1, 1), 1) * upstream).Sum(), w, v);
        var jc = Autograd.Jvp(ww => (Tensor<float>.Conv2d(x, ww, b, padding: 1).Relu() * upstream).Sum(), w, v);
        Assert.True(Close(jc.Tangent.Item(), jf.Tangent.Item()), $"{jf.Tangent.Item()} != {jc.Tangent.Item()}");
    }

    [Theory]
    [InlineData(1, 14, 3)]   // one input channel (9 rows of columns: the batched path in the composition)
    [InlineData(4, 8, 5)]    // 36 rows: the per-image path on both sides, so the gradients are the same sums
    public void FusedConvReluMaxPoolIsOnePrimitiveEqualToItsComposition(int channels, int size, int images)
    {
        // float32, "same" padding and a 2×2 pool, as the default CNN.
        var x = Tensor.RandomNormal<float>([images, channels, size, size], 1).WithGrad();
        var w = Tensor.RandomNormal<float>([6, channels, 3, 3], 2).WithGrad();
        var b = Tensor.RandomNormal<float>([6], 3).WithGrad();
        var upstream = Tensor.RandomNormal<float>([images, 6, size / 2, size / 2], 4);
        Tensor<float> Fused() => Tensor<float>.Conv2dReluMaxPool(x, w, b, (1, 1), 1, (1, 1), 1, (2, 2), (2, 2), (0, 0));
        Tensor<float> Composed() => Tensor<float>.Conv2d(x, w, b, padding: 1).Relu().MaxPool2d(2);
        // With 16 rows of columns or more both sides run the per-image products: the same values and gradients bit for
        // bit. The composition's thin layer (9 rows) runs one batched product instead, whose sums differ in the last bits.
        bool exact = channels * 9 >= 16;
        static bool Close(float p, float q) => Math.Abs(p - q) <= 1e-4f * Math.Max(1, Math.Abs(p));
        Assert.Equal("conv2d_relu_max_pool2d", Fused().Node!.Op.Name);
        if (exact) Assert.Equal(Composed().ToArray(), Fused().ToArray());
        else Assert.Equal(Composed().ToArray(), Fused().ToArray(), Close);
        Assert.Contains(0f, Fused().ToArray());

        float[][] Grads(Func<Tensor<float>> f)
        {
            foreach (var t in new[] { x, w, b }) t.ZeroGrad();
            (f() * upstream).Sum().Backward();
            return [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        }
        var gf = Grads(Fused);
        var gc = Grads(Composed);
        for (int i = 0; i < 3; i++)
        {
            if (exact) Assert.Equal(gc[i], gf[i]);
            else Assert.Equal(gc[i], gf[i], Close);
        }

        // Differentiated twice (the recorded backward pass) and forward mode: the composition's derivatives.
        var hf = Autograd.Grad((Autograd.Grad(Fused().Square().Sum(), [w], createGraph: true)[0] * w).Sum(), [x]);
        var hc = Autograd.Grad((Autograd.Grad(Composed().Square().Sum(), [w], createGraph: true)[0] * w).Sum(), [x]);
        Assert.Equal(hc[0].ToArray(), hf[0].ToArray(), Close);
        var v = Tensor.RandomNormal<float>([6, channels, 3, 3], 5);
        var jf = Autograd.Jvp(ww => (Tensor<float>.Conv2dReluMaxPool(x, ww, b, (1, 1), 1, (1, 1), 1, (2, 2), (2, 2), (0, 0)) * upstream).Sum(), w, v);
        var jc = Autograd.Jvp(ww => (Tensor<float>.Conv2d(x, ww, b, padding: 1).Relu().MaxPool2d(2) * upstream).Sum(), w, v);
        Assert.True(Close(jc.Tangent.Item(), jf.Tangent.Item()), $"{jf.Tangent.Item()} != {jc.Tangent.Item()}");
    }

    [Fact]
    public void TheDefaultCnnRunsConvReluMaxPoolAsOnePrimitive()
    {
        var model = new global::Descent.Learning.Modules.Cnn<float>([1, 28, 28], 10, seed: 1);
        var y = model.Forward(Tensor.RandomUniform<float>([2, 784], 1));
        var ops = global::Descent.Autodiff.GraphOrder.PostOrder(y, static _ => true).Where(t => t.Node is not null).Select(t => t.Node!.Op.Name).ToList();
        Assert.Equal(2, ops.Count(n => n == "conv2d_relu_max_pool2d"));
        Assert.DoesNotContain("max_pool2d", ops);
        Assert.DoesNotContain("conv2d_relu", ops);
    }

    [Fact]
    public void TheCompilerReadsTheRecordsParameters()
    {
        // pow's exponent and sum's axes come from the records (nothing is recovered by re-running a VJP).
        var x = Tensor.FromArray(new[] { 0.5, 1.5, 2.0, 2.5, 3.0, 0.25 }, 2, 3).WithGrad();
        var compiled = Autograd.Compile(() => x.Pow(2.5).Sum(0).Pow(3.0).Sum());
        double loss = compiled.Backward();
        var grad = x.Grad!.ToArray();
        x.ZeroGrad();
        var eager = x.Pow(2.5).Sum(0).Pow(3.0).Sum();
        eager.Backward();
        Assert.Equal(eager.Item(), loss);
        Assert.Equal(x.Grad!.ToArray(), grad);
    }

    [Fact]
    public void AnOpWithoutACompiledFormIsNamedInTheError()
    {
        var x = Tensor.FromArray(new[] { 0.5, 1.5 }, 2).WithGrad();
        var e = Assert.Throws<NotSupportedException>(() => Autograd.Compile(() => x.Sin().Sum()));
        Assert.Contains("'sin'", e.Message, StringComparison.Ordinal);
    }
}
