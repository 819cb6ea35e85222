namespace Descent.Optimization;

/// <summary>
/// A gradient transform that is fed a metric (e.g. the validation loss) once per epoch, such as
/// <see cref="Transforms.ScaleByPlateau{T}"/>. <see cref="Optimizer{T}.ObserveMetric"/> feeds every one in the chain;
/// <see cref="Learning.Training.Trainer{T}"/> does so after each epoch. What it learns from the metric is part of its
/// <see cref="IGradientTransform{T}.GetState"/>, so checkpoints hold it.
/// </summary>
public interface IMetricObserver
{
    /// <summary>Records one value of the metric.</summary>
    /// <param name="metric">The metric, e.g. the epoch's validation loss.</param>
    void Observe(double metric);
}
