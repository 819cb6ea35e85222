namespace Descent.Optimization;

/// <summary>
/// A learning-rate schedule: the rate to use at a 0-based update index <paramref name="step"/>.
/// Build them with <see cref="Schedules"/>, or write any lambda <c>step =&gt; …</c>; every API that takes a
/// schedule also has an overload taking a constant <see cref="double"/>.
/// </summary>
/// <param name="step">The number of updates made before this one (0 for the first).</param>
/// <returns>The learning rate.</returns>
public delegate double Schedule(long step);
