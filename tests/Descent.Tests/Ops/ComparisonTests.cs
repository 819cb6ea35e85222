namespace Descent.Tests.Ops;

/// <summary>Property tests of the Comparison ops (src/Descent/Ops/Comparison.cs): the registry lines of that family.</summary>
public partial class ComparisonTests
{
    public static TheoryData<string> Ops => OpRegistry.Family("Comparison");

    [Theory]
    [MemberData(nameof(Ops))]
    public void ValuesMatchReferenceAndGradientsMatchFiniteDifferences(string op) => OpHarness.Verify(OpRegistry.Get(op));
}
