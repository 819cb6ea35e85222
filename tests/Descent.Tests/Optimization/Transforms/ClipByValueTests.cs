using Descent.Optimization.Transforms;

namespace Descent.Tests.Optimization.Transforms;

public class ClipByValueTests
{
    [Fact]
    public void ClampsEachElement()
    {
        var sut = new ClipByValue<double>(1);
        var u = TransformHarness.Apply(sut, sut.Init([3]), [[0, 0, 0]], [[-5, 0.5, 2]]);
        Assert.Equal([-1, 0.5, 1], u[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClipByValue<double>(0));
    }
}
