namespace Descent.Tests.Ops;

/// <summary>Property tests of the Indexing ops (src/Descent/Ops/Indexing.cs): the registry lines of that family.</summary>
public partial class IndexingTests
{
    public static TheoryData<string> Ops => OpRegistry.Family("Indexing");

    [Theory]
    [MemberData(nameof(Ops))]
    public void ValuesMatchReferenceAndGradientsMatchFiniteDifferences(string op) => OpHarness.Verify(OpRegistry.Get(op));
}
