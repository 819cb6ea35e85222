using Descent.Learning.Data;

namespace Descent.Tests.Learning.Data;

public class OneHotTests
{
    [Fact]
    public void OneHotRoundTrips()
    {
        var labels = Tensor.FromArray(new float[] { 2, 0, 1 });
        var h = OneHot.Encode(labels, 3);
        Assert.Equal([3, 3], h.ShapeArray);
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0, 0, 1, 0 }, h.ToArray());
        Assert.Equal([2, 0, 1], OneHot.Decode(h));
        Assert.Contains("outside 0..2", Assert.Throws<ArgumentException>(() => OneHot.Encode<double>([0, 3], 3)).Message);
        Assert.Throws<ArgumentException>(() => OneHot.Encode(Tensor.FromArray(new[] { 0.5 }), 2));
    }
}
