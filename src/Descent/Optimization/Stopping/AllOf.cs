namespace Descent.Optimization.Stopping;

/// <summary>
/// Fires when all of its rules fire on the same step (e.g. small gradient <em>and</em> small step), reporting
/// <see cref="StopKind.Converged"/> with every rule's message.
/// </summary>
public sealed class AllOf : IStoppingRule
{
    private readonly IStoppingRule[] _rules;

    /// <summary>Combines <paramref name="rules"/>.</summary>
    /// <param name="rules">The rules, at least one.</param>
    public AllOf(params IStoppingRule[] rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentOutOfRangeException.ThrowIfZero(rules.Length, nameof(rules));
        _rules = (IStoppingRule[])rules.Clone();
    }

    /// <summary>The combined rules.</summary>
    public IReadOnlyList<IStoppingRule> Rules => _rules;

    /// <inheritdoc />
    public StopReason? Observe(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var reasons = _rules.Select(r => r.Observe(record)).ToArray();
        return reasons.All(r => r is not null)
            ? new StopReason(StopKind.Converged, record.Step, "converged: " + string.Join("; and ", reasons.Select(r => r!.Message)))
            : null;
    }

    /// <inheritdoc />
    public void Reset()
    {
        foreach (var rule in _rules)
        {
            rule.Reset();
        }
    }
}
