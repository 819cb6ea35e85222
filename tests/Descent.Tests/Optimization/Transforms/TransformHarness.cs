using Descent.Optimization;

namespace Descent.Tests.Optimization.Transforms;

/// <summary>Runs one transform directly on update arrays.</summary>
internal static class TransformHarness
{
    public static double[][] Apply(IGradientTransform<double> transform, ITransformState state, double[][] parameters, double[][] updates, long step = 0)
    {
        var ps = parameters.Select(p => (IOptimizable<double>)new ArrayParameter<double>(p)).ToArray();
        transform.Update(new ParameterBuffers<double>(updates, ps), state, step);
        return updates;
    }
}
