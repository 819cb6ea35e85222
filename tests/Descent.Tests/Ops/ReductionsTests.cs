namespace Descent.Tests.Ops;

/// <summary>Property tests of the Reductions ops (src/Descent/Ops/Reductions.cs): the registry lines of that family.</summary>
public partial class ReductionsTests
{
    public static TheoryData<string> Ops => OpRegistry.Family("Reductions");

    [Theory]
    [MemberData(nameof(Ops))]
    public void ValuesMatchReferenceAndGradientsMatchFiniteDifferences(string op) => OpHarness.Verify(OpRegistry.Get(op));
}
