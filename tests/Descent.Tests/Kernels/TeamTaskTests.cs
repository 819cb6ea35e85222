using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>
/// Work handed ahead to the GEMM's helper thread (<see cref="GemmTeam.Post"/>, what the data loader gathers the next
/// batch with): every task runs exactly once — on the helper, on the thread pool when the helper's slot is taken, or on
/// the owner's thread when nobody has started it — its result is visible to the owner, and its exception reaches
/// <see cref="TeamTask.Complete"/>.
/// </summary>
public class TeamTaskTests
{
    private sealed class Counting(int value) : TeamTask
    {
        public int Runs;
        public int Result;
        protected override void Execute()
        {
            Interlocked.Increment(ref Runs);
            Result = value * 2;
        }
    }

    private sealed class Failing : TeamTask
    {
        protected override void Execute() => throw new InvalidOperationException("gather failed");
    }

    [Fact]
    public void EveryTaskRunsOnceAndItsResultReachesTheOwner()
    {
        var a = new float[64 * 64];
        var b = new float[64 * 64];
        var c = new float[64 * 64];
        for (int i = 0; i < 200; i++)
        {
            // Two at a time (the second finds the helper's slot taken), with products between them as in training.
            var first = new Counting(i);
            var second = new Counting(-i);
            GemmTeam.Post(first);
            GemmTeam.Post(second);
            if (i % 3 == 0) Gemm.Multiply(a, 0, b, 0, c, 0, 64, 64, 64);
            first.Complete();
            second.Complete();
            Assert.Equal((1, 2 * i), (first.Runs, first.Result));
            Assert.Equal((1, -2 * i), (second.Runs, second.Result));
        }
    }

    [Fact]
    public void AnExceptionReachesCompleteButNotWait()
    {
        var task = new Failing();
        GemmTeam.Post(task);
        task.Wait();
        Assert.Equal("gather failed", Assert.Throws<InvalidOperationException>(task.Complete).Message);
    }
}
