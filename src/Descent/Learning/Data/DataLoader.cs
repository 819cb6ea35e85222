using System.Collections;
using System.Numerics;

namespace Descent.Learning.Data;

/// <summary>How a <see cref="DataLoader{T}"/> orders rows into batches.</summary>
public enum BatchOrder
{
    /// <summary>Rows in dataset order, cut into consecutive chunks.</summary>
    Sequential,
    /// <summary>Rows in a fresh permutation every epoch, derived only from the seed and the epoch number.</summary>
    Shuffled,
}

/// <summary>One batch: features and targets (constant tensors), its epoch and its position in the epoch.</summary>
/// <param name="X">The features, [b, features…].</param>
/// <param name="Y">The targets, [b, targets] or labels [b].</param>
/// <param name="Epoch">The epoch it belongs to (0-based).</param>
/// <param name="Index">Its position within the epoch (0-based).</param>
/// <typeparam name="T">The element type.</typeparam>
public readonly record struct Batch<T>(Tensor<T> X, Tensor<T> Y, int Epoch, int Index)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Deconstructs into features and targets: <c>foreach (var (x, y) in loader)</c>.</summary>
    public void Deconstruct(out Tensor<T> x, out Tensor<T> y)
    {
        x = X;
        y = Y;
    }
}

/// <summary>
/// Where a <see cref="DataLoader{T}"/> stands: the epoch and the next batch in it. With the loader's settings and seed,
/// this is all that is needed to resume bit-identically (epoch e's order depends only on the seed and e).
/// </summary>
/// <param name="Epoch">The current epoch (0-based).</param>
/// <param name="NextBatch">The index of the next batch to hand out in that epoch.</param>
public readonly record struct DataLoaderState(int Epoch, int NextBatch);

