using Descent.Optimization.Transforms;

namespace Descent.Tests.Optimization.Transforms;

public class ClipByGlobalNormTests
{
    [Fact]
    public void RescalesAllParametersTogether()
    {
        // Global norm √(3² + 4² + 12²) = 13; clip to 6.5 halves everything.
        var sut = new ClipByGlobalNorm<double>(6.5);
        var state = sut.Init([2, 1]);
        var u = TransformHarness.Apply(sut, state, [[0, 0], [0]], [[3, 4], [12]]);
        Assert.Equal(13, state.LastNorm, 12);
        Assert.Equal([1.5, 2], u[0]);
        Assert.Equal([6.0], u[1]);
    }

    [Fact]
    public void LeavesSmallUpdatesAlone()
    {
        var sut = new ClipByGlobalNorm<double>(20);
        Assert.Equal([3.0, 4.0], TransformHarness.Apply(sut, sut.Init([2]), [[0, 0]], [[3, 4]])[0]);
    }
}
