using System.Runtime.InteropServices;
using Descent.Learning;
using Descent.Learning.Losses;
using Descent.Learning.Modules;
using Descent.Optimization;

namespace Descent.Tests.Tensors;

/// <summary>
/// <see cref="TensorScope"/>: what ends with a scope, what is kept, that memory comes back from the pool, and that
/// training in scopes gives bit-identical results to training without (src/Descent/Tensors/TensorScope.cs).
/// </summary>
/// <remarks>
/// The pool is shared by every test in the process, so these tests identify reuse by the storage array itself (an
/// unusual length, which no other test allocates), never by <see cref="TensorScope.PooledBytes"/>.
/// </remarks>
public class TensorScopeTests
{
    private static T[] StorageOf<T>(Tensor<T> t) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T> => t.Buffer;

    [Fact]
    public void ATensorMadeInAScopeIsDisposedAtItsEndWithAClearError()
    {
        var outside = Tensor.FromArray([1.0, 2.0, 3.0]);
        Tensor<double> inside;
        using (new TensorScope())
        {
            inside = (outside * 2.0).Reshape(3, 1);
            Assert.False(inside.IsDisposed);
            Assert.Equal([2.0, 4.0, 6.0], inside.ToArray());
        }
        Assert.True(inside.IsDisposed);
        Assert.False(outside.IsDisposed);
        Assert.Equal([1.0, 2.0, 3.0], outside.ToArray()); // made before the scope: untouched
        var error = Assert.Throws<ObjectDisposedException>(() => inside.ToArray());
        Assert.Contains("TensorScope", error.Message);
        Assert.Contains("Keep", error.Message);
        Assert.Contains("[3, 1]", error.Message);
        Assert.Throws<ObjectDisposedException>(() => _ = inside.Size);
        Assert.Throws<ObjectDisposedException>(() => inside.Item());
        Assert.Throws<ObjectDisposedException>(() => _ = inside + outside.Reshape(3, 1));
        Assert.Equal([3, 1], inside.ShapeArray); // the shape stays readable, for messages
    }

    [Fact]
    public void TheNextScopeGetsTheSameArrayBackAndZerosAreZeros()
    {
        const int n = 1031 * 3; // a length no other test uses
        float[] first;
        using (new TensorScope())
        {
            var t = Tensor.Full(7f, n);
            first = StorageOf(t);
        }
        using (new TensorScope())
        {
            var again = Tensor.Zeros<float>(n);
            Assert.Same(first, StorageOf(again));
            Assert.All(again.ToArray(), v => Assert.Equal(0f, v)); // a zeroed tensor is cleared even when reused
            var sum = again + 1f;                                  // uninitialised results are fully written
            Assert.All(sum.ToArray(), v => Assert.Equal(1f, v));
        }
    }

    [Fact]
    public void SmallArraysAreNotPooledButTheirTensorsAreDisposed()
    {
        float[] first;
        Tensor<float> small;
        using (new TensorScope())
        {
            small = Tensor.Full(3f, 10);
            first = StorageOf(small);
        }
        Assert.True(small.IsDisposed);
        using (new TensorScope()) Assert.NotSame(first, StorageOf(Tensor.Zeros<float>(10)));
    }

    [Fact]
    public void AKeptTensorAndTheStorageItSharesSurviveLaterScopes()
    {
        const int n = 1033 * 2;
        Tensor<double> kept, view;
        using (var scope = new TensorScope())
        {
            var owner = Tensor.Full(5.0, n);
            view = owner.Reshape(2, 1033);          // a view of the owner's storage
            kept = scope.Keep(view);
            Assert.Same(view, kept);
        }
        Assert.False(kept.IsDisposed);
        // Later scopes of the same length must not get the kept storage.
        for (int i = 0; i < 3; i++)
            using (new TensorScope())
            {
                var other = Tensor.Full(-1.0, n);
                Assert.NotSame(StorageOf(kept), StorageOf(other));
            }
        Assert.All(kept.ToArray(), v => Assert.Equal(5.0, v));
    }

    [Fact]
    public void KeepInAnInnerScopeKeepsItBeyondTheOuterOneToo()
    {
        const int n = 1039;
        Tensor<double> kept;
        using (var outer = new TensorScope())
        {
            var owner = Tensor.Full(2.0, n);   // owned in the outer scope
            using (var inner = new TensorScope())
                kept = inner.Keep(owner.Reshape(1, n));
            Assert.False(kept.IsDisposed);
            Assert.False(owner.IsDisposed);
        }
        Assert.False(kept.IsDisposed);
        using (new TensorScope()) Assert.NotSame(StorageOf(kept), StorageOf(Tensor.Zeros<double>(n)));
        Assert.All(kept.ToArray(), v => Assert.Equal(2.0, v));
    }

    [Fact]
    public void KeepingADisposedTensorThrowsAndKeepOutsideAnyScopeIsHarmless()
    {
        Tensor<double> gone;
        using (new TensorScope()) gone = Tensor.Zeros<double>(4);
        using var scope = new TensorScope();
        Assert.Throws<ObjectDisposedException>(() => scope.Keep(gone));
        Assert.Throws<ArgumentNullException>(() => scope.Keep<double>(null!));
        var free = Tensor.Zeros<double>(2);
        scope.Dispose();
        Assert.True(free.IsDisposed);
        var plain = Tensor.Zeros<double>(2);
        Assert.Same(plain, new TensorScope().Keep(plain) is var k ? k : null); // a scope left open by the next line's dispose
        TensorScope.Current!.Dispose();
        Assert.False(plain.IsDisposed);
        Assert.Null(TensorScope.Current);
    }

