using Descent.Optimization;
using Descent.Optimization.Transforms;

namespace Descent.Tests.Optimization.Transforms;

public class ChainTests
{
    [Fact]
    public void RunsInOrderAndPrefixesState()
    {
        // clip to 1, then momentum, then −0.1: u = −0.1·clip(g).
        var sut = Transform.Chain(new ClipByValue<double>(1), new Momentum<double>(0.9), new ScaleByLearningRate<double>(0.1));
        var state = sut.Init([2]);
        double[] u = TransformHarness.Apply(sut, state, [[0, 0]], [[5, -0.5]])[0];
        Assert.Equal(-0.1, u[0], 12);
        Assert.Equal(0.05, u[1], 12);
        TransformState saved = state.Save();
        Assert.Equal(["1.momentum/0"], saved.Arrays.Keys);
        Assert.Equal(["1.started"], saved.Scalars.Keys);
        Assert.Equal([1.0, -0.5], saved.Array("1.momentum/0"));
    }

    [Fact]
    public void MomentumValidatesNesterov()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Momentum<double>(0.9, dampening: 0.1, nesterov: true));
        Assert.Contains("Nesterov momentum requires momentum > 0 and dampening = 0", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Momentum<double>(1.0));
    }
}
