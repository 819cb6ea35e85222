namespace Descent.Optimization;

/// <summary>Whether a smaller or a larger observed metric is better.</summary>
public enum MetricMode
{
    /// <summary>Smaller is better (a loss).</summary>
    Min,

    /// <summary>Larger is better (an accuracy).</summary>
    Max,
}
