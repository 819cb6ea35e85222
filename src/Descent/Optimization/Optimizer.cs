using System.Numerics;
using System.Numerics.Tensors;
using Descent.Kernels;
using Descent.Optimization.Transforms;

namespace Descent.Optimization;

/// <summary>
/// The familiar optimizer front over flat parameters: <see cref="Step"/> copies each gradient into an update buffer,
/// runs the transform chain on all of them, and applies <c>p ← p + u</c>.
/// </summary>
/// <typeparam name="T">The element type, <see cref="float"/> or <see cref="double"/>.</typeparam>
/// <example><code>
/// var w = new ArrayParameter&lt;double&gt;(100.0);
/// var optimizer = new Optimizer&lt;double&gt;([w], Optimizers.GradientDescent&lt;double&gt;(0.1));
/// for (int i = 0; i &lt; 100; i++) { w.Grad[0] = 2 * w.Data[0]; optimizer.Step(); }
/// </code></example>
public sealed class Optimizer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly IOptimizable<T>[] _parameters;
    private readonly T[][] _updates;
    private readonly int[] _sizes;
    private readonly ParameterBuffers<T> _buffers;
    private readonly ITransformState _state;
    private readonly Schedule? _learningRate;
    private readonly Schedule? _onePassRate;
    private readonly (IMetricObserver Observer, ITransformState State)[] _observers;

    /// <summary>Creates an optimizer for tensors (e.g. a module's <c>Parameters()</c>), each wrapped in a <see cref="TensorParameter{T}"/>.</summary>
    /// <param name="parameters">The tensors to optimize, in a fixed order (state is saved in this order).</param>
    /// <param name="transform">The gradient transform chain, e.g. from <see cref="Optimizers"/>.</param>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    public Optimizer(IEnumerable<Tensor<T>> parameters, IGradientTransform<T> transform)
        : this((parameters ?? throw new ArgumentNullException(nameof(parameters))).Select(p => (IOptimizable<T>)new TensorParameter<T>(p)), transform)
    {
    }

    /// <summary>Creates an optimizer for <paramref name="parameters"/> and the transform's state, which it owns (the transform may serve other optimizers).</summary>
    /// <param name="parameters">The parameters to optimize, in a fixed order (state is saved in this order).</param>
    /// <param name="transform">The gradient transform chain, e.g. from <see cref="Optimizers"/>.</param>
    /// <exception cref="ArgumentException">A parameter is null or its <see cref="IOptimizable{T}.Values"/> do not have length <see cref="IOptimizable{T}.Size"/>.</exception>
    public Optimizer(IEnumerable<IOptimizable<T>> parameters, IGradientTransform<T> transform)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(transform);
        _parameters = [.. parameters];
        _sizes = new int[_parameters.Length];
        for (int i = 0; i < _parameters.Length; i++)
        {
            IOptimizable<T> p = _parameters[i] ?? throw new ArgumentException($"Parameter {i} is null.", nameof(parameters));
            if (p.Values.Length != p.Size)
            {
                throw new ArgumentException($"Parameter {i} reports Size {p.Size} but its Values have length {p.Values.Length}.", nameof(parameters));
            }

            _sizes[i] = p.Size;
        }

        _updates = ParameterArrays.Allocate<T>(_sizes);
        _buffers = new ParameterBuffers<T>(_updates, _parameters);
        Transform = transform;
        _state = transform.Init(_sizes);
        // Found once: the tree does not change after construction.
        _learningRate = FindLearningRate(transform, _state);
        _observers = [.. FindObservers(transform, _state)];
        _onePassRate = Collapse(transform) is ScaleByLearningRate<T> plain ? plain.LearningRate : null;
        _fusedAdam = FindFusedAdam(transform, _state);
        if (_fusedAdam is not null) _slices = Slices(_sizes);
    }

    /// <summary>
    /// The chain <see cref="Optimizers.Adam{T}(double, double, double, double, bool, double)"/> builds — no decay, Adam
    /// without AMSGrad, the learning rate — with Adam's state: <see cref="Step"/> then runs it fused, slice by slice.
    /// </summary>
    private readonly (ScaleByAdam<T> Adam, ScaleByAdam<T>.State State, Schedule LearningRate)? _fusedAdam;

    /// <summary>The fused step's slices: (parameter, offset, length), at most <see cref="SliceLength"/> values each.</summary>
    private readonly (int Parameter, int Offset, int Length)[] _slices = [];

    /// <summary>Values per slice of the fused Adam step: its seven arrays' slices (112 KB of float32) stay in L2.</summary>
    private const int SliceLength = 4096;

    private static (ScaleByAdam<T>, ScaleByAdam<T>.State, Schedule)? FindFusedAdam(IGradientTransform<T> transform, ITransformState state)
    {
        if (Collapse(transform) is not Chain<T> chain || chain.Inner.Count != 3) return null;
        if (chain.Inner[0] is not AddWeightDecay<T> { WeightDecay: 0 } || chain.Inner[1] is not ScaleByAdam<T> { AmsGrad: false } adam
            || chain.Inner[2] is not ScaleByLearningRate<T> rate) return null;
        return (adam, (ScaleByAdam<T>.State)chain.InnerStates(state)[1], rate.LearningRate);
    }

    private static (int, int, int)[] Slices(int[] sizes)
    {
        var slices = new List<(int, int, int)>();
        for (int i = 0; i < sizes.Length; i++)
            for (int offset = 0; offset < sizes[i]; offset += SliceLength) slices.Add((i, offset, Math.Min(SliceLength, sizes[i] - offset)));
        return [.. slices];
    }

    /// <summary>
    /// The Adam chain fused (<see cref="_fusedAdam"/>): every slice runs the chain's operations on its values in turn,
    /// while they are in cache, and the slices are shared between the cores (the GEMM's helper; each slice writes only
    /// its own values, so the result does not depend on who ran which). False when a parameter has no gradient (the
    /// general path then counts it as zeros).
    /// </summary>
    private bool TryFusedAdamStep()
    {
        var (adam, state, rate) = _fusedAdam!.Value;
        for (int i = 0; i < _parameters.Length; i++)
        {
            int length = _parameters[i].Gradient.Length;
            if (length == 0 && _sizes[i] != 0) return false;
            if (length != _sizes[i]) throw new InvalidOperationException($"Parameter {i} has size {_sizes[i]} but its gradient has length {length}.");
            if (_parameters[i].Values.Length != _sizes[i])
                throw new InvalidOperationException($"Parameter {i} had size {_sizes[i]} but its values now have length {_parameters[i].Values.Length}.");
        }
        var (bc1, bc2) = adam.Advance(state);
        T factor = T.CreateTruncating(-rate(StepCount));
        Kernels.Convolution.Parallel(_slices.Length, 12L * SliceLength, k =>
        {
            var (i, offset, length) = _slices[k];
            var parameter = _parameters[i];
            adam.FusedSlice(parameter.Gradient.Slice(offset, length), state.First[i].AsSpan(offset, length), state.Second[i].AsSpan(offset, length),
                state.Scratch[i].AsSpan(offset, length), _updates[i].AsSpan(offset, length), parameter.Values.Slice(offset, length), bc1, bc2, factor);
        });
        return true;
    }

    /// <summary>
    /// Whether <see cref="Step"/> takes the one-pass path <c>u ← −η·∇</c>: the chain is plain gradient descent (a lone
    /// <see cref="ScaleByLearningRate{T}"/>, possibly inside chains of one element, as <see cref="Optimizers.GradientDescent{T}(double)"/> builds it).
    /// </summary>
    internal bool UsesOnePassUpdate => _onePassRate is not null;

    /// <summary>Whether <see cref="Step"/> runs the Adam chain fused (<see cref="TryFusedAdamStep"/>).</summary>
    internal bool UsesFusedAdam => _fusedAdam is not null;

    /// <summary>The parameters, in order.</summary>
    public IReadOnlyList<IOptimizable<T>> Parameters => _parameters;

    /// <summary>The transform chain (configuration only).</summary>
    public IGradientTransform<T> Transform { get; }

    /// <summary>The transform's live state, made by its <see cref="IGradientTransform{T}.Init"/> (cast it to the transform's state type to read it).</summary>
    public ITransformState State => _state;

    /// <summary>The number of steps taken; the next step's index.</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// The learning rate the next step uses: the schedule of the first <see cref="ScaleByLearningRate{T}"/> (or the
    /// current rate of a <see cref="ScaleByPlateau{T}"/>) in the transform tree, evaluated at <see cref="StepCount"/>;
    /// null if the chain has none.
    /// (Inside <see cref="AccumulateGradients{T}"/> the rate is evaluated at the inner step index instead.)
    /// </summary>
    public double? LearningRate => _learningRate is { } schedule ? schedule(StepCount) : null;

    /// <summary>The global L2 norm <c>√(Σᵢ‖uᵢ‖²)</c> of the updates applied by the last step (NaN before the first).</summary>
    /// <remarks>Computed on first read after a step (from the kept updates), so a training loop that never reads it
    /// does not pay a pass over every parameter per step.</remarks>
    public double LastUpdateNorm
    {
        get
        {
            if (_lastUpdateNorm is double norm) return norm;
            if (StepCount == 0) return double.NaN;
            double sumOfSquares = 0;
            foreach (var u in _updates) sumOfSquares += double.CreateTruncating(TensorPrimitives.SumOfSquares<T>(u));
            _lastUpdateNorm = Math.Sqrt(sumOfSquares);
            return _lastUpdateNorm.Value;
        }
    }

    private double? _lastUpdateNorm;

    /// <summary>The update applied to parameter <paramref name="index"/> by the last step.</summary>
    /// <param name="index">The parameter's index.</param>
    public ReadOnlySpan<T> LastUpdate(int index) => _updates[index];

    /// <summary>
    /// One optimization step: <c>u ← ∇</c> (an empty gradient counts as zeros), <c>u ← chain(u)</c>, <c>p ← p + u</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A gradient or value span has the wrong length.</exception>
    /// <remarks>
    /// Plain gradient descent (the chain is a lone <see cref="ScaleByLearningRate{T}"/>, or a chain of one such) computes <c>u ← −lr·∇</c> in one
    /// pass instead of a copy and a scaling (same values, bit for bit). The copy of the general case is a SIMD loop, not
    /// <c>Span.CopyTo</c>: for a 400 KB gradient the runtime's memmove takes the non-temporal path, which writes past the
    /// cache that the transforms read next (measured: a third of an MLP step's time went into that copy).
    /// </remarks>
    public void Step()
    {
        if (_fusedAdam is not null && TryFusedAdamStep())
        {
            _lastUpdateNorm = null;
            StepCount++;
            return;
        }
        T? factor = _onePassRate is { } rate ? T.CreateTruncating(-rate(StepCount)) : null;
        if (factor is { } f && TryOnePassStep(f))
        {
            _lastUpdateNorm = null;
            StepCount++;
            return;
        }
        for (int i = 0; i < _parameters.Length; i++)
        {
            ReadOnlySpan<T> gradient = _parameters[i].Gradient;
            if (gradient.IsEmpty && _sizes[i] != 0)
            {
                _updates[i].AsSpan().Clear();
            }
            else if (gradient.Length != _sizes[i])
            {
                throw new InvalidOperationException($"Parameter {i} has size {_sizes[i]} but its gradient has length {gradient.Length}.");
            }
            else
            {
                ElementWise.ScaleThenAdd(gradient, factor ?? T.One, _updates[i], Span<T>.Empty);
            }
        }

        if (factor is null) Transform.Update(_buffers, _state, StepCount);

        for (int i = 0; i < _parameters.Length; i++)
        {
            Span<T> values = _parameters[i].Values;
            if (values.Length != _sizes[i])
            {
                throw new InvalidOperationException($"Parameter {i} had size {_sizes[i]} but its values now have length {values.Length}.");
            }

            ElementWise.AddInPlace(values, _updates[i]);
        }

        _lastUpdateNorm = null;
        StepCount++;
    }

    /// <summary>
    /// A one-pass rate (plain gradient descent): update = gradient · factor and values += update, parameter by parameter
    /// in one split pass each (the update's chunk is added while it is still in cache). False, changing nothing, when a
    /// parameter's sizes do not match (the general loop then reports it).
    /// </summary>
    private bool TryOnePassStep(T factor)
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            int length = _parameters[i].Gradient.Length;
            if ((length != _sizes[i] && !(length == 0 && _sizes[i] != 0)) || _parameters[i].Values.Length != _sizes[i]) return false;
        }
        for (int i = 0; i < _parameters.Length; i++)
        {
            ReadOnlySpan<T> gradient = _parameters[i].Gradient;
            if (gradient.IsEmpty && _sizes[i] != 0)
            {
                // No gradient: a zero update, added as the two-pass form adds it (−0 + 0 is +0 there too).
                _updates[i].AsSpan().Clear();
                ElementWise.AddInPlace(_parameters[i].Values, _updates[i]);
                continue;
            }
            ElementWise.ScaleThenAdd(gradient, factor, _updates[i], _parameters[i].Values);
        }
        return true;
    }

    /// <summary>The optimizer's state: the transform's entries plus the scalar <c>"stepCount"</c>. Parameter values are not included.</summary>
    /// <returns>A bit-exact snapshot.</returns>
    public TransformState GetState() => TransformState.Merge(
        _state.Save().WithPrefix("transform."),
        new TransformState(new Dictionary<string, double[]>(), new Dictionary<string, double> { ["stepCount"] = StepCount }));

    /// <summary>Restores a state from <see cref="GetState"/> of an optimizer with the same chain and parameter sizes.</summary>
    /// <param name="state">The saved state.</param>
    /// <exception cref="ArgumentException">An entry is missing or has the wrong length.</exception>
    public void LoadState(TransformState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        long stepCount = (long)state.Scalar("stepCount");
        _state.Load(state.Scope("transform."));
        StepCount = stepCount;
        _lastUpdateNorm = double.NaN; // the updates of the step before the save are not part of the state
    }

    /// <summary>The transform a chain of one element stands for (recursively); any other transform itself.</summary>
    private static IGradientTransform<T> Collapse(IGradientTransform<T> transform)
    {
        while (transform is Chain<T> { Inner.Count: 1 } single) transform = single.Inner[0];
        return transform;
    }

    /// <summary>
    /// Feeds <paramref name="metric"/> (e.g. an epoch's validation loss) to every transform of the chain that learns
    /// from one (<see cref="IMetricObserver"/>, such as <see cref="ScaleByPlateau{T}"/>).
    /// </summary>
    /// <param name="metric">The metric's value.</param>
    public void ObserveMetric(double metric)
    {
        foreach (var (observer, state) in _observers) observer.Observe(state, metric);
    }

    /// <summary>Whether some transform of the chain is fed a metric (<see cref="ObserveMetric"/> has an effect).</summary>
    public bool ObservesMetric => _observers.Length > 0;

    private static IEnumerable<(IMetricObserver, ITransformState)> FindObservers(IGradientTransform<T> transform, ITransformState state) => transform switch
    {
        IMetricObserver observer => [(observer, state)],
        ICompositeTransform<T> composite => composite.Inner.Zip(composite.InnerStates(state)).SelectMany(p => FindObservers(p.First, p.Second)),
        _ => [],
    };

    private static Schedule? FindLearningRate(IGradientTransform<T> transform, ITransformState state) => transform switch
    {
        ScaleByLearningRate<T> scale => scale.LearningRate,
        IMetricObserver observer => _ => observer.LearningRate(state),
        ICompositeTransform<T> composite => composite.Inner.Zip(composite.InnerStates(state)).Select(p => FindLearningRate(p.First, p.Second)).FirstOrDefault(s => s is not null),
        _ => null,
    };
}
