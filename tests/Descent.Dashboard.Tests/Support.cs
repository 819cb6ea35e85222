using Descent.Learning.Data;
using Descent.Learning.Training;

namespace Descent.Dashboard.Tests;

/// <summary>Shuffled mini-batches with a pause before each, so a run is slow enough to watch and stop.</summary>
internal sealed class SlowBatches(Dataset<double> data, int batchSize, int delayMs) : IBatchSource<double>
{
    public int ExampleCount => data.Count;

    public IEnumerable<(Tensor<double> Features, Tensor<double> Targets)> Batches(int epoch)
    {
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(epoch).Shuffle(order);
        for (int start = 0; start < data.Count; start += batchSize)
        {
            Thread.Sleep(delayMs);
            var part = data.Slice(order[start..Math.Min(data.Count, start + batchSize)]);
            yield return (part.X, part.Y);
        }
    }
}

internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "descent-dashboard-" + Guid.NewGuid().ToString("N")[..10]);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
