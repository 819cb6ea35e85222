using System.Numerics.Tensors;
using Descent.Kernels;
using Descent.Optimization;

namespace Descent.Tests.Optimization;

/// <summary>
/// Parameter updates split across the cores (from <see cref="Descent.Kernels.Split.InPlaceThreshold"/> elements: the optimizer's step,
/// <c>SubtractInPlace</c>) give the same bits as the update element by element on one thread.
/// </summary>
public class SplitUpdateTests
{
    /// <summary>Sizes below, at and well above the split threshold (the MLP's 784×128 weights among them).</summary>
    public static TheoryData<int> Sizes() => [1, 1000, Descent.Kernels.Split.InPlaceThreshold - 1, Descent.Kernels.Split.InPlaceThreshold, 784 * 128, 300_007];

    private static float[] RandomFloats(int n, int seed, float scale = 1)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1) * scale;
        return a;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ScaleThenAdd_equals_the_two_passes_bit_for_bit(int n)
    {
        float[] g = RandomFloats(n, 1), v = RandomFloats(n, 2), u = new float[n];
        const float factor = -0.1f;
        float[] expectedU = new float[n], expectedV = (float[])v.Clone();
        for (int i = 0; i < n; i++)
        {
            expectedU[i] = g[i] * factor;
            expectedV[i] += expectedU[i];
        }
        ElementWise.ScaleThenAdd<float>(g, factor, u, v);
        Assert.Equal(expectedU, u);
        Assert.Equal(expectedV, v);

        // Without values: the scaling alone; then AddInPlace adds it.
        var u2 = new float[n];
        var v2 = RandomFloats(n, 2);
        ElementWise.ScaleThenAdd<float>(g, factor, u2, Span<float>.Empty);
        Assert.Equal(expectedU, u2);
        ElementWise.AddInPlace<float>(v2, u2);
        Assert.Equal(expectedV, v2);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void SubtractInPlace_equals_the_element_by_element_update(int n)
    {
        float[] w = RandomFloats(n, 3), g = RandomFloats(n, 4);
        var expected = new float[n];
        for (int i = 0; i < n; i++) expected[i] = g[i] * -0.05f + w[i]; // two roundings, as TensorPrimitives.MultiplyAdd
        var weights = Tensor.FromArray(w, n);
        weights.SubtractInPlace(Tensor.FromArray(g, n), 0.05f);
        Assert.Equal(expected, weights.Data.ToArray());
    }

    public static TheoryData<string> Transforms() => ["gradient descent", "sgd momentum", "adam", "rms"];

    private static IGradientTransform<float> Make(string name) => name switch
    {
        "gradient descent" => Optimizers.GradientDescent<float>(0.1),
        "sgd momentum" => Optimizers.Sgd<float>(0.05, momentum: 0.9, weightDecay: 1e-3),
        "adam" => Optimizers.Adam<float>(1e-3, amsgrad: true),
        _ => Optimizers.RmsProp<float>(1e-2, momentum: 0.5),
    };

    [Theory]
    [MemberData(nameof(Transforms))]
    public void One_large_parameter_steps_like_many_small_ones(string transform)
    {
        // 200K values as one parameter (split across the cores) and as 200 parameters of 1000 (each below the
        // threshold, one thread): every update is element-wise, so the values after three steps are the same bits.
        const int pieces = 200, piece = 1000, n = pieces * piece;
        float[] start = RandomFloats(n, 5);
        var large = new ArrayParameter<float>((float[])start.Clone());
        var small = Enumerable.Range(0, pieces).Select(p => new ArrayParameter<float>(start.AsSpan(p * piece, piece).ToArray())).ToArray();
        var largeOptimizer = new Optimizer<float>([large], Make(transform));
        var smallOptimizer = new Optimizer<float>(small, Make(transform));
        for (int step = 0; step < 3; step++)
        {
            float[] g = RandomFloats(n, 10 + step, scale: 0.5f);
            g.CopyTo(large.Grad, 0);
            for (int p = 0; p < pieces; p++) g.AsSpan(p * piece, piece).CopyTo(small[p].Grad);
            largeOptimizer.Step();
            smallOptimizer.Step();
        }
        var joined = small.SelectMany(p => p.Data).ToArray();
        Assert.Equal(joined, large.Data);
        Assert.NotEqual(start, large.Data); // the steps moved the values
        Assert.Equal(0.0, TensorPrimitives.Distance<float>(joined, large.Data));
    }
}
