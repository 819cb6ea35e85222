namespace Descent.Tests.Ops;

/// <summary>Property tests of the Exponential ops (src/Descent/Ops/Exponential.cs): the registry lines of that family.</summary>
public partial class ExponentialTests
{
    public static TheoryData<string> Ops => OpRegistry.Family("Exponential");

    [Theory]
    [MemberData(nameof(Ops))]
    public void ValuesMatchReferenceAndGradientsMatchFiniteDifferences(string op) => OpHarness.Verify(OpRegistry.Get(op));
}
