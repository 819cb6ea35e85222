using System.Numerics;
using Descent.Learning.Data;
using Descent.Learning.Training;

namespace Descent.Cli.Infrastructure;

/// <summary>
/// Shuffled mini-batches over chosen rows of a dataset, gathered straight from the dataset into reused buffers: the
/// same batches as <c>DataLoader&lt;T&gt;.MiniBatches(dataset.Slice(rows), batchSize, seed)</c>, without the copy of
/// the chosen rows (which for a validation split of a large set would hold most of the data twice).
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class RowBatches<T> : IBatchSource<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Dataset<T> _data;
    private readonly int[] _rows;
    private readonly int _batchSize;
    private readonly DataLoader<double> _order;
    private Tensor<T>? _x, _y, _xTail, _yTail;

    /// <summary>Batches of <paramref name="batchSize"/> of the rows <paramref name="rows"/> (indices into <paramref name="data"/>, in that order).</summary>
    public RowBatches(Dataset<T> data, int[] rows, int batchSize, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _data = data;
        _rows = rows;
        _batchSize = batchSize;
        // A loader's shuffle depends only on the seed, the epoch and the row count, so a loader over a stand-in with
        // as many rows (one column of zeros) gives the permutation the loader over the sliced rows would use.
        _order = DataLoader<double>.MiniBatches(new Dataset<double>(Tensor.Zeros<double>(rows.Length, 1), Tensor.Zeros<double>(rows.Length, 1)), batchSize, seed);
    }

    /// <inheritdoc/>
    public int ExampleCount => _rows.Length;

    /// <summary>Batches per epoch (the last may be smaller).</summary>
    public int BatchCount => (_rows.Length + _batchSize - 1) / _batchSize;

    /// <inheritdoc/>
    public IEnumerable<(Tensor<T> Features, Tensor<T> Targets)> Batches(int epoch) => Batches(epoch, 0);

    /// <inheritdoc/>
    public IEnumerable<(Tensor<T> Features, Tensor<T> Targets)> Batches(int epoch, int firstBatch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstBatch);
        var order = _order.RowOrder(epoch);
        int n = _rows.Length;
        for (int start = (int)Math.Min(n, (long)firstBatch * _batchSize); start < n; start += _batchSize)
        {
            int count = Math.Min(_batchSize, n - start);
            bool full = count == _batchSize;
            var x = full ? (_x ??= Buffer(_data.X, count)) : (_xTail ??= Buffer(_data.X, count));
            var y = full ? (_y ??= Buffer(_data.Y, count)) : (_yTail ??= Buffer(_data.Y, count));
            Gather(_data.X, order, start, count, x);
            Gather(_data.Y, order, start, count, y);
            yield return (x, y);
        }
    }

    private void Gather(Tensor<T> source, int[] order, int start, int count, Tensor<T> destination)
    {
        int width = source.Size / source.Shape[0];
        var from = source.Data;
        var to = destination.Data;
        for (int i = 0; i < count; i++)
            from.Slice(_rows[order[start + i]] * width, width).CopyTo(to.Slice(i * width, width));
    }

    private static Tensor<T> Buffer(Tensor<T> like, int rows)
    {
        var shape = like.ShapeArray;
        shape[0] = rows;
        return Tensor.Zeros<T>(shape);
    }

    /// <summary>
    /// The rows <see cref="Split.TrainTest{T}"/> puts in each part of an <paramref name="count"/>-row dataset (the
    /// split depends only on the row count, the fraction and the seed), each in ascending order.
    /// </summary>
    public static (int[] Train, int[] Test) SplitRows(int count, double testFraction, int seed)
    {
        var index = Tensor.Zeros<double>(count, 1);
        var data = index.Data;
        for (int i = 0; i < count; i++) data[i] = i;
        var (train, test) = Split.TrainTest(new Dataset<double>(index, Tensor.Zeros<double>(count, 1)), testFraction, seed);
        static int[] Rows(Dataset<double> part)
        {
            var values = part.X.Data;
            var rows = new int[values.Length];
            for (int i = 0; i < rows.Length; i++) rows[i] = (int)values[i];
            return rows;
        }
        return (Rows(train), Rows(test));
    }
}
