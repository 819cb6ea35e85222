namespace Descent.Distributed;

/// <summary>
/// What a worker needs to rebuild the coordinator's model and loss: the architecture (<see cref="Learning.ModelArchitecture"/>),
/// the loss by name (<see cref="Learning.Losses.Loss.FromName{T}"/>) and the element type.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WorkerModel
{
    /// <summary>linear | logistic | softmax | mlp.</summary>
    [Id(0)] public required string Kind { get; init; }
    /// <summary>Input features.</summary>
    [Id(1)] public required int Inputs { get; init; }
    /// <summary>Outputs.</summary>
    [Id(2)] public required int Outputs { get; init; }
    /// <summary>An MLP's hidden layer sizes.</summary>
    [Id(3)] public required int[] Hidden { get; init; }
    /// <summary>An MLP's activation.</summary>
    [Id(4)] public required string Activation { get; init; }
    /// <summary>An MLP's fixed output offsets, or null.</summary>
    [Id(5)] public double[]? OutputOffset { get; init; }
    /// <summary>An MLP's fixed output scales, or null.</summary>
    [Id(6)] public double[]? OutputScale { get; init; }
    /// <summary>The loss's name.</summary>
    [Id(7)] public required string Loss { get; init; }
    /// <summary>The loss compares standardised outputs and targets ((v − offset)/scale), as <c>descent fit</c> does for an MLP regression on scaled data.</summary>
    [Id(8)] public bool StandardisedLoss { get; init; }
    /// <summary>float32 or float64.</summary>
    [Id(9)] public required string DType { get; init; }

    /// <summary>A key that is equal for equal models (the worker keeps its replica while it does not change).</summary>
    internal string Key => string.Join('|', Kind, Inputs, Outputs, string.Join(',', Hidden), Activation, OutputOffset is null ? "" : string.Join(',', OutputOffset.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
        OutputScale is null ? "" : string.Join(',', OutputScale.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))), Loss, StandardisedLoss, DType);
}

/// <summary>One shard of one global batch: the parameters to differentiate at, and the shard's rows.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardTask
{
    /// <summary>The model and loss.</summary>
    [Id(0)] public required WorkerModel Model { get; init; }
    /// <summary>Every parameter's values, in <see cref="Learning.Modules.Module{T}.Parameters"/> order.</summary>
    [Id(1)] public required double[][] Parameters { get; init; }
    /// <summary>The shard's features, row-major.</summary>
    [Id(2)] public required double[] Features { get; init; }
    /// <summary>The shape of <see cref="Features"/> (rows first).</summary>
    [Id(3)] public required int[] FeatureShape { get; init; }
    /// <summary>The shard's targets, row-major.</summary>
    [Id(4)] public required double[] Targets { get; init; }
    /// <summary>The shape of <see cref="Targets"/> (rows first).</summary>
    [Id(5)] public required int[] TargetShape { get; init; }
    /// <summary>The global step this shard belongs to (for the record).</summary>
    [Id(6)] public long Step { get; init; }
}

/// <summary>A worker's answer: the gradient of the shard's loss (its mean over the shard's rows) and that loss.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardResult
{
    /// <summary>The gradient of every parameter, in <see cref="Learning.Modules.Module{T}.Parameters"/> order.</summary>
    [Id(0)] public required double[][] Gradients { get; init; }
    /// <summary>The shard's loss.</summary>
    [Id(1)] public required double Loss { get; init; }
    /// <summary>The silo that computed it.</summary>
    [Id(2)] public required string Silo { get; init; }
    /// <summary>Seconds the worker spent computing (forward and backward), without messaging.</summary>
    [Id(3)] public required double ComputeSeconds { get; init; }
}

/// <summary>A worker grain: holds a replica of the model and computes shard gradients.</summary>
public interface IGradientWorker : IGrainWithIntegerKey
{
    /// <summary>Loads <see cref="ShardTask.Parameters"/> into the replica and returns the shard's loss and gradient.</summary>
    Task<ShardResult> Compute(ShardTask task);
}
