namespace Descent.Tests.Ops;

/// <summary>Property tests of the Activations ops (src/Descent/Ops/Activations.cs): the registry lines of that family.</summary>
public partial class ActivationsTests
{
    public static TheoryData<string> Ops => OpRegistry.Family("Activations");

    [Theory]
    [MemberData(nameof(Ops))]
    public void ValuesMatchReferenceAndGradientsMatchFiniteDifferences(string op) => OpHarness.Verify(OpRegistry.Get(op));
}
