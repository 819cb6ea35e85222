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
/// The rule's state (rate, best metric, bad observations, cool-down, count) is the transform's <see cref="State"/>,
/// owned by the optimizer and saved in its snapshots, so a checkpoint resumes it exactly.
/// </remarks>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
/// <example><code>
/// var adam = Transform.Chain(new ScaleByAdam&lt;double&gt;(), new ScaleByPlateau&lt;double&gt;(1e-3, factor: 0.5, patience: 3));
/// var trainer = new Trainer&lt;double&gt;(model, (p, y) =&gt; Loss.MeanSquaredError(p, y), adam);   // the trainer feeds it the validation loss
/// </code></example>
public sealed class ScaleByPlateau<T> : GradientTransform<T, ScaleByPlateau<T>.State>, IMetricObserver
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Func<ReduceOnPlateau> _rule;

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
    {
        _ = new ReduceOnPlateau(initialLearningRate, mode, factor, patience, threshold, relativeThreshold, cooldown, minLearningRate, epsilon); // checks the arguments now
        _rule = () => new ReduceOnPlateau(initialLearningRate, mode, factor, patience, threshold, relativeThreshold, cooldown, minLearningRate, epsilon);
        InitialLearningRate = initialLearningRate;
    }

    /// <summary>η₀.</summary>
    public double InitialLearningRate { get; }

    /// <summary>The plateau rule with its observations so far.</summary>
    public sealed class State : ITransformState
    {
        internal State(ReduceOnPlateau rule) => Rule = rule;

        internal ReduceOnPlateau Rule { get; }

        /// <summary>The learning rate the next update uses.</summary>
        public double LearningRate => Rule.LearningRate;

        /// <inheritdoc />
        public TransformState Save()
        {
            var s = Rule.GetState();
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
        public void Load(TransformState saved)
        {
            ArgumentNullException.ThrowIfNull(saved);
            Rule.LoadState(new ReduceOnPlateauState(saved.Scalar("rate"), saved.Scalar("best"), (int)saved.Scalar("bad"),
                (int)saved.Scalar("cooldownLeft"), (long)saved.Scalar("observations")));
        }
    }

    /// <inheritdoc />
    public override State Init(IReadOnlyList<int> parameterSizes) => new(_rule());

    /// <inheritdoc />
    public override void Update(ParameterBuffers<T> buffers, State state, long step)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(state);
        T factor = T.CreateTruncating(-state.LearningRate);
        for (int i = 0; i < buffers.Count; i++)
        {
            Span<T> u = buffers.Updates(i);
            TensorPrimitives.Multiply(u, factor, u);
        }
    }

    /// <summary>Records one metric value and lowers the rate if it has plateaued.</summary>
    /// <param name="state">The state <see cref="Init"/> made.</param>
    /// <param name="metric">The metric (e.g. the validation loss).</param>
    public void Observe(ITransformState state, double metric) => Typed(state).Rule.Observe(metric);

    /// <inheritdoc />
    public double LearningRate(ITransformState state) => Typed(state).LearningRate;
}
