using Descent.Learning.Training;

namespace Descent.Tests.Learning.Training;

/// <summary>A write that fails part-way (a full disk) leaves the old file exactly as it was, and no temporary file.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AFailedWriteKeepsTheOldFile()
    {
        string path = Path.Combine(_dir, "graph.dot");
        File.WriteAllText(path, "digraph { old }");
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("digraph { ne"u8);
            throw new IOException("No space left on device");
        }));
        Assert.Equal("No space left on device", e.Message);
        Assert.Equal("digraph { old }", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));

        AtomicFile.WriteAllText(path, "digraph { new }");
        Assert.Equal("digraph { new }", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }
}