/// <summary>
/// Hands out a dataset as batches of (X, Y): the full batch, mini-batches of a fixed size in a seeded per-epoch
/// shuffle, or sequential chunks. Enumerating the loader runs through the rest of the current epoch, then moves on
/// to the next, so <c>for (epoch…) foreach (var (x, y) in loader)</c> is a training loop.
/// </summary>
/// <remarks>
/// <para>
/// Batches are gathered into buffers the loader reuses: a batch's tensors are valid until the next batch is
/// requested. <see cref="Tensor{T}.Clone"/> a batch to keep it. Do not write into them. The full batch in sequential
/// order is the dataset's own tensors.
/// </para>
/// <para>
/// Both ways of reading the batches (enumerating the loader, and <see cref="IBatchSource{T}"/>, what
/// <see cref="Training.Trainer{T}"/> uses) gather the next batch on another core while the current one trains (two
/// alternating buffers), when the batches are large enough for that to pay: copying 64 random rows of 784 floats costs about as much as a softmax-regression step on them.
/// </para>
/// <para>
/// For checkpoints, save <see cref="State"/> (and the constructor's settings); <see cref="Restore"/> continues exactly
/// where it stopped, including in the middle of an epoch.
/// </para>
/// <example>
/// <code>
/// var loader = new DataLoader&lt;float&gt;(train, batchSize: 64, order: BatchOrder.Shuffled, seed: 1);
/// for (int epoch = 0; epoch &lt; 10; epoch++)
///     foreach (var (x, y) in loader) { /* forward, loss, Backward(), step */ }
/// </code>
/// </example>
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
public sealed class DataLoader<T> : IEnumerable<Batch<T>>, IBatchSource<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly int[] _xShape, _yShape;
    private Tensor<T>? _xBuffer, _yBuffer, _xTail, _yTail;
    private readonly int[]? _rows;
    private int[]? _order;
    private int _orderEpoch = -1;

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The data.</param>
    /// <param name="batchSize">Rows per batch; null (default) for the full batch.</param>
    /// <param name="order">Sequential chunks (default) or a seeded shuffle per epoch.</param>
    /// <param name="seed">The shuffle seed.</param>
    /// <param name="dropLast">Leave out a last batch that would be smaller than <paramref name="batchSize"/>.</param>
    /// <param name="rows">
    /// The rows of <paramref name="dataset"/> to hand out (e.g. the training part of <see cref="Split.TrainTestRows"/>),
    /// read in place: the batches are those of a loader over <c>dataset.Slice(rows)</c>, without that copy. Null: all rows.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is not positive, or a row is outside the dataset.</exception>
    public DataLoader(Dataset<T> dataset, int? batchSize = null, BatchOrder order = BatchOrder.Sequential, int seed = 0, bool dropLast = false, int[]? rows = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize is { } b) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(b, nameof(batchSize));
        if (rows is not null)
        {
            foreach (int r in rows)
                if ((uint)r >= (uint)dataset.Count)
                    throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row {r} is outside the dataset's {dataset.Count} rows (0..{dataset.Count - 1}).");
            _rows = (int[])rows.Clone();
        }
        Dataset = dataset;
        RowCount = rows?.Length ?? dataset.Count;
        BatchSize = batchSize ?? Math.Max(RowCount, 1);
        Order = order;
        Seed = seed;
        DropLast = dropLast;
        _xShape = dataset.X.ShapeArray;
        _yShape = dataset.Y.ShapeArray;
    }

    /// <summary>A loader that hands out the whole dataset as one batch per epoch.</summary>
    public static DataLoader<T> FullBatch(Dataset<T> dataset) => new(dataset);

    /// <summary>A loader of shuffled mini-batches (a new seeded permutation every epoch), of all rows or of the rows <paramref name="rows"/>.</summary>
    public static DataLoader<T> MiniBatches(Dataset<T> dataset, int batchSize, int seed, bool dropLast = false, int[]? rows = null)
        => new(dataset, batchSize, BatchOrder.Shuffled, seed, dropLast, rows);

    /// <summary>A loader of consecutive chunks in dataset order.</summary>
    public static DataLoader<T> Sequential(Dataset<T> dataset, int batchSize, bool dropLast = false)
        => new(dataset, batchSize, BatchOrder.Sequential, 0, dropLast);

    /// <summary>The data.</summary>
    public Dataset<T> Dataset { get; }

    /// <summary>The rows handed out per epoch (all of <see cref="Dataset"/>, or the chosen rows).</summary>
    public int RowCount { get; }

    /// <summary>Rows per batch (the last batch may be smaller unless <see cref="DropLast"/>).</summary>
    public int BatchSize { get; }

    /// <summary>Sequential or shuffled.</summary>
    public BatchOrder Order { get; }

    /// <summary>The shuffle seed.</summary>
    public int Seed { get; }

    /// <summary>Whether a smaller last batch is left out.</summary>
    public bool DropLast { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => DropLast ? RowCount / BatchSize : (RowCount + BatchSize - 1) / BatchSize;

    /// <summary>The current epoch (0-based): the one the next enumeration continues.</summary>
    public int Epoch { get; private set; }

    /// <summary>The next batch to hand out within <see cref="Epoch"/>.</summary>
    public int NextBatch { get; private set; }

    /// <summary>The position to save in a checkpoint.</summary>
    public DataLoaderState State => new(Epoch, NextBatch);

    /// <summary>Continues from a saved position (from <see cref="State"/> of a loader with the same settings).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The position is negative or past the epoch's end.</exception>
    public void Restore(DataLoaderState state)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(state.Epoch, nameof(state));
        if (state.NextBatch < 0 || state.NextBatch > BatchCount)
            throw new ArgumentOutOfRangeException(nameof(state), $"Batch {state.NextBatch} is outside 0..{BatchCount} for this loader's {BatchCount} batches per epoch.");
        Epoch = state.Epoch;
        NextBatch = state.NextBatch;
    }

    /// <summary>
    /// The row order of an epoch, as indices into <see cref="Dataset"/>: the rows in order for sequential loaders,
    /// otherwise a permutation of them that depends only on <see cref="Seed"/>, <paramref name="epoch"/> and <see cref="RowCount"/>.
    /// </summary>
    public int[] RowOrder(int epoch) => (int[])OrderFor(epoch).Clone();

    private int[] OrderFor(int epoch)
    {
        if (_order is not null && (_orderEpoch == epoch || Order == BatchOrder.Sequential)) return _order;
        int n = RowCount;
        if (Order == BatchOrder.Sequential)
        {
            _order = new int[n];
            for (int i = 0; i < n; i++) _order[i] = i;
        }
        else
            _order = DataRandom.ForStream(Seed, epoch).Permutation(n);
        if (_rows is not null)
            for (int i = 0; i < n; i++) _order[i] = _rows[_order[i]];
        _orderEpoch = epoch;
        return _order;
    }

    /// <summary>
    /// Hands out the remaining batches of the current epoch, then advances to the next epoch. The batches come from the
    /// same path as <see cref="IBatchSource{T}.Batches(int, int)"/> (with the next batch prefetched when that pays).
    /// </summary>
    public IEnumerator<Batch<T>> GetEnumerator()
    {
        if (NextBatch >= BatchCount && BatchCount > 0) { Epoch++; NextBatch = 0; }
        int epoch = Epoch, index = NextBatch;
        foreach (var (x, y) in BatchesFrom(epoch, index))
        {
            if (Epoch != epoch || NextBatch != index) yield break; // restored elsewhere while enumerating
            NextBatch = index + 1;
            yield return new Batch<T>(x, y, epoch, index);
            index++;
        }
        if (Epoch == epoch && NextBatch >= BatchCount) { Epoch++; NextBatch = 0; }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    int IBatchSource<T>.ExampleCount => DropLast ? BatchCount * BatchSize : RowCount;

    IEnumerable<(Tensor<T> Features, Tensor<T> Targets)> IBatchSource<T>.Batches(int epoch) => BatchesFrom(epoch, 0);

    IEnumerable<(Tensor<T> Features, Tensor<T> Targets)> IBatchSource<T>.Batches(int epoch, int firstBatch) => BatchesFrom(epoch, firstBatch);

    private IEnumerable<(Tensor<T> Features, Tensor<T> Targets)> BatchesFrom(int epoch, int first)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        int count = BatchCount;
        bool gathers = Order == BatchOrder.Shuffled || BatchSize < Dataset.Count || _rows is not null;
        if (count < 2 || !gathers || Environment.ProcessorCount < 2 || (long)BatchSize * (Dataset.X.Size / Math.Max(Dataset.Count, 1)) < PrefetchElements)
        {
            for (int i = first; i < count; i++)
            {
                var batch = GetBatch(epoch, i);
                yield return (batch.X, batch.Y);
            }
            yield break;
        }

        // Double buffering: while the caller trains on one buffer, the next batch is gathered into the other — by the
        // GEMM's helper thread between products (awake during training anyway; a thread-pool hand-off per batch woke a
        // third thread on two cores), or by the caller itself when nobody has started it by the time it is needed.
        // The row order is fixed before the first gather, so the gather only reads shared state.
        var order = OrderFor(epoch);
        _prefetch ??= [(Buffer(_xShape, BatchSize), Buffer(_yShape, BatchSize)), (Buffer(_xShape, BatchSize), Buffer(_yShape, BatchSize))];
        var slots = _prefetch;
        (Tensor<T>, Tensor<T>) Gather(int index)
        {
            int start = index * BatchSize;
            int size = Math.Min(BatchSize, RowCount - start);
            var (x, y) = size == BatchSize ? slots[index & 1] : (_xTail ??= Buffer(_xShape, size), _yTail ??= Buffer(_yShape, size));
            var rows = order.AsSpan(start, size);
            Dataset<T>.GatherRowsInto(Dataset.X, rows, x.Data);
            Dataset<T>.GatherRowsInto(Dataset.Y, rows, y.Data);
            return (x, y);
        }

        if (first >= count) yield break;
        GatherAhead? next = GatherAhead.Post(Gather, first);
        try
        {
            for (int i = first; i < count; i++)
            {
                next!.Complete();
                var batch = next.Result;
                int following = i + 1;
                next = following < count ? GatherAhead.Post(Gather, following) : null;
                yield return batch;
            }
        }
        finally
        {
            // A caller that stops early (cancellation, divergence) must not leave a gather writing into the buffers.
            next?.Wait();
        }
    }

    /// <summary>One batch gathered ahead (see <see cref="Kernels.GemmTeam.Post"/>).</summary>
    private sealed class GatherAhead(Func<int, (Tensor<T>, Tensor<T>)> gather, int index) : Kernels.TeamTask
    {
        public (Tensor<T>, Tensor<T>) Result { get; private set; }

        protected override void Execute() => Result = gather(index);

        public static GatherAhead Post(Func<int, (Tensor<T>, Tensor<T>)> gather, int index)
        {
            var task = new GatherAhead(gather, index);
            Kernels.GemmTeam.Post(task);
            return task;
        }
    }

    /// <summary>Batches of fewer elements are gathered on the caller's thread (a hand-off costs a few microseconds).</summary>
    private const long PrefetchElements = 8192;

    private (Tensor<T> X, Tensor<T> Y)[]? _prefetch;

    /// <summary>The batch at <paramref name="index"/> of <paramref name="epoch"/>, without moving the loader's position.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside 0..BatchCount−1.</exception>
    public Batch<T> GetBatch(int epoch, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if ((uint)index >= (uint)BatchCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Batch {index} is outside 0..{BatchCount - 1}.");
        return MakeBatch(epoch, index);
    }

    private Batch<T> MakeBatch(int epoch, int index)
    {
        int start = index * BatchSize;
        int size = Math.Min(BatchSize, RowCount - start);
        if (Order == BatchOrder.Sequential && _rows is null && size == Dataset.Count)
            return new Batch<T>(Dataset.X, Dataset.Y, epoch, index);
        var rows = OrderFor(epoch).AsSpan(start, size);
        bool full = size == BatchSize;
        var x = full ? (_xBuffer ??= Buffer(_xShape, size)) : (_xTail ??= Buffer(_xShape, size));
        var y = full ? (_yBuffer ??= Buffer(_yShape, size)) : (_yTail ??= Buffer(_yShape, size));
        Dataset<T>.GatherRowsInto(Dataset.X, rows, x.Data);
        Dataset<T>.GatherRowsInto(Dataset.Y, rows, y.Data);
        return new Batch<T>(x, y, epoch, index);
    }

    private static Tensor<T> Buffer(int[] shape, int rows)
    {
        var s = (int[])shape.Clone();
        s[0] = rows;
        return new Tensor<T>(s).Unscoped(); // reused by every batch, whatever scope the first one runs in
    }
}
