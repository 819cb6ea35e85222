using System.Numerics;

namespace Descent.Learning.Data;

/// <summary>A source of training batches: for each epoch, a sequence of (features, targets) pairs.</summary>
public interface IBatchSource<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The number of examples in one epoch.</summary>
    int ExampleCount { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/> (from 0); the same epoch always gives the same batches.</summary>
    IEnumerable<(Tensor<T> Features, Tensor<T> Targets)> Batches(int epoch);

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> from batch <paramref name="firstBatch"/> (from 0) on: what a run
    /// resumed in the middle of the epoch trains. The default skips the first batches of <see cref="Batches(int)"/>;
    /// sources override it to avoid preparing them.
    /// </summary>
    IEnumerable<(Tensor<T> Features, Tensor<T> Targets)> Batches(int epoch, int firstBatch) => firstBatch == 0 ? Batches(epoch) : Batches(epoch).Skip(firstBatch);
}
