using System.Diagnostics;
using System.Numerics;
using Descent.Learning;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Orleans.Runtime;

namespace Descent.Distributed;

/// <summary>
/// The worker grain: one activation per worker key, placed one to a worker silo (<see cref="WorkerPlacementAttribute"/>).
/// It keeps no state a retry could miss — every call brings the parameters and the rows — so when its silo dies, the
/// same call reactivates it on a live silo and gives the same answer.
/// </summary>
[WorkerPlacement]
internal sealed class GradientWorker(ILocalSiloDetails silo) : Grain, IGradientWorker
{
    private string? _key;
    private object? _replica;

    public Task<ShardResult> Compute(ShardTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return Task.FromResult(task.Model.DType switch
        {
            "float32" => Run<float>(task),
            "float64" => Run<double>(task),
            var d => throw new ArgumentException($"Unknown element type '{d}'; use float32 or float64."),
        });
    }

    private ShardResult Run<T>(ShardTask task) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var clock = Stopwatch.StartNew();
        if (_key != task.Model.Key || _replica is not Replica<T>)
        {
            _replica = new Replica<T>(task.Model);
            _key = task.Model.Key;
        }
        var (loss, gradients) = ((Replica<T>)_replica).Gradient(task);
        return new ShardResult { Gradients = gradients, Loss = loss, Silo = silo.Name, ComputeSeconds = clock.Elapsed.TotalSeconds };
    }
}

/// <summary>A worker's copy of the model and its loss.</summary>
internal sealed class Replica<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Module<T> _module;
    private readonly IReadOnlyList<Tensor<T>> _parameters;
    private readonly LossFunction<T> _loss;

    public Replica(WorkerModel model)
    {
        var architecture = new ModelArchitecture(model.Kind, model.Inputs, model.Outputs, model.Hidden, model.Activation)
        {
            OutputOffset = model.OutputOffset,
            OutputScale = model.OutputScale,
        };
        _module = architecture.Build<T>();
        _module.Train();
        _parameters = _module.Parameters();
        var loss = Loss.FromName<T>(model.Loss);
        if (model.StandardisedLoss && model.OutputOffset is { } offset && model.OutputScale is { } scale)
        {
            // As descent fit does for an MLP regression on scaled features: the loss compares standardised values.
            var mu = Tensor.FromArray(offset.Select(T.CreateTruncating).ToArray());
            var sigma = Tensor.FromArray(scale.Select(T.CreateTruncating).ToArray());
            var raw = loss;
            loss = (p, y) => raw((p - mu) / sigma, (y - mu) / sigma);
        }
        _loss = loss;
    }

    public (double Loss, double[][] Gradients) Gradient(ShardTask task)
    {
        if (task.Parameters.Length != _parameters.Count)
            throw new ArgumentException($"The task has {task.Parameters.Length} parameters; the model has {_parameters.Count}.");
        for (int i = 0; i < _parameters.Count; i++)
        {
            var data = _parameters[i].Data;
            var values = task.Parameters[i];
            if (values.Length != data.Length) throw new ArgumentException($"Parameter {i} has {values.Length} values in the task; the model's has {data.Length}.");
            for (int j = 0; j < data.Length; j++) data[j] = T.CreateTruncating(values[j]);
        }
        _module.ZeroGrad();
        // The step's activations and temporaries end with it and their memory is reused by the next task (the gradients
        // are kept: they are stored as Grad), as the trainer does for each batch.
        using var scope = new TensorScope();
        var x = Tensor.FromArray(task.Features.Select(T.CreateTruncating).ToArray(), task.FeatureShape);
        var y = Tensor.FromArray(task.Targets.Select(T.CreateTruncating).ToArray(), task.TargetShape);
        var loss = _loss(_module.Forward(x), y);
        loss.Backward();
        var gradients = new double[_parameters.Count][];
        for (int i = 0; i < _parameters.Count; i++)
            gradients[i] = _parameters[i].Grad is { } g ? g.ToDoubleArray() : new double[_parameters[i].Data.Length];
        _module.ZeroGrad();
        return (double.CreateTruncating(loss.Item()), gradients);
    }
}
