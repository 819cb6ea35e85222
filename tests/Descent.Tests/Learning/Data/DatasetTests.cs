using Descent.Learning.Data;

namespace Descent.Tests.Learning.Data;

public class DatasetTests
{
    [Fact]
    public void FromArraysShapesAndNames()
    {
        var d = Dataset.From(new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }, new double[] { 7, 8, 9 }, ["a", "b"]);
        Assert.Equal(3, d.Count);
        Assert.Equal(2, d.FeatureCount);
        Assert.Equal([3, 2], d.X.ShapeArray);
        Assert.Equal([3, 1], d.Y.ShapeArray);
        Assert.Equal(["a", "b"], d.FeatureNames);
        Assert.Equal(["y"], d.TargetNames);
        Assert.False(d.IsClassification);
    }

    [Fact]
    public void RowCountMismatchNamesBothCounts()
    {
        var e = Assert.Throws<ShapeException>(() => Dataset.From(new double[,] { { 1 }, { 2 }, { 3 } }, new double[] { 1, 2 }));
        Assert.Contains("3 rows", e.Message);
        Assert.Contains("2", e.Message);
        var jagged = Assert.Throws<ShapeException>(() => Dataset.From(new[] { new[] { 1.0, 2 }, new[] { 1.0 } }, new double[] { 1, 2 }));
        Assert.Contains("row 1", jagged.Message);
    }

    [Fact]
    public void SliceGathersRowsInOrder()
    {
        var d = Dataset.From(new[] { new[] { 1.0, 2 }, new[] { 3.0, 4 }, new[] { 5.0, 6 } }, new double[] { 10, 20, 30 });
        var s = d.Slice([2, 0, 2]);
        Assert.Equal(new double[] { 5, 6, 1, 2, 5, 6 }, s.X.ToArray());
        Assert.Equal(new double[] { 30, 10, 30 }, s.Y.ToArray());
        Assert.Equal(d.FeatureNames, s.FeatureNames);
        Assert.Equal(new double[] { 3, 4 }, d.Slice(1, 1).X.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Slice([3]));
        Assert.Equal([0, 2], d.Slice([]).X.ShapeArray);
    }

    [Fact]
    public void LabelsAreValidatedAgainstClassCount()
    {
        var d = Dataset.FromLabels(new double[,] { { 0 }, { 1 }, { 2 } }, [0, 2, 1]);
        Assert.True(d.IsClassification);
        Assert.Equal(3, d.ClassCount);
        Assert.Equal([0, 2, 1], d.GetLabels());
        Assert.Equal(["label"], d.TargetNames);
        var e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels(new double[,] { { 0 }, { 1 } }, [0, 2], classCount: 2));
        Assert.Contains("row 1", e.Message);
        Assert.Throws<ArgumentException>(() => Dataset.FromLabels(new double[,] { { 0 } }, [-1]));
    }

    [Fact]
    public void CastKeepsEverything()
    {
        var d = Dataset.FromLabels(new double[,] { { 0.5 }, { 1.5 } }, [1, 0], 2).Cast<float>();
        Assert.Equal(new float[] { 0.5f, 1.5f }, d.X.ToArray());
        Assert.Equal(2, d.ClassCount);
        Assert.Equal([1, 0], d.GetLabels());
    }

    [Fact]
    public void ImageShapedFeatures()
    {
        var d = new Dataset<float>(Tensor.Zeros<float>(4, 2, 3), Tensor.FromArray(new float[] { 0, 1, 0, 1 }), classCount: 2);
        Assert.Equal(6, d.FeatureCount);
        Assert.Equal([2, 2, 3], d.Slice([1, 3]).X.ShapeArray);
    }
}
