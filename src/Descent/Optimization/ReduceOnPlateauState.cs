namespace Descent.Optimization;

/// <summary>The serialisable state of a <see cref="ReduceOnPlateau"/>.</summary>
/// <param name="LearningRate">The current learning rate.</param>
/// <param name="Best">The best metric seen.</param>
/// <param name="BadObservations">Observations since the last improvement.</param>
/// <param name="CooldownLeft">Observations left in the cool-down after a reduction.</param>
/// <param name="Observations">The number of observations.</param>
public sealed record ReduceOnPlateauState(double LearningRate, double Best, int BadObservations, int CooldownLeft, long Observations);
