namespace Descent.Tests.Autodiff;

/// <summary>
/// The eager engine's shortcuts for one-element problems (scalar VJPs added straight into the leaves' gradients, one
/// operation on leaves without the graph walk, a reused seed gradient) must give exactly what the tensor path gives.
/// The tensor path is the independent truth here: <c>Autograd.Grad</c> with <c>createGraph</c> records the backward
/// pass and so never takes the shortcuts; a hand-derived value checks both.
/// </summary>
public class ScalarFastPathTests
{
    public static TheoryData<string> Ops => new() { "add", "subtract", "multiply", "divide" };

    private static Tensor<double> Apply(string op, Tensor<double> a, Tensor<double> b) => op switch
    {
        "add" => a + b,
        "subtract" => a - b,
        "multiply" => a * b,
        _ => a / b,
    };

    [Theory]
    [MemberData(nameof(Ops))]
    public void One_element_gradients_equal_the_tensor_path_bit_for_bit(string op)
    {
        var rng = new Random(op.Length);
        for (int t = 0; t < 200; t++)
        {
            double x = rng.NextDouble() * 4 - 2, y = rng.NextDouble() * 4 + 0.25;
            var a = Tensor.Scalar(x).WithGrad();
            var b = Tensor.Scalar(y).WithGrad();
            // Twice, so the second pass adds into existing Grad buffers (and reuses the seed gradient).
            Apply(op, a, b).Backward();
            Apply(op, a, b).Backward();
            var ra = Tensor.Scalar(x).WithGrad();
            var rb = Tensor.Scalar(y).WithGrad();
            var refs = Autograd.Grad(Apply(op, ra, rb), [ra, rb], createGraph: true); // recorded: tensor VJPs only
            Assert.Equal(refs[0].Item() + refs[0].Item(), a.Grad!.Item());
            Assert.Equal(refs[1].Item() + refs[1].Item(), b.Grad!.Item());
            (double da, double db) = op switch
            {
                "add" => (1.0, 1.0),
                "subtract" => (1.0, -1.0),
                "multiply" => (y, x),
                _ => (1 / y, -(x / y) / y),
            };
            Assert.Equal(2 * da, a.Grad!.Item(), 12);
            Assert.Equal(2 * db, b.Grad!.Item(), 12);
        }
    }

    [Fact]
    public void The_seed_gradient_never_becomes_a_users_tensor()
    {
        // add passes the seed gradient through unchanged: the leaf must get a copy, so changing Grad (or the next
        // pass) cannot change the seed of later passes.
        var w = Tensor.Scalar(3.0).WithGrad();
        var c = Tensor.Scalar(5.0);
        (w + c).Backward();
        Assert.Equal(1.0, w.Grad!.Item());
        w.Grad!.Data[0] = 100;
        w.ZeroGrad();
        (w + c).Backward();
        (w - c).Backward();
        Assert.Equal(2.0, w.Grad!.Item());
        var v = Tensor.Scalar(2.0).WithGrad();
        (v * v).Backward();
        Assert.Equal(4.0, v.Grad!.Item());
    }

    [Fact]
    public void Second_order_still_records_the_scalar_operations()
    {
        var w = Tensor.Scalar(3.0).WithGrad();
        var g = Autograd.Grad(w * w * w, w, createGraph: true); // 3w² = 27
        Assert.Equal(27.0, g.Item());
        var h = Autograd.Grad(g, w); // 6w = 18
        Assert.Equal(18.0, h.Item());
    }

    [Fact]
    public void A_freed_single_operation_graph_still_throws()
    {
        var w = Tensor.Scalar(3.0).WithGrad();
        var loss = w * w;
        loss.Backward();
        Assert.Throws<GradientException>(() => loss.Backward());
        var kept = w * w;
        kept.Backward(retainGraph: true);
        kept.Backward();
        Assert.Equal(6.0 + 6.0 + 6.0, w.Grad!.Item());
    }

    [Fact]
    public void A_scalar_steps_freed_operation_stays_freed_inside_a_larger_graph()
    {
        // The fast path marks the operation recorded in the result; a node made from it later must be freed too.
        var w = Tensor.Scalar(3.0).WithGrad();
        var loss = w * w;
        loss.Backward();
        var bigger = (loss + w).Exp();
        var e = Assert.Throws<GradientException>(() => bigger.Backward());
        Assert.Contains("'multiply'", e.Message);
    }

    [Fact]
    public void A_scalar_operations_result_shows_its_operation_and_graph()
    {
        var w = Tensor.Scalar(3.0).WithGrad();
        w.Name = "w";
        var loss = w * w;
        Assert.False(loss.IsLeaf);
        Assert.True(w.IsLeaf);
        Assert.Equal("multiply", loss.Operation);
        Assert.Throws<InvalidOperationException>(() => loss.RequiresGrad = false);
        var graph = ComputationGraph.From(loss);
        Assert.Equal(2, graph.Nodes.Count); // w (used twice) and the product
        Assert.Single(graph.Nodes, n => !n.IsLeaf);
        loss.Backward(); // still the fast path after the graph was drawn (the node now exists)
        Assert.Equal(6.0, w.Grad!.Item());
    }

    [Fact]
    public void Recording_scopes_belong_to_their_thread()
    {
        var w = Tensor.Scalar(2.0).WithGrad();
        default(Autograd.Scope).Dispose(); // a default scope ends nothing
        Assert.True(Autograd.IsRecording);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var other = new Thread(() =>
        {
            using (Autograd.NoGrad())
            {
                entered.Set();
                release.Wait();
            }
        });
        other.Start();
        entered.Wait();
        try
        {
            // Another thread's NoGrad does not stop this thread recording; this thread's own scopes still work.
            Assert.True(Autograd.IsRecording);
            Assert.False((w * w).IsLeaf);
            using (Autograd.NoGrad())
            {
                Assert.False(Autograd.IsRecording);
                Assert.True((w * w).IsLeaf);
                using (Autograd.EnableGrad()) Assert.False((w * w).IsLeaf);
                Assert.True((w * w).IsLeaf);
            }
            Assert.True(Autograd.IsRecording);
        }
        finally
        {
            release.Set();
            other.Join();
        }
        Assert.True(Autograd.IsRecording);
        Assert.False((w * w).IsLeaf);
    }
}
