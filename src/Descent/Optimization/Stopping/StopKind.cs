namespace Descent.Optimization.Stopping;

/// <summary>Why a run stopped.</summary>
public enum StopKind
{
    /// <summary>The step limit was reached.</summary>
    MaxSteps,

    /// <summary>The loss fell below a threshold.</summary>
    LossBelow,

    /// <summary>The gradient norm fell below a tolerance.</summary>
    GradientNormBelow,

    /// <summary>The parameter step fell below a tolerance.</summary>
    StepBelow,

    /// <summary>The loss curve flattened (least-squares slope below a tolerance).</summary>
    Plateau,

    /// <summary>The validation metric stopped improving for too long.</summary>
    Patience,

    /// <summary>The wall-clock budget was used up.</summary>
    TimeBudget,

    /// <summary>The function or gradient evaluation budget was used up.</summary>
    EvaluationBudget,

    /// <summary>The loss or parameters became non-finite, or the loss blew up.</summary>
    Diverged,

    /// <summary>The caller cancelled the run.</summary>
    Cancelled,

    /// <summary>Several criteria held together (see <see cref="AllOf"/>).</summary>
    Converged,
}
