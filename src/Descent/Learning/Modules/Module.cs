using System.Numerics;

namespace Descent.Learning.Modules;

/// <summary>
/// A differentiable function with parameters: owns named parameter tensors (leaves with <c>RequiresGrad</c>) and
/// submodules, enumerates them by dotted name (<c>"0.weight"</c>, <c>"bias"</c>), switches between training and
/// evaluation mode (which changes <see cref="Dropout{T}"/>), and exports and imports its state.
/// </summary>
public abstract class Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly List<(string Name, Tensor<T> Tensor)> _parameters = [];
    private readonly List<(string Name, Module<T> Module)> _children = [];
    private readonly List<(string Name, Tensor<T> Tensor)> _buffers = [];

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Applies the module to a batch.</summary>
    public abstract Tensor<T> Forward(Tensor<T> input);

    /// <summary>Applies the module (same as <see cref="Forward"/>).</summary>
    public Tensor<T> Call(Tensor<T> input) => Forward(input);

    /// <summary>The rows a <see cref="Predict"/> runs through the module at once.</summary>
    public const int PredictChunkRows = 1024;

    /// <summary>
    /// The module's output for every row of <paramref name="x"/> (or for its rows <paramref name="rows"/>, in that
    /// order), in evaluation mode and without recording, <paramref name="chunkRows"/> rows at a time: only the outputs
    /// are kept for the whole set, not every layer's activations. The mode the module was in is restored.
    /// </summary>
    /// <param name="x">The inputs, [n, features…].</param>
    /// <param name="rows">The rows of <paramref name="x"/> to predict, in order; null for all.</param>
    /// <param name="chunkRows">Rows per forward pass.</param>
    /// <returns>The outputs, one row per input row.</returns>
    /// <exception cref="InvalidOperationException">The module does not give one output row per input row.</exception>
    public Tensor<T> Predict(Tensor<T> x, int[]? rows = null, int chunkRows = PredictChunkRows)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkRows);
        using var _ = Autograd.NoGrad();
        bool training = IsTraining;
        Eval();
        try
        {
            if (rows is null && x.Shape[0] <= chunkRows) return Forward(x);
            int n = rows?.Length ?? x.Shape[0];
            var shape = x.ShapeArray;
            Tensor<T>? input = null;
            Tensor<T>? result = null;
            int outWidth = 0;
            for (int start = 0; start < n; start += chunkRows)
            {
                int count = Math.Min(chunkRows, n - start);
                if (input is null || input.Shape[0] != count)
                {
                    shape[0] = count;
                    input = new Tensor<T>(shape);
                }
                if (rows is null) Data.Dataset<T>.GatherRowsInto(x, start, count, input.Data);
                else Data.Dataset<T>.GatherRowsInto(x, rows.AsSpan(start, count), input.Data);
                // Each chunk's activations end with it: the next chunk reuses their memory (TensorScope).
                using var chunk = new TensorScope();
                var output = Forward(input);
                if (result is null)
                {
                    var outShape = output.ShapeArray;
                    if (outShape.Length == 0 || outShape[0] != count)
                        throw new InvalidOperationException($"The model's output has shape {Shapes.Format(outShape)} for {count} input rows; prediction needs one output row per input row.");
                    outWidth = output.Size / count;
                    outShape[0] = n;
                    result = chunk.Keep(new Tensor<T>(outShape));
                }
                output.Data.CopyTo(result.Data.Slice(start * outWidth, count * outWidth));
            }
            if (result is not null) return result;
            shape[0] = 0; // no rows chosen
            return Forward(new Tensor<T>(shape));
        }
        finally
        {
            if (training) Train();
        }
    }

    /// <summary>Registers a parameter under <paramref name="name"/>; it is marked as requiring a gradient.</summary>
    protected Tensor<T> RegisterParameter(string name, Tensor<T> tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.RequiresGrad = true;
        tensor.Name = name;
        _parameters.Add((name, tensor));
        return tensor;
    }

    /// <summary>
    /// Registers a buffer under <paramref name="name"/>: state that is not trained by gradients but belongs to the model
    /// (a batch-norm layer's running statistics). Buffers are saved and loaded with the parameters (<see cref="StateDict"/>,
    /// checkpoints, model files) but are not <see cref="Parameters"/>, so optimizers never see them.
    /// </summary>
    protected Tensor<T> RegisterBuffer(string name, Tensor<T> tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.Name = name;
        _buffers.Add((name, tensor));
        return tensor;
    }

    /// <summary>Every buffer (<see cref="RegisterBuffer"/>) with its dotted name, depth first, in registration order.</summary>
    public IEnumerable<(string Name, Tensor<T> Buffer)> NamedBuffers()
    {
        foreach (var (name, b) in _buffers) yield return (name, b);
        foreach (var (prefix, child) in _children)
            foreach (var (name, b) in child.NamedBuffers()) yield return (prefix + "." + name, b);
    }

    /// <summary>The parameters, then the buffers, by dotted name: everything <see cref="StateDict"/> holds.</summary>
    public IEnumerable<(string Name, Tensor<T> Tensor)> NamedState() => NamedParameters().Concat(NamedBuffers());

    /// <summary>Registers a submodule under <paramref name="name"/>.</summary>
    protected TModule RegisterModule<TModule>(string name, TModule module) where TModule : Module<T>
    {
        ArgumentNullException.ThrowIfNull(module);
        _children.Add((name, module));
        return module;
    }

    /// <summary>Every parameter with its dotted name, depth first, in registration order.</summary>
    public IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters()
    {
        foreach (var (name, p) in _parameters) yield return (name, p);
        foreach (var (prefix, child) in _children)
            foreach (var (name, p) in child.NamedParameters()) yield return (prefix + "." + name, p);
    }

    /// <summary>This module (named "") and every submodule with its dotted name, depth first, in registration order.</summary>
    public IEnumerable<(string Name, Module<T> Module)> NamedModules()
    {
        yield return ("", this);
        foreach (var (prefix, child) in _children)
            foreach (var (name, m) in child.NamedModules()) yield return (name.Length == 0 ? prefix : prefix + "." + name, m);
    }

    /// <summary>Every parameter, in the order of <see cref="NamedParameters"/>.</summary>
    public IReadOnlyList<Tensor<T>> Parameters() => NamedParameters().Select(p => p.Parameter).ToList();

    /// <summary>The total number of scalar parameters.</summary>
    public int ParameterCount => NamedParameters().Sum(p => p.Parameter.Size);

    /// <summary>Zeroes the gradient of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in NamedParameters()) p.ZeroGrad();
    }

    /// <summary>Switches this module and its submodules to training mode.</summary>
    public Module<T> Train()
    {
        SetMode(true);
        return this;
    }

    /// <summary>Switches this module and its submodules to evaluation mode.</summary>
    public Module<T> Eval()
    {
        SetMode(false);
        return this;
    }

    private void SetMode(bool training)
    {
        IsTraining = training;
        foreach (var (_, c) in _children) c.SetMode(training);
    }

    /// <summary>Copies of the parameters and buffers by name (the module's state).</summary>
    public Dictionary<string, Tensor<T>> StateDict() => NamedState().ToDictionary(p => p.Name, p => p.Tensor.Clone());

    /// <summary>
    /// Loads parameter (and buffer) values by name. Every parameter and buffer must be present with the same shape, and no extra names are
    /// allowed; on any mismatch nothing is changed.
    /// </summary>
    /// <exception cref="ArgumentException">A name is missing or unknown, or a shape differs.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor<T>> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = NamedState().ToList();
        foreach (var (name, p) in own)
        {
            if (!state.TryGetValue(name, out var v))
                throw new ArgumentException($"The state has no parameter '{name}'; it has: {string.Join(", ", state.Keys)}.", nameof(state));
            if (!Shapes.Equal(v.Shape, p.Shape))
                throw new ArgumentException($"Parameter '{name}' has shape {Shapes.Format(p.Shape)} but the state holds {Shapes.Format(v.Shape)}.", nameof(state));
        }
        var unknown = state.Keys.Except(own.Select(o => o.Name)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"The state has parameters this model does not: {string.Join(", ", unknown)}.", nameof(state));
        foreach (var (name, p) in own) p.CopyFrom(state[name]);
    }

    /// <summary>Writes the parameters to a checkpoint file (safetensors layout, atomic; see <see cref="Training.Checkpoint"/>).</summary>
    public void Save(string path)
    {
        var checkpoint = new Training.Checkpoint();
        foreach (var (name, p) in NamedState()) checkpoint.Add(name, p);
        checkpoint.Metadata["kind"] = "module";
        checkpoint.Metadata["type"] = GetType().Name;
        checkpoint.Save(path);
    }

    /// <summary>Loads parameters saved by <see cref="Save"/>; the file is verified and must fit this model, or nothing changes.</summary>
    /// <exception cref="Training.CheckpointException">The file is corrupted, truncated, or written for another model.</exception>
    public void Load(string path)
    {
        var checkpoint = Training.Checkpoint.Load(path);
        var state = new Dictionary<string, Tensor<T>>();
        foreach (var (name, _) in NamedState())
        {
            if (!checkpoint.Tensors.ContainsKey(name))
                throw new Training.CheckpointException(path, $"it has no parameter '{name}': it was written for another model.");
            state[name] = checkpoint.Get<T>(name);
        }
        try
        {
            LoadStateDict(state);
        }
        catch (ArgumentException e)
        {
            throw new Training.CheckpointException(path, e.Message);
        }
    }
}
