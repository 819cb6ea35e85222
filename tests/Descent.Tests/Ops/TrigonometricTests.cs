namespace Descent.Tests.Ops;

/// <summary>Property tests of the Trigonometric ops (src/Descent/Ops/Trigonometric.cs): the registry lines of that family.</summary>
public partial class TrigonometricTests
{
    public static TheoryData<string> Ops => OpRegistry.Family("Trigonometric");

    [Theory]
    [MemberData(nameof(Ops))]
    public void ValuesMatchReferenceAndGradientsMatchFiniteDifferences(string op) => OpHarness.Verify(OpRegistry.Get(op));
}
