using Descent.Optimization;
using Descent.Optimization.Transforms;

namespace Descent.Tests.Optimization.Transforms;

public class SkipNonFiniteTests
{
    [Fact]
    public void ZeroesTheWholeStepAndLeavesInnerStateUntouched()
    {
        var inner = new Momentum<double>(0.5);
        var sut = new SkipNonFinite<double>(Transform.Chain<double>(inner, new ScaleByLearningRate<double>(1)));
        var state = sut.Init([1, 1]);
        var momentum = ((Chain<double>.State)state.Inner!).Parts[0];
        Assert.Equal([-2.0], TransformHarness.Apply(sut, state, [[0], [0]], [[2], [4]])[0]);
        var before = momentum.Save();

        var skipped = TransformHarness.Apply(sut, state, [[0], [0]], [[double.NaN], [4]]);
        Assert.Equal([0.0], skipped[0]);
        Assert.Equal([0.0], skipped[1]);
        Assert.Equal(1, state.SkippedSteps);
        Assert.Equal(before.Arrays["momentum/1"], momentum.Save().Arrays["momentum/1"]);

        // Next finite step continues the momentum from b = 2: b = 0.5·2 + 2 = 3.
        Assert.Equal([-3.0], TransformHarness.Apply(sut, state, [[0], [0]], [[2], [4]])[0]);
        Assert.Equal(1, state.SkippedSteps);
        Assert.Equal(1.0, state.Save().Scalar("skipped"));
    }
}
