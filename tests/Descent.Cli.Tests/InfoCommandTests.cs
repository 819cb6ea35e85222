using Descent.Cli.Infrastructure;
using Descent.Kernels;

namespace Descent.Cli.Tests;

/// <summary>
/// <c>descent info</c> under the JIT (the test host). The Native AOT side — the x86-64-v3 executable exec'ing the
/// x86-64-v4 one on an AVX-512 CPU, and staying with <c>DOTNET_EnableAVX512=0</c> — is checked through the installed
/// tool by eng/smoke-tool.sh (CI's packaging stage).
/// </summary>
public class InfoCommandTests
{
    [Fact]
    public void InfoNamesTheBuildAndTheKernels()
    {
        var (code, json) = Cli.Json("info");
        Assert.Equal(0, code);
        Assert.StartsWith("0.1.0", (string)json["version"]!, StringComparison.Ordinal);
        Assert.Equal("JIT", (string)json["build"]!);
        Assert.Equal(KernelInfo.GemmIsa, (string)json["kernels"]!);
        Assert.Equal(KernelInfo.Describe(), (string)json["kernel_details"]!);

        var (textCode, text, _) = Cli.Run("info");
        Assert.Equal(0, textCode);
        Assert.Contains("build:   JIT", text, StringComparison.Ordinal);
        Assert.Contains("kernels: gemm " + KernelInfo.GemmIsa, text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheJitSaysItPicksTheInstructionSetItself()
    {
        Assert.StartsWith("JIT", ToolBuild.Choice, StringComparison.Ordinal);
        Assert.Equal("JIT", ToolBuild.Build);
        // What the launcher says is for the Native AOT builds; the JIT is never started by it.
        Assert.StartsWith("JIT", ToolBuild.WhyThisBuild("x86-64-v3: DOTNET_EnableAVX512=0"), StringComparison.Ordinal);
    }
}
