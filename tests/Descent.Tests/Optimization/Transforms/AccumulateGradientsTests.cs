using Descent.Optimization;
using Descent.Optimization.Transforms;

namespace Descent.Tests.Optimization.Transforms;

public class AccumulateGradientsTests
{
    [Fact]
    public void EmitsZerosThenTheMeanThroughTheInnerChain()
    {
        var sut = new AccumulateGradients<double>(3, new ScaleByLearningRate<double>(Schedules.Exponential(1, 0.5)));
        var state = sut.Init([2]);
        double[][] gradients = [[1, 2], [3, 4], [5, 9], [2, 2], [2, 2], [8, 2]];
        double[][] expected = [[0, 0], [0, 0], [-3, -5], [0, 0], [0, 0], [-2, -1]]; // inner step 0: η = 1; inner step 1: η = 0.5
        for (int t = 0; t < gradients.Length; t++)
        {
            var u = TransformHarness.Apply(sut, state, [[0, 0]], [(double[])gradients[t].Clone()], t);
            Assert.Equal(expected[t], u[0]);
        }

        Assert.Equal(0, state.Accumulated);
        Assert.Equal(2, state.InnerSteps);
    }
}
