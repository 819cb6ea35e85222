namespace Descent.Optimization;

/// <summary>
/// A gradient transform that is fed a metric (e.g. the validation loss) once per epoch, such as
/// <see cref="Transforms.ScaleByPlateau{T}"/>. <see cref="Optimizer{T}.ObserveMetric"/> feeds every one in the chain;
/// <see cref="Learning.Training.Trainer{T}"/> does so after each epoch. What it learns from the metric is part of its
/// state (<see cref="ITransformState"/>), so checkpoints hold it.
/// </summary>
public interface IMetricObserver
{
    /// <summary>Records one value of the metric in the transform's state.</summary>
    /// <param name="state">The state the transform's <c>Init</c> made.</param>
    /// <param name="metric">The metric, e.g. the epoch's validation loss.</param>
    void Observe(ITransformState state, double metric);

    /// <summary>The learning rate the state holds now.</summary>
    /// <param name="state">The state the transform's <c>Init</c> made.</param>
    /// <returns>The rate.</returns>
    double LearningRate(ITransformState state);
}
