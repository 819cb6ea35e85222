namespace Descent.Tests.Kernels;

/// <summary>
/// The destination forms (<c>a.Add(b, destination)</c> …, <c>x.Relu(destination)</c>): over random shapes with every
/// broadcasting pattern, bit for bit the allocating op's result; the destination may be an operand; wrong shapes and
/// recorded operands are refused with a message.
/// </summary>
public class DestinationElementWiseTests
{
    private static int[] RandomShape(Random rng) => Enumerable.Range(0, rng.Next(1, 4)).Select(_ => rng.Next(1, 9)).ToArray();

    /// <summary>b's shape: a's, a suffix of it, 1s in random places, or a scalar.</summary>
    private static int[] BroadcastPartner(Random rng, int[] shape) => rng.Next(4) switch
    {
        0 => shape,
        1 => shape[rng.Next(shape.Length)..],
        2 => shape.Select(d => rng.Next(2) == 0 ? 1 : d).ToArray(),
        _ => [],
    };

    [Fact]
    public void Destination_forms_equal_the_allocating_ops_over_random_shapes()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 200; trial++)
        {
            var sa = RandomShape(rng);
            var sb = BroadcastPartner(rng, sa);
            if (rng.Next(2) == 0) (sa, sb) = (sb, sa);
            var a = Tensor.RandomNormal<float>(sa, seed: trial);
            var b = Tensor.RandomNormal<float>(sb, seed: trial + 1000);
            foreach (var (expected, into) in new (Tensor<float>, Func<Tensor<float>, Tensor<float>>)[]
                     {
                         (a + b, d => a.Add(b, d)), (a - b, d => a.Subtract(b, d)),
                         (a * b, d => a.Multiply(b, d)), (a / b, d => a.Divide(b, d)),
                     })
            {
                var destination = Tensor.Zeros<float>(expected.Shape.ToArray());
                Assert.Same(destination, into(destination));
                Assert.Equal(expected.ToArray(), destination.ToArray());
            }
            var relu = Tensor.Zeros<float>(sa);
            a.Relu(relu);
            Assert.Equal(a.Relu().ToArray(), relu.ToArray());
        }
    }

    [Fact]
    public void Destination_may_be_an_operand_and_large_work_splits()
    {
        int n = (1 << 18) + 5;
        var a = Tensor.RandomNormal<double>([n], seed: 1);
        var b = Tensor.RandomNormal<double>([n], seed: 2);
        var expected = (a * b).ToArray();
        a.Multiply(b, a);
        Assert.Equal(expected, a.ToArray());
        var rows = Tensor.RandomNormal<double>([300, 7], seed: 3);
        var bias = Tensor.RandomNormal<double>([7], seed: 4);
        var sum = (rows + bias).ToArray();
        rows.Add(bias, rows);
        Assert.Equal(sum, rows.ToArray());
        var relu = b.Relu().ToArray();
        b.Relu(b);
        Assert.Equal(relu, b.ToArray());
    }

    [Fact]
    public void Wrong_destination_shape_and_recorded_operands_are_refused()
    {
        var a = Tensor.RandomNormal<float>([3, 4], seed: 1);
        var e = Assert.Throws<ShapeException>(() => a.Add(a, Tensor.Zeros<float>([4, 3])));
        Assert.Contains("destination has shape", e.Message);
        Assert.Throws<ShapeException>(() => a.Relu(Tensor.Zeros<float>([12])));
        var w = Tensor.RandomNormal<float>([3, 4], seed: 2).WithGrad();
        var r = Assert.Throws<InvalidOperationException>(() => w.Multiply(a, Tensor.Zeros<float>([3, 4])));
        Assert.Contains("NoGrad", r.Message);
        using (Autograd.NoGrad()) w.Multiply(a, Tensor.Zeros<float>([3, 4]));
    }
}
