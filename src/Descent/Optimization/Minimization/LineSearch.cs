namespace Descent.Optimization.Minimization;

/// <summary>
/// A line search: given φ(α) = f(x + α·p) along a descent direction p (φ'(0) &lt; 0), it picks a step α that
/// decreases f enough. φ is offered two ways: <c>value</c> (φ only, no gradient: cheap) and <c>valueAndSlope</c>
/// (φ and φ'(α) = ∇f(x + α·p)·p, one gradient evaluation); each search uses the one it needs.
/// </summary>
public interface ILineSearch
{
    /// <summary>The method's short name ("armijo", "wolfe").</summary>
    string Name { get; }

    /// <summary>Searches for a step.</summary>
    /// <param name="value">φ(α).</param>
    /// <param name="valueAndSlope">φ(α) and φ'(α).</param>
    /// <param name="value0">φ(0).</param>
    /// <param name="slope0">φ'(0), negative.</param>
    /// <param name="initialStep">The first trial step, &gt; 0.</param>
    /// <returns>The step, φ there, and whether the search's conditions hold.</returns>
    LineSearchResult Search(Func<double, double> value, Func<double, (double Value, double Slope)> valueAndSlope,
        double value0, double slope0, double initialStep);
}

/// <summary>The outcome of a line search.</summary>
/// <param name="Step">The step α (0 when no decrease was found).</param>
/// <param name="Value">φ(α).</param>
/// <param name="Satisfied">True when the search's conditions (Armijo, or strong Wolfe) hold at α.</param>
/// <param name="Trials">How many trial steps were evaluated.</param>
public readonly record struct LineSearchResult(double Step, double Value, bool Satisfied, int Trials);
