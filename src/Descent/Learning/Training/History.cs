using System.Text.Json;
using System.Text.Json.Serialization;
using Descent.Optimization.Stopping;

namespace Descent.Learning.Training;

/// <summary>What one epoch produced.</summary>
/// <param name="Epoch">The epoch number, from 1.</param>
/// <param name="TrainLoss">The batch-size-weighted mean of the batch losses (the loss over the epoch's examples).</param>
/// <param name="ValidationLoss">The loss on the validation set after the epoch, when there is one.</param>
/// <param name="LearningRate">The learning rate at the end of the epoch, when the optimizer has one.</param>
/// <param name="GradientNorm">The mean over batches of the global gradient norm.</param>
/// <param name="Seconds">Wall time of the epoch's training (not of validation).</param>
/// <param name="Metrics">Validation metrics by name (e.g. "val_accuracy").</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, [property: JsonPropertyName("val_loss")] double? ValidationLoss, double? LearningRate, double GradientNorm, double Seconds,
    IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>
    /// The record as one line of JSON (what a checkpoint's <c>PATH.history.jsonl</c> holds): snake_case names, absent
    /// optional values left out, non-finite numbers as the strings "NaN", "Infinity", "-Infinity".
    /// </summary>
    /// <returns>The JSON text, without a line break.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, HistoryJson.Default.EpochRecord);

    /// <summary>Reads a record written by <see cref="ToJson"/>.</summary>
    /// <param name="utf8">The JSON text as UTF-8.</param>
    /// <returns>The record.</returns>
    /// <exception cref="JsonException">The text is not such a record.</exception>
    public static EpochRecord FromJson(ReadOnlySpan<byte> utf8)
    {
        var record = JsonSerializer.Deserialize(utf8, HistoryJson.Default.EpochRecord) ?? throw new JsonException("an epoch record is null");
        return record.Metrics is null ? throw new JsonException("an epoch record has no metrics") : record;
    }
}

/// <summary>One batch, reported to batch callbacks: everything they show, so none needs to read the optimizer.</summary>
/// <param name="Epoch">The epoch number, from 1.</param>
/// <param name="Batch">The batch number within the epoch, from 1.</param>
/// <param name="Size">Examples in the batch.</param>
/// <param name="Loss">The batch's loss (before the step).</param>
/// <param name="Step">The optimizer steps taken so far, this batch's included.</param>
/// <param name="LearningRate">The learning rate the next step uses (null when the optimizer has none).</param>
/// <param name="GradientNorm">The global L2 norm of the batch's gradient.</param>
/// <param name="LearningRateChanged">Whether <see cref="LearningRate"/> differs from the previous batch's in this <see cref="Trainer{T}.Fit"/> (true for its first batch).</param>
public sealed record BatchRecord(int Epoch, int Batch, int Size, double Loss, long Step, double? LearningRate = null, double GradientNorm = double.NaN,
    bool LearningRateChanged = false);

/// <summary>
/// Follows a <see cref="Trainer{T}"/>'s run (tracking, the live page, progress lines): add one with
/// <see cref="Trainer{T}.AddCallback"/>. Both methods do nothing unless overridden; keep them cheap, they run on the
/// training thread.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Called after every batch (after the optimizer step).</summary>
    /// <param name="batch">What the batch produced.</param>
    void OnBatchEnd(BatchRecord batch)
    {
    }

    /// <summary>Called after every epoch (after validation).</summary>
    /// <param name="epoch">What the epoch produced.</param>
    void OnEpochEnd(EpochRecord epoch)
    {
    }
}

/// <summary>
/// An epoch that was stopped (cancelled) after some of its batches: what they added up to. A trainer resumed from a
/// checkpoint holding it continues with batch <see cref="Batches"/> + 1 and then records the whole epoch exactly as an
/// uninterrupted run would (the sums continue in the same order).
/// </summary>
/// <param name="Epoch">The epoch number, from 1.</param>
/// <param name="Batches">Batches of the epoch already trained.</param>
/// <param name="Examples">Examples in those batches.</param>
/// <param name="LossSum">Σ batch loss × batch size over those batches.</param>
/// <param name="GradientNormSum">Σ of their global gradient norms.</param>
/// <param name="Seconds">Wall time spent on them.</param>
public sealed record PartialEpoch(int Epoch, int Batches, int Examples, double LossSum, double GradientNormSum, double Seconds)
{
    /// <summary>The record as JSON, as a checkpoint's metadata holds it (see <see cref="EpochRecord.ToJson"/>).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, HistoryJson.Default.PartialEpoch);

    /// <summary>Reads a record written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The record.</returns>
    /// <exception cref="JsonException">The text is not such a record.</exception>
    public static PartialEpoch FromJson(string json) => JsonSerializer.Deserialize(json, HistoryJson.Default.PartialEpoch) ?? throw new JsonException("a partial epoch is null");

    /// <summary>The mean loss over the examples trained so far in this epoch.</summary>
    [JsonIgnore]
    public double TrainLoss => Examples == 0 ? double.NaN : LossSum / Examples;
}

/// <summary>The record of a training run: every epoch, why it stopped, and how long it took.</summary>
public sealed class History
{
    /// <summary>The epochs run (including those before a resume).</summary>
    public List<EpochRecord> Epochs { get; } = [];

    /// <summary>
    /// The epoch that was stopped part-way (after <see cref="PartialEpoch.Batches"/> batches), when the run was
    /// cancelled inside an epoch; it is not in <see cref="Epochs"/> until a resumed run finishes it.
    /// </summary>
    public PartialEpoch? Partial { get; set; }

    /// <summary>Why training stopped.</summary>
    public StopReason? StopReason { get; set; }

    /// <summary>Seconds spent in epochs (training and validation), without data loading before the run.</summary>
    public double TrainSeconds { get; set; }

    /// <summary>The last epoch's train loss.</summary>
    public double FinalTrainLoss => Epochs.Count == 0 ? double.NaN : Epochs[^1].TrainLoss;

    /// <summary>The epoch with the best validation loss (or train loss when there is no validation), if any.</summary>
    public EpochRecord? Best => Epochs.Count == 0 ? null : Epochs.MinBy(e => e.ValidationLoss ?? e.TrainLoss);
}

/// <summary>The JSON form of the history records, generated at compile time (trimming- and AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(EpochRecord))]
[JsonSerializable(typeof(PartialEpoch))]
internal sealed partial class HistoryJson : JsonSerializerContext;
