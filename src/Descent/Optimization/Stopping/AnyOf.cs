namespace Descent.Optimization.Stopping;

/// <summary>Fires when any of its rules fires; every rule observes every step, and the first firing rule's reason is returned.</summary>
public sealed class AnyOf : IStoppingRule
{
    private readonly IStoppingRule[] _rules;

    /// <summary>Combines <paramref name="rules"/>.</summary>
    /// <param name="rules">The rules, at least one.</param>
    public AnyOf(params IStoppingRule[] rules)
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
        StopReason? first = null;
        foreach (var rule in _rules)
        {
            StopReason? reason = rule.Observe(record);
            first ??= reason;
        }

        return first;
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
