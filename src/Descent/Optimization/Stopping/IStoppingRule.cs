namespace Descent.Optimization.Stopping;

/// <summary>
/// A stopping rule: it observes one <see cref="StepRecord"/> per step and returns a <see cref="StopReason"/> when the
/// run should stop. Rules may keep state (windows, best values); <see cref="Reset"/> forgets it. Combine with
/// <see cref="AnyOf"/> and <see cref="AllOf"/>.
/// </summary>
public interface IStoppingRule
{
    /// <summary>Observes one step.</summary>
    /// <param name="record">The step's measurements.</param>
    /// <returns>Why to stop, or null to go on.</returns>
    StopReason? Observe(StepRecord record);

    /// <summary>Forgets everything observed.</summary>
    void Reset();
}
