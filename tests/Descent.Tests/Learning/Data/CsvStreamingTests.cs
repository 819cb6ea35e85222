using System.Diagnostics;
using System.Globalization;
using System.Text;
using Descent.Learning.Data;

namespace Descent.Tests.Learning.Data;

/// <summary>The streaming reader: delimiters detected from the header, task inference, binary input refused at once.</summary>
public sealed class CsvStreamingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-csv-stream-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text, string name = "data.csv")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('|')]
    [InlineData(',')]
    public void DetectsTheDelimiterFromTheHeader(char d)
    {
        string path = Write($"size{d}rooms{d}price\n100{d}3{d}2.5\n120{d}4{d}3.5\n");
        var (columns, delimiter) = CsvDataset.ReadHeader(path);
        Assert.Equal(d, delimiter);
        Assert.Equal(["size", "rooms", "price"], columns);
        var data = CsvDataset.Load<double>(path, "price");
        Assert.Equal(new double[] { 100, 3, 120, 4 }, data.X.ToArray());
        Assert.Equal(new double[] { 2.5, 3.5 }, data.Y.ToArray());
    }

    [Fact]
    public void ClassNamesAreInferredAsClassification()
    {
        var r = CsvDataset.Parse<double>("x,species\n1,setosa\n2,virginica\n3,setosa\n", ["species"], options: new CsvOptions { CategoricalTarget = null });
        Assert.True(r.Dataset.IsClassification);
        Assert.Equal(["setosa", "virginica"], r.Dataset.ClassNames!);
        Assert.Equal(new double[] { 0, 1, 0 }, r.Dataset.Y.ToArray());
        Assert.Contains("classification", r.TaskNote, StringComparison.Ordinal);
        Assert.Contains("class names", r.TaskNote, StringComparison.Ordinal);
    }

    [Fact]
    public void FewWholeNumbersAreInferredAsClasses()
    {
        var text = new StringBuilder("x,label\n");
        for (int i = 0; i < 30; i++) text.Append(CultureInfo.InvariantCulture, $"{i},{i % 3}\n");
        var r = CsvDataset.Parse<double>(text.ToString(), ["label"], options: new CsvOptions { CategoricalTarget = null });
        Assert.True(r.Dataset.IsClassification);
        Assert.Equal(["0", "1", "2"], r.Dataset.ClassNames!);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (double)(i % 3)), r.Dataset.Y.ToArray());
        Assert.Contains("3 different whole numbers", r.TaskNote, StringComparison.Ordinal);
    }

    [Fact]
    public void ManyDistinctOrFractionalNumbersAreRegression()
    {
        var text = new StringBuilder("x,price\n");
        for (int i = 0; i < 50; i++) text.Append(CultureInfo.InvariantCulture, $"{i},{1000 + 37 * i}\n");
        var r = CsvDataset.Parse<double>(text.ToString(), ["price"], options: new CsvOptions { CategoricalTarget = null });
        Assert.False(r.Dataset.IsClassification);
        Assert.Equal(1000 + 37 * 49, r.Dataset.Y.ToArray()[^1]);
        Assert.StartsWith("regression", r.TaskNote, StringComparison.Ordinal);

        var fractions = CsvDataset.Parse<double>("x,y\n1,0.5\n2,1.5\n3,0.5\n4,1.5\n", ["y"], options: new CsvOptions { CategoricalTarget = null });
        Assert.False(fractions.Dataset.IsClassification);   // few values, but not whole numbers

        // More distinct values than the inference keeps (1000): regression, read in one pass.
        var many = new StringBuilder("x,y\n");
        for (int i = 0; i < 3000; i++) many.Append(CultureInfo.InvariantCulture, $"{i},{i * 0.25}\n");
        var m = CsvDataset.Parse<double>(many.ToString(), ["y"], options: new CsvOptions { CategoricalTarget = null });
        Assert.False(m.Dataset.IsClassification);
        Assert.Equal(2999 * 0.25, m.Dataset.Y.ToArray()[^1]);
        Assert.Contains("more than 1000 different values", m.TaskNote, StringComparison.Ordinal);
    }

    [Fact]
    public void TextAfterManyNumbersNamesTheCell()
    {
        var text = new StringBuilder("x,y\n");
        for (int i = 0; i < 1500; i++) text.Append(CultureInfo.InvariantCulture, $"{i},{i * 0.5}\n");
        text.Append("7,oops\n");
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>(text.ToString(), ["y"], options: new CsvOptions { CategoricalTarget = null }));
        Assert.Equal(1502, e.Row);
        Assert.Equal("y", e.ColumnName);
        Assert.Contains("\"oops\" is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadCellNamesFileLineAndColumn()
    {
        string path = Write("a;b;y\n1;2;3\n4;5;6\n7;x8;9\n");
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load<double>(path, "y"));
        Assert.Equal(path, e.Path);
        Assert.Equal(4, e.Row);
        Assert.Equal("b", e.ColumnName);
        Assert.Equal(2, e.ColumnIndex);
        Assert.Contains($"{path}: line 4, column 'b' (2)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryFilesAreRefusedAtTheFirstLine()
    {
        var bytes = new byte[1 << 20];
        new Random(3).NextBytes(bytes);
        bytes[10] = 0;
        string path = Path.Combine(_dir, "random.bin");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load<double>(path, "y"));
        Assert.Contains("binary data", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.Row);

        string nul = Write("a,y\n1,2\n3\0,4\n", "nul.csv");
        Assert.Contains("line 3 holds binary data", Assert.Throws<DataFormatException>(() => CsvDataset.Load<double>(nul, "y")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DevZeroIsRefusedAtOnce()
    {
        if (!File.Exists("/dev/zero")) return; // not a Unix system: nothing to read
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load<double>("/dev/zero", "y"));
        Assert.Contains("binary data", e.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "reading /dev/zero must stop at its first byte");
    }

    [Fact]
    public void AnOverlongRecordIsRefusedWithBoundedMemory()
    {
        // A header, then one quoted field that never closes: the reader stops at its record limit, not at the end of memory.
        string path = Path.Combine(_dir, "long.csv");
        using (var w = new StreamWriter(path))
        {
            w.Write("a,y\n\"");
            var chunk = new string('x', 1 << 20);
            for (int i = 0; i < 20; i++) w.Write(chunk);
        }
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load<double>(path, "y"));
        Assert.Contains("longer than 16 Mi characters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StreamsALargeFileWithTheSameValues()
    {
        // 200,000 rows × 4 columns, written and read back: every value equal, in both element types.
        string path = Path.Combine(_dir, "large.csv");
        var random = new Random(11);
        var expected = new double[200_000 * 3];
        var targets = new double[200_000];
        using (var w = new StreamWriter(path))
        {
            w.Write("a|b|c|y\n");
            for (int i = 0; i < 200_000; i++)
            {
                for (int j = 0; j < 3; j++) expected[i * 3 + j] = Math.Round(random.NextDouble() * 1000, 3);
                targets[i] = Math.Round(random.NextDouble(), 6);
                w.Write(string.Create(CultureInfo.InvariantCulture, $"{expected[i * 3]}|{expected[i * 3 + 1]}|{expected[i * 3 + 2]}|{targets[i]}\n"));
            }
        }
        var d = CsvDataset.Load<double>(path, "y");
        Assert.Equal([200_000, 3], d.X.ShapeArray);
        Assert.Equal(expected, d.X.ToArray());
        Assert.Equal(targets, d.Y.ToArray());
        var f = CsvDataset.Load<float>(path, "y");
        Assert.Equal(expected.Select(v => (float)v), f.X.ToArray());
    }
}
