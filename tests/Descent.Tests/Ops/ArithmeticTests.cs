namespace Descent.Tests.Ops;

/// <summary>Property tests of the Arithmetic ops (src/Descent/Ops/Arithmetic.cs): the registry lines of that family.</summary>
public partial class ArithmeticTests
{
    public static TheoryData<string> Ops => OpRegistry.Family("Arithmetic");

    [Theory]
    [MemberData(nameof(Ops))]
    public void ValuesMatchReferenceAndGradientsMatchFiniteDifferences(string op) => OpHarness.Verify(OpRegistry.Get(op));
}
