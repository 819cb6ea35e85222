namespace Descent.Tests.Ops;

/// <summary>Property tests of the ShapeOps ops (src/Descent/Ops/ShapeOps.cs): the registry lines of that family.</summary>
public partial class ShapeOpsTests
{
    public static TheoryData<string> Ops => OpRegistry.Family("ShapeOps");

    [Theory]
    [MemberData(nameof(Ops))]
    public void ValuesMatchReferenceAndGradientsMatchFiniteDifferences(string op) => OpHarness.Verify(OpRegistry.Get(op));
}
