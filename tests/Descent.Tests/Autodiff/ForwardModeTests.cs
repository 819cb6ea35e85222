using CsCheck;
using Descent.Tests.Ops;
using Xunit.Abstractions;

namespace Descent.Tests.Autodiff;

/// <summary>
/// Forward mode on tensors (<see cref="Autograd.Jvp{T}(Func{Tensor{T}[], Tensor{T}}, Tensor{T}[], Tensor{T}[])"/>) for
/// every primitive of the registry, on its random shapes and values: the JVP against central finite differences along
/// the tangent, and against reverse mode through the adjoint identity ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ for a random u.
/// </summary>
public class ForwardModeTests(ITestOutputHelper output)
{
    public static TheoryData<string> Ops()
    {
        var data = new TheoryData<string>();
        foreach (var spec in OpRegistry.All) data.Add(spec.Name);
        return data;
    }

    private static double Dot(Tensor<double> a, Tensor<double> b) => a.ToArray().Zip(b.ToArray(), (x, y) => x * y).Sum();

    [Theory]
    [MemberData(nameof(Ops))]
    public void JvpMatchesFiniteDifferencesAndReverseMode(string op)
    {
        var spec = OpRegistry.Get(op);
        var pcg = new PCG(3, (ulong)op.Aggregate(17L, (h, ch) => (h * 31 + ch) % 1_000_003));
        var random = new Random(7);
        int declared = 0, transposed = 0;
        for (int sample = 0; sample < 6; sample++)
        {
            var c = spec.Cases.Generate(pcg, null, out _);
            string where = $"{op}, sample {sample}: {c.Description}";
            var xs = c.Inputs.Select(x => x.Detach()).ToArray();
            var vs = xs.Select(x => OpHarness.Make(Enumerable.Range(0, x.Size).Select(_ => random.NextDouble() * 2 - 1).ToArray(), x.ShapeArray)).ToArray();
            var (jv, d, t) = Autograd.JvpWithCounts(c.Function, xs, vs);
            declared += d;
            transposed += t;
            Tensor<double> y;
            using (Autograd.NoGrad()) y = c.Function(xs);
            Assert.Equal(y.ShapeArray, jv.ShapeArray);

            // Central differences along v (non-smooth ops are drawn away from their kinks; h is far smaller than that margin).
            const double h = 1e-6;
            Tensor<double> plus, minus;
            using (Autograd.NoGrad())
            {
                plus = c.Function(xs.Zip(vs, (x, v) => x + v * h).ToArray());
                minus = c.Function(xs.Zip(vs, (x, v) => x - v * h).ToArray());
            }
            var numeric = (plus - minus) / (2 * h);
            OpHarness.AssertClose(numeric, jv, 1e-5, where + " (finite differences)");

            // ⟨u, J·v⟩ = Σᵢ ⟨(Jᵀ·u)ᵢ, vᵢ⟩ with Jᵀ·u from the reverse pass.
            var u = OpHarness.Make(Enumerable.Range(0, y.Size).Select(_ => random.NextDouble() * 2 - 1).ToArray(), y.ShapeArray);
            var leaves = xs.Select(x => x.Clone().WithGrad()).ToArray();
            var result = c.Function(leaves);
            double adjoint = result.RequiresGrad ? Autograd.Grad(result, leaves, u).Zip(vs, Dot).Sum() : 0;
            double forward = Dot(u, jv);
            Assert.True(Math.Abs(forward - adjoint) <= 1e-10 * Math.Max(1, Math.Abs(forward)), $"{where}: ⟨u, Jv⟩ = {forward:R} but ⟨Jᵀu, v⟩ = {adjoint:R}");
        }
        output.WriteLine($"{op}: {declared} nodes used a declared JVP, {transposed} the transpose of their VJP");
    }

    [Fact]
    public void JvpOfAComposition()
    {
        var x = Tensor.FromArray([0.5, -1.0, 2.0]);
        var (y, dy) = Autograd.Jvp(t => t.Sin() * t, x, Tensor.FromArray([1.0, 0, 2]));
        for (int i = 0; i < 3; i++) Assert.Equal(Math.Sin(x.ToArray()[i]) * x.ToArray()[i], y.ToArray()[i], 14);
        var expected = new[] { Math.Cos(0.5) * 0.5 + Math.Sin(0.5), 0, 2 * (Math.Cos(2) * 2 + Math.Sin(2)) };
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], dy.ToArray()[i], 14);
        Assert.False(x.RequiresGrad); // the caller's tensor is left as it was
        Assert.Throws<ShapeException>(() => Autograd.Jvp(t => t.Sin(), x, Tensor.FromArray([1.0, 2])));
    }

    [Fact]
    public void SoftmaxCrossEntropyDeclaresItsJvp()
    {
        var logits = Tensor.FromArray([0.3, -1.2, 2.5, 0.7, -0.4, 1.1, 0.2, 0.9, -0.6], 3, 3);
        var labels = Tensor.FromArray([2.0, 0, 1]);
        var v = Tensor.FromArray([0.5, -0.25, 1, -1, 0.75, 0.1, 0.3, -0.6, 0.2], 3, 3);
        var (jv, declared, transposed) = Autograd.JvpWithCounts(xs => Descent.Learning.Losses.Loss.SoftmaxCrossEntropy(xs[0], labels), [logits], [v]);
        Assert.Equal(0, transposed);
        Assert.True(declared > 0);
        const double h = 1e-6;
        double numeric = (Descent.Learning.Losses.Loss.SoftmaxCrossEntropy(logits + v * h, labels).Item() - Descent.Learning.Losses.Loss.SoftmaxCrossEntropy(logits - v * h, labels).Item()) / (2 * h);
        Assert.Equal(numeric, jv.Item(), 8);
    }

    [Theory]
    [InlineData(JacobianMode.Forward)]
    [InlineData(JacobianMode.Reverse)]
    [InlineData(JacobianMode.Auto)]
    public void JacobianIsTheSameEitherWay(JacobianMode mode)
    {
        // f(x) = [x₀x₁, sin x₁, x₀², x₀ + x₁] (two inputs, four outputs: Auto picks forward).
        var x = Tensor.FromArray([0.7, -1.3]);
        var j = Autograd.Jacobian(t => Tensor<double>.Stack(0, t[0] * t[1], t[1].Sin(), t[0].Square(), t[0] + t[1]), x, mode);
        Assert.Equal([4, 2], j.ShapeArray);
        double[] expected = [-1.3, 0.7, 0, Math.Cos(-1.3), 1.4, 0, 1, 1];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], j.ToArray()[i], 14);
        // A matrix function of a matrix: the Jacobian of X ↦ XᵀX has shape [2, 2, 3, 2].
        var m = Tensor.FromArray([1.0, 2, -1, 0.5, 3, -2], 3, 2);
        var forward = Autograd.Jacobian(t => t.Transpose().MatMul(t), m, JacobianMode.Forward);
        var reverse = Autograd.Jacobian(t => t.Transpose().MatMul(t), m, JacobianMode.Reverse);
        Assert.Equal([2, 2, 3, 2], forward.ShapeArray);
        OpHarness.AssertClose(reverse, forward, 1e-14);
    }
}
