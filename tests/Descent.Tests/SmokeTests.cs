namespace Descent.Tests;

public class SmokeTests
{
    [Fact]
    public void VersionIsSet() => Assert.False(string.IsNullOrEmpty(DescentInfo.Version));
}
