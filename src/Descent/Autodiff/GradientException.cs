namespace Descent;

/// <summary>
/// Thrown for a misuse of automatic differentiation: backward on a non-scalar without an upstream gradient,
/// backward through a graph already freed, a gradient of the wrong shape, or asking for the gradient of a constant.
/// </summary>
public sealed class GradientException : InvalidOperationException
{
    /// <summary>Creates the exception with a message that says what went wrong and how to fix it.</summary>
    public GradientException(string message) : base(message) { }
}

/// <summary>Thrown in anomaly-detection mode when an operation first produces a NaN or an infinity.</summary>
public sealed class AnomalyException : ArithmeticException
{
    /// <summary>Creates the exception.</summary>
    public AnomalyException(string operation, string phase, string message) : base(message)
    {
        Operation = operation;
        Phase = phase;
    }

    /// <summary>The name of the operation that produced the non-finite value.</summary>
    public string Operation { get; }

    /// <summary>"forward" or "backward".</summary>
    public string Phase { get; }
}
