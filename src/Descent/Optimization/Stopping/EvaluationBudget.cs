namespace Descent.Optimization.Stopping;

/// <summary>Fires when the function evaluations or the gradient evaluations reach their budget (null: unlimited).</summary>
public sealed class EvaluationBudget : IStoppingRule
{
    /// <summary>Creates the rule; at least one budget must be given.</summary>
    /// <param name="maxFunctionEvaluations">The function-evaluation budget, &gt;= 1, or null.</param>
    /// <param name="maxGradientEvaluations">The gradient-evaluation budget, &gt;= 1, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A budget is below 1.</exception>
    /// <exception cref="ArgumentException">Both budgets are null.</exception>
    public EvaluationBudget(long? maxFunctionEvaluations, long? maxGradientEvaluations = null)
    {
        if (maxFunctionEvaluations is null && maxGradientEvaluations is null)
        {
            throw new ArgumentException("Give a function-evaluation budget, a gradient-evaluation budget, or both.", nameof(maxFunctionEvaluations));
        }

        MaxFunctionEvaluations = maxFunctionEvaluations is long f ? Require.AtLeast(f, 1, nameof(maxFunctionEvaluations)) : null;
        MaxGradientEvaluations = maxGradientEvaluations is long g ? Require.AtLeast(g, 1, nameof(maxGradientEvaluations)) : null;
    }

    /// <summary>The function-evaluation budget.</summary>
    public long? MaxFunctionEvaluations { get; }

    /// <summary>The gradient-evaluation budget.</summary>
    public long? MaxGradientEvaluations { get; }

    /// <inheritdoc />
    public StopReason? Observe(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.FunctionEvaluations >= MaxFunctionEvaluations)
        {
            return new StopReason(StopKind.EvaluationBudget, record.Step, $"evaluation budget: {record.FunctionEvaluations} function evaluations at step {record.Step} reach the budget of {MaxFunctionEvaluations}");
        }

        return record.GradientEvaluations >= MaxGradientEvaluations
            ? new StopReason(StopKind.EvaluationBudget, record.Step, $"evaluation budget: {record.GradientEvaluations} gradient evaluations at step {record.Step} reach the budget of {MaxGradientEvaluations}")
            : null;
    }

    /// <inheritdoc />
    public void Reset()
    {
    }
}
