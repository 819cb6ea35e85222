namespace Descent.Tests.Ops;

/// <summary>Property tests of the LinearAlgebra ops (src/Descent/Ops/LinearAlgebra.cs): the registry lines of that family.</summary>
public partial class LinearAlgebraTests
{
    public static TheoryData<string> Ops => OpRegistry.Family("LinearAlgebra");

    [Theory]
    [MemberData(nameof(Ops))]
    public void ValuesMatchReferenceAndGradientsMatchFiniteDifferences(string op) => OpHarness.Verify(OpRegistry.Get(op));
}
