#:project ../src/Descent/Descent.csproj
#:property PublishAot=false
#:property Configuration=Release
// What --augment shift=2,hflip costs: one Fashion-MNIST epoch of batches (938 × 64 images of 28×28) gathered by the
// loader, then augmented, each timed on this thread's CPU clock (alternating, 3 rounds; the median is printed).
// Run: dotnet run benchmarks/augment-overhead.cs   (about 10 s; needs Debian's dataset-fashion-mnist)
using System.Diagnostics;
using Descent.Learning.Data;

var (train, _) = Mnist.LoadFashionMnist<float>();
var loader = DataLoader<float>.MiniBatches(train, 64, seed: 0);
var augmented = new ImageAugmentation(1, 28, 28, maxShift: 2, horizontalFlip: true, seed: 0).Wrap(loader);
IBatchSource<float> plain = loader;

static double CpuSeconds(Action run)
{
    var before = ThreadCpu();
    run();
    return ThreadCpu() - before;
}
// Thread CPU time (Linux /proc/thread-self/stat: utime + stime in clock ticks), not disturbed by other processes' load.
static double ThreadCpu()
{
    var fields = File.ReadAllText("/proc/thread-self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
}
static void Drain(IBatchSource<float> source, int epoch) { foreach (var _ in source.Batches(epoch)) { } }

Drain(plain, 0); Drain(augmented, 0); // warm up
var gather = new List<double>();
var both = new List<double>();
for (int round = 1; round <= 3; round++)
{
    gather.Add(CpuSeconds(() => Drain(plain, round)));
    both.Add(CpuSeconds(() => Drain(augmented, round)));
}
double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
double g = Median(gather), a = Median(both) - g;
Console.WriteLine($"one epoch of 938 batches of 64: gathering {g * 1000:F0} ms CPU, augmenting (shift=2,hflip) {a * 1000:F0} ms CPU more ({a / 938 * 1e6:F0} µs a batch)");
Console.WriteLine("(the gather may run on a second core when batches are prefetched; a CNN step of the default network takes about 43 ms: docs/performance.md)");
