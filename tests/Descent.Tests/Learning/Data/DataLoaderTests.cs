using CsCheck;
using Descent.Learning.Data;

namespace Descent.Tests.Learning.Data;

public class DataLoaderTests
{
    private static Dataset<double> Rows(int n)
    {
        var x = new double[n * 2];
        for (int i = 0; i < n; i++) (x[2 * i], x[2 * i + 1]) = (i, 100 + i);
        return Dataset.From(Tensor.FromArray(x, n, 2), Tensor.FromArray(Enumerable.Range(0, n).Select(i => (double)i).ToArray(), n, 1));
    }

    private static List<double[]> Epoch(DataLoader<double> loader) => loader.Select(b => b.Y.ToArray()).ToList();

    [Fact]
    public void FullBatchIsTheDataset()
    {
        var data = Rows(5);
        var loader = DataLoader<double>.FullBatch(data);
        Assert.Equal(1, loader.BatchCount);
        var batches = loader.ToList();
        Assert.Single(batches);
        Assert.Same(data.X, batches[0].X);
        Assert.Equal(1, loader.Epoch);
    }

    [Fact]
    public void SequentialChunksAndDropLast()
    {
        var loader = DataLoader<double>.Sequential(Rows(7), 3);
        Assert.Equal(3, loader.BatchCount);
        var epoch = Epoch(loader);
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6]], epoch);
        var batch = loader.GetBatch(0, 1);
        Assert.Equal(new double[] { 3, 103, 4, 104, 5, 105 }, batch.X.ToArray());

        var dropping = DataLoader<double>.Sequential(Rows(7), 3, dropLast: true);
        Assert.Equal(2, dropping.BatchCount);
        Assert.Equal(2, Epoch(dropping).Count);
        Assert.Equal(0, DataLoader<double>.Sequential(Rows(7), 8, dropLast: true).BatchCount);
        Assert.Equal([[0, 1, 2, 3, 4, 5, 6]], Epoch(DataLoader<double>.Sequential(Rows(7), 8)));
    }

    [Fact]
    public void ShuffledEpochsArePermutationsThatDifferAndRepeat()
    {
        var loader = DataLoader<double>.MiniBatches(Rows(10), 4, seed: 5);
        var e0 = Epoch(loader).SelectMany(b => b).ToArray();
        var e1 = Epoch(loader).SelectMany(b => b).ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (double)i), e0.Order());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (double)i), e1.Order());
        Assert.NotEqual(e0, e1);
        var again = DataLoader<double>.MiniBatches(Rows(10), 4, seed: 5);
        Assert.Equal(e0, Epoch(again).SelectMany(b => b).ToArray());
        Assert.Equal(e1, Epoch(again).SelectMany(b => b).ToArray());
        Assert.Equal(loader.RowOrder(1).Select(i => (double)i), e1);
        // Features stay paired with their targets after the gather.
        foreach (var (x, y) in again)
            for (int i = 0; i < y.Size; i++) Assert.Equal(y.Data[i] + 100, x.Data[2 * i + 1]);
    }

    [Fact]
    public void ResumesBitIdenticallyMidEpoch()
    {
        var reference = DataLoader<double>.MiniBatches(Rows(11), 3, seed: 9);
        var expected = new List<double[]>();
        for (int e = 0; e < 3; e++) expected.AddRange(Epoch(reference));

        var first = DataLoader<double>.MiniBatches(Rows(11), 3, seed: 9);
        var seen = new List<double[]>();
        DataLoaderState saved = default;
        foreach (var b in first)
        {
            seen.Add(b.Y.ToArray());
            if (b.Index == 1) { saved = first.State; break; }
        }
        Assert.Equal(new DataLoaderState(0, 2), saved);
        var resumed = DataLoader<double>.MiniBatches(Rows(11), 3, seed: 9);
        resumed.Restore(saved);
        while (seen.Count < expected.Count) seen.AddRange(Epoch(resumed));
        Assert.Equal(expected, seen);
        Assert.Equal(3, resumed.Epoch);
    }

    [Fact]
    public void StateSavedAfterLastBatchRollsOver()
    {
        var loader = DataLoader<double>.MiniBatches(Rows(6), 3, seed: 1);
        DataLoaderState state = default;
        foreach (var _ in loader) state = loader.State;
        Assert.Equal(new DataLoaderState(0, 2), state);
        var resumed = DataLoader<double>.MiniBatches(Rows(6), 3, seed: 1);
        resumed.Restore(state);
        Assert.Equal(loader.RowOrder(1).Take(3).Select(i => (double)i), resumed.First().Y.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => resumed.Restore(new DataLoaderState(0, 3)));
    }

    [Fact]
    public void BuffersAreReusedAndLabelsKeepRankOne()
    {
        var data = SyntheticData.Blobs(10, seed: 2);
        var loader = DataLoader<double>.MiniBatches(data, 4, seed: 3);
        var batches = loader.ToList();
        Assert.Same(batches[0].X, batches[1].X);          // reused buffer: valid until the next batch
        Assert.Equal([2], batches[2].Y.ShapeArray);        // the smaller last batch
        Assert.Equal([4, 2], batches[0].X.ShapeArray);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader<double>(data, batchSize: 0));
    }

    [Fact]
    public void PrefetchedBatchesEqualTheDirectlyGatheredOnes()
        => Gen.Select(Gen.Int[2, 300], Gen.Int[1, 70], Gen.Int[1, 300], Gen.Bool).Sample((n, batch, width, dropLast) =>
        {
            // Wide rows make the batches big enough for the background gather; narrow ones take the direct path.
            var x = Tensor.RandomUniform<float>([n, width], seed: n);
            var y = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)i).ToArray());
            var loader = DataLoader<float>.MiniBatches(Dataset.From(x, y), batch, seed: width, dropLast: dropLast);
            for (int epoch = 0; epoch < 2; epoch++)
            {
                int index = 0;
                foreach (var (bx, by) in ((IBatchSource<float>)loader).Batches(epoch))
                {
                    var expected = loader.GetBatch(epoch, index++);
                    Assert.Equal(expected.X.ToArray(), bx.ToArray());
                    Assert.Equal(expected.Y.ToArray(), by.ToArray());
                }
                Assert.Equal(loader.BatchCount, index);
            }
        }, iter: 60);

    [Fact]
    public void StoppingEarlyLeavesNoGatherRunningAndTheNextEpochIsWhole()
    {
        var x = Tensor.RandomUniform<float>([1000, 256], seed: 1);
        var y = Tensor.FromArray(Enumerable.Range(0, 1000).Select(i => (float)i).ToArray());
        var loader = DataLoader<float>.MiniBatches(Dataset.From(x, y), 64, seed: 3);
        var source = (IBatchSource<float>)loader;
        foreach (var (bx, _) in source.Batches(0))
        {
            var first = bx.ToArray();
            Thread.Sleep(20); // the next gather has finished writing the other buffer by now, not this one
            Assert.Equal(first, bx.ToArray());
            break;
        }
        var seen = source.Batches(1).SelectMany(b => b.Targets.ToArray()).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (float)i), seen);
    }
}
