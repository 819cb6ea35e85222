using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Optimization.Transforms;

/// <summary>
/// The last link of an optimizer chain whose learning rate drops when a metric stops improving: <c>u ← −η·u</c>, with
/// η following <see cref="ReduceOnPlateau"/>'s rule (PyTorch ReduceLROnPlateau semantics) over the metrics fed to
/// <see cref="Observe"/> — by <see cref="Optimizer{T}.ObserveMetric"/>, which <see cref="Learning.Training.Trainer{T}"/>
/// calls after every epoch with the validation loss (the train loss when there is no validation set).
/// </summary>
/// <remarks>
/// The rule's state (rate, best metric, bad observations, cool-down, count) is in <see cref="GetState"/>, so a
/// checkpoint resumes it exactly; <see cref="Initialize"/> resets it, so each optimizer starts afresh.
/// </remarks>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
/// <example><code>
/// var adam = Transform.Chain(new ScaleByAdam&lt;double&gt;(), new ScaleByPlateau&lt;double&gt;(1e-3, factor: 0.5, patience: 3));
/// var trainer = new Trainer&lt;double&gt;(model, Loss.MeanSquaredError, adam);   // the trainer feeds it the validation loss
/// </code></example>
public sealed class ScaleByPlateau<T> : IGradientTransform<T>, IMetricObserver
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly ReduceOnPlateau _rule;

    /// <summary>Creates the transform; the arguments are <see cref="ReduceOnPlateau"/>'s.</summary>
    /// <param name="initialLearningRate">η₀ &gt;= 0.</param>
    /// <param name="mode">Whether the metric is minimised or maximised.</param>
    /// <param name="factor">The reduction factor, in (0, 1).</param>
    /// <param name="patience">Bad observations tolerated before reducing, &gt;= 0.</param>
    /// <param name="threshold">θ &gt;= 0, the least improvement that counts.</param>
    /// <param name="relativeThreshold">Whether θ is relative (PyTorch 'rel') or absolute ('abs').</param>
    /// <param name="cooldown">Observations to wait after a reduction, &gt;= 0.</param>
    /// <param name="minLearningRate">η_min &gt;= 0.</param>
    /// <param name="epsilon">ε &gt;= 0: smaller changes of η are ignored.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public ScaleByPlateau(double initialLearningRate, MetricMode mode = MetricMode.Min, double factor = 0.1, int patience = 10, double threshold = 1e-4,
        bool relativeThreshold = true, int cooldown = 0, double minLearningRate = 0, double epsilon = 1e-8)
        => _rule = new ReduceOnPlateau(initialLearningRate, mode, factor, patience, threshold, relativeThreshold, cooldown, minLearningRate, epsilon);

    /// <summary>The learning rate the next update uses.</summary>
    public double LearningRate => _rule.LearningRate;

    /// <inheritdoc />
    public void Initialize(IReadOnlyList<int> parameterSizes) => _rule.Reset();

    /// <inheritdoc />
    public void Update(ParameterBuffers<T> buffers, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        T factor = T.CreateTruncating(-_rule.LearningRate);
        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            TensorPrimitives.Multiply(u, factor, u);
        }
    }

    /// <summary>Records one metric value and lowers the rate if it has plateaued.</summary>
    /// <param name="metric">The metric (e.g. the validation loss).</param>
    public void Observe(double metric) => _rule.Observe(metric);

    /// <inheritdoc />
    public TransformState GetState()
    {
        var s = _rule.GetState();
        return new TransformState(new Dictionary<string, double[]>(), new Dictionary<string, double>
        {
            ["rate"] = s.LearningRate,
            ["best"] = s.Best,
            ["bad"] = s.BadObservations,
            ["cooldownLeft"] = s.CooldownLeft,
            ["observations"] = s.Observations,
        });
    }

    /// <inheritdoc />
    public void LoadState(TransformState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _rule.LoadState(new ReduceOnPlateauState(state.Scalar("rate"), state.Scalar("best"), (int)state.Scalar("bad"),
            (int)state.Scalar("cooldownLeft"), (long)state.Scalar("observations")));
    }
}
