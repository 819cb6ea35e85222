using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Optimization.Transforms;

/// <summary>
/// The last link of an optimizer chain: <c>u ← −η(step)·u</c>, so that the optimizer's <c>p ← p + u</c>
/// descends. η is a <see cref="Schedule"/> or a constant.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ScaleByLearningRate<T> : StatelessTransform<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Scales by a scheduled learning rate.</summary>
    /// <param name="learningRate">η as a function of the 0-based step.</param>
    public ScaleByLearningRate(Schedule learningRate)
    {
        ArgumentNullException.ThrowIfNull(learningRate);
        LearningRate = learningRate;
    }

    /// <summary>Scales by a constant learning rate.</summary>
    /// <param name="learningRate">η, finite and &gt;= 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative or not finite.</exception>
    public ScaleByLearningRate(double learningRate)
        : this(Schedules.Constant(learningRate))
    {
    }

    /// <summary>The schedule η(step).</summary>
    public Schedule LearningRate { get; }

    /// <inheritdoc />
    protected override void Apply(ParameterBuffers<T> buffers, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        T factor = T.CreateTruncating(-LearningRate(step));
        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            TensorPrimitives.Multiply(u, factor, u);
        }
    }
}