    [Fact]
    public void DisposingAnOuterScopeEndsTheInnerOnesLeftOpen()
    {
        var outer = new TensorScope();
        var a = Tensor.Zeros<double>(3);
        var inner = new TensorScope();
        var b = Tensor.Zeros<double>(3);
        Assert.Same(inner, TensorScope.Current);
        outer.Dispose();
        Assert.True(a.IsDisposed);
        Assert.True(b.IsDisposed);
        Assert.Null(TensorScope.Current);
        inner.Dispose(); // a second dispose does nothing
        outer.Dispose();
        Assert.Null(TensorScope.Current);
    }

    [Fact]
    public void AScopeCoversItsOwnThreadOnly()
    {
        using var scope = new TensorScope();
        (TensorScope? Current, Tensor<double>) other = default;
        var thread = new Thread(() => other = (TensorScope.Current, Tensor.Zeros<double>(3)));
        thread.Start();
        thread.Join();
        Assert.Null(other.Current);
        scope.Dispose();
        Assert.False(other.Item2!.IsDisposed);
    }

    [Fact]
    public void AScopeDisposedOnAnotherThreadIsLeftByItsOwn()
    {
        var scope = new TensorScope();
        var made = Tensor.Zeros<double>(3);
        var thread = new Thread(scope.Dispose); // as a `using` that resumes after an await on another thread
        thread.Start();
        thread.Join();
        Assert.True(made.IsDisposed);
        var after = Tensor.Zeros<double>(3); // not collected into the ended scope
        Assert.Null(TensorScope.Current);
        Assert.False(after.IsDisposed);
    }

    [Fact]
    public void AGradientStoredInAScopeIsKeptAndCorrect()
    {
        var w = Tensor.FromArray([1.5, -2.0, 0.25]).WithGrad();
        using (new TensorScope())
        {
            var loss = (w * w * 3.0).Sum(); // d/dw = 6w
            loss.Backward();
        }
        Assert.NotNull(w.Grad);
        Assert.False(w.Grad!.IsDisposed);
        Assert.Equal([9.0, -12.0, 1.5], w.Grad.ToArray());
        using (new TensorScope()) (w.Sum() * 2.0).Backward(); // accumulates into the kept gradient
        Assert.Equal([11.0, -10.0, 3.5], w.Grad.ToArray());
    }

    [Fact]
    public void ALimitOfZeroTurnsThePoolOff()
    {
        long before = TensorScope.PoolLimitBytes;
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorScope.PoolLimitBytes = -1);
        try
        {
            TensorScope.PoolLimitBytes = 0;
            const int n = 1049;
            double[] first;
            using (new TensorScope()) first = StorageOf(Tensor.Full(1.0, n));
            using (new TensorScope()) Assert.NotSame(first, StorageOf(Tensor.Zeros<double>(n)));
        }
        finally { TensorScope.PoolLimitBytes = before; }
    }

    /// <summary>
    /// Property: a CNN with batch-norm and dropout, trained with Adam for several steps, is bit-identical whether each step
    /// runs in a scope or not — over random sizes and seeds (what the trainer relies on).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TrainingInScopesIsBitIdenticalToTrainingWithout(int seed)
    {
        var random = new Random(seed);
        int channels = random.Next(2, 5), size = 2 * random.Next(6, 10), batch = random.Next(2, 6), classes = random.Next(2, 5);
        var x = Tensor.RandomNormal<float>([batch, 1, size, size], seed);
        var y = Tensor.FromArray(Enumerable.Range(0, batch).Select(i => (float)(i % classes)).ToArray());
        float[][] Run(bool scoped)
        {
            var model = new Sequential<float>(
                new Conv2d<float>(1, channels, 3, padding: ConvPadding.Same, random: new Random(seed)),
                new BatchNorm2d<float>(channels), Activation<float>.Relu(), new MaxPool2d<float>(2), new Flatten<float>(),
                new Dropout<float>(0.2, seed: seed),
                new Linear<float>(channels * size * size / 4, classes, random: new Random(seed + 1)));
            var optimizer = new Optimizer<float>(model.Parameters(), Optimizers.Adam<float>(0.01));
            for (int step = 0; step < 4; step++)
            {
                var scope = scoped ? new TensorScope() : null;
                var loss = Loss.SoftmaxCrossEntropy(model.Forward(x), y);
                loss.Backward();
                optimizer.Step();
                model.ZeroGrad();
                scope?.Dispose();
            }
            return model.NamedState().Select(p => p.Tensor.ToArray()).ToArray();
        }
        var plain = Run(false);
        var scoped = Run(true);
        Assert.Equal(plain.Length, scoped.Length);
        for (int i = 0; i < plain.Length; i++)
            Assert.Equal(MemoryMarshal.AsBytes(plain[i].AsSpan()).ToArray(), MemoryMarshal.AsBytes(scoped[i].AsSpan()).ToArray());
    }
}
