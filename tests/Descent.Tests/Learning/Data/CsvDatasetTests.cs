using System.Globalization;
using System.Text;
using CsCheck;
using Descent.Learning.Data;

namespace Descent.Tests.Learning.Data;

public sealed class CsvDatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text, string name = "data.csv")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void LoadsFeaturesAndTarget()
    {
        string path = Write("a,b,y\n1,2,3\n4,5.5,-6e1\n");
        var d = CsvDataset.Load<double>(path, "y");
        Assert.Equal([2, 2], d.X.ShapeArray);
        Assert.Equal(new double[] { 1, 2, 4, 5.5 }, d.X.ToArray());
        Assert.Equal(new double[] { 3, -60 }, d.Y.ToArray());
        Assert.Equal(["a", "b"], d.FeatureNames);
        Assert.Equal(["y"], d.TargetNames);
    }

    [Fact]
    public void SelectsFeaturesInGivenOrderAndSeveralTargets()
    {
        var r = CsvDataset.Parse<float>("a;b;c;d\r\n1;2;3;4\r\n5;6;7;8", ["d", "a"], features: ["c", "b"]);
        Assert.Equal(';', r.Delimiter);
        Assert.Equal(new float[] { 3, 2, 7, 6 }, r.Dataset.X.ToArray());
        Assert.Equal(new float[] { 4, 1, 8, 5 }, r.Dataset.Y.ToArray());
        Assert.Equal(["d", "a"], r.Dataset.TargetNames);
    }

    [Theory]
    [InlineData('\t')]
    [InlineData('|')]
    public void DetectsDelimiters(char delimiter)
    {
        string text = $"x{delimiter}y\n1{delimiter}2\n";
        var r = CsvDataset.Parse<double>(text, ["y"]);
        Assert.Equal(delimiter, r.Delimiter);
        Assert.Equal(new double[] { 1 }, r.Dataset.X.ToArray());
    }

    [Fact]
    public void QuotedFieldsHoldDelimitersQuotesAndNewlines()
    {
        string text = "\"x, first\",\"label\"\n\"1.5\",\"a \"\"b\"\", c\"\n2,\"line\nbreak\"\n3,\"a \"\"b\"\", c\"\n";
        var d = CsvDataset.Parse<double>(text, ["label"], options: new CsvOptions { CategoricalTarget = true }).Dataset;
        Assert.Equal(["x, first"], d.FeatureNames);
        Assert.Equal(["a \"b\", c", "line\nbreak"], d.ClassNames!);
        Assert.Equal([0, 1, 0], d.GetLabels());
        Assert.Equal(new double[] { 1.5, 2, 3 }, d.X.ToArray());
    }

    [Fact]
    public void BadNumberReportsFileRowAndColumn()
    {
        string path = Write("a,b,y\n1,2,3\n4,five,6\n");
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load<double>(path, "y"));
        Assert.Equal(path, e.Path);
        Assert.Equal(3, e.Row);
        Assert.Equal("b", e.ColumnName);
        Assert.Equal(2, e.ColumnIndex);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'b' (2)", e.Message);
        Assert.Contains("\"five\"", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void RowNumbersCountLinesInsideQuotedFields()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>("n,y\n\"1\n\",2\nx,3\n", ["y"]));
        Assert.Equal(4, e.Row);
    }

    [Fact]
    public void MissingCellIsAnError()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>("a,b,y\n1,,3\n", ["y"]));
        Assert.Equal(2, e.Row);
        Assert.Equal("b", e.ColumnName);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void WrongFieldCountIsAnError()
    {
        var few = Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>("a,b,y\n1,2,3\n1,2\n", ["y"]));
        Assert.Equal(3, few.Row);
        Assert.Contains("2 fields but the header has 3", few.Message);
        Assert.Equal("y", few.ColumnName);
        var many = Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>("a,y\n1,2,3\n", ["y"]));
        Assert.Equal(2, many.Row);
        Assert.Equal(3, many.ColumnIndex);
    }

    [Fact]
    public void UnknownColumnListsTheAvailableOnes()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>("alpha,beta\n1,2\n", ["gamma"]));
        Assert.Contains("'gamma'", e.Message);
        Assert.Contains("'alpha', 'beta'", e.Message);
        Assert.Equal("gamma", e.ColumnName);
        Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>("alpha,beta\n1,2\n", ["beta"], features: ["delta"]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n  ")]
    public void EmptyFileIsAnError(string text)
    {
        string path = Write(text);
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load<double>(path, "y"));
        Assert.Contains("empty", e.Message);
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void HeaderWithoutRowsIsAnError()
        => Assert.Contains("no data rows", Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>("x,y\n", ["y"])).Message);

    [Fact]
    public void MalformedQuotesAreErrors()
    {
        Assert.Contains("never closed", Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>("x,y\n\"1,2\n", ["y"])).Message);
        Assert.Contains("after the closing quote", Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>("x,y\n\"1\"2,2\n", ["y"])).Message);
        Assert.Contains("quote inside", Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>("x,y\n1\"2,2\n", ["y"])).Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("inf")]
    [InlineData("-Infinity")]
    [InlineData("1e400")]
    public void NonFiniteIsRejectedUnlessDropped(string bad)
    {
        string text = $"x,y\n1,2\n{bad},3\n4,5\n";
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Parse<double>(text, ["y"]));
        Assert.Equal(3, e.Row);
        Assert.Equal("x", e.ColumnName);
        Assert.Contains("DropNonFinite", e.Message);

        var r = CsvDataset.Parse<double>(text, ["y"], options: new CsvOptions { DropNonFinite = true });
        Assert.Equal(1, r.DroppedRows);
        Assert.Equal([3], r.DroppedLines);
        Assert.Equal(new double[] { 1, 4 }, r.Dataset.X.ToArray());
        Assert.Equal(new double[] { 2, 5 }, r.Dataset.Y.ToArray());
    }

    [Fact]
    public void FloatOverflowIsNonFinite()
        => Assert.Contains("out of range", Assert.Throws<DataFormatException>(() => CsvDataset.Parse<float>("x,y\n1e39,1\n", ["y"])).Message);

    [Fact]
    public void CategoricalNumericLabelsSortNumerically()
    {
        var d = CsvDataset.Parse<double>("x,c\n1,10\n2,2\n3,1\n4,2\n", ["c"], options: new CsvOptions { CategoricalTarget = true }).Dataset;
        Assert.Equal(["1", "2", "10"], d.ClassNames!);
        Assert.Equal([2, 1, 0, 1], d.GetLabels());
        Assert.Equal(3, d.ClassCount);
    }

    [Fact]
    public void CategoricalStringLabelsSortOrdinally()
    {
        var d = CsvDataset.Parse<float>("x,species\n1,versicolor\n2,setosa\n3,virginica\n", ["species"], options: new CsvOptions { CategoricalTarget = true }).Dataset;
        Assert.Equal(["setosa", "versicolor", "virginica"], d.ClassNames!);
        Assert.Equal([1, 0, 2], d.GetLabels());
    }

    [Fact]
    public void ExplicitDelimiterAndBlankLinesAndBom()
    {
        string path = Path.Combine(_dir, "bom.csv");
        File.WriteAllText(path, "x;y\n\n1.5;2\n\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var d = CsvDataset.Load<double>(path, "y", options: new CsvOptions { Delimiter = ';' });
        Assert.Equal(["x"], d.FeatureNames);
        Assert.Equal(1, d.Count);
        Assert.Contains("\"1,5\" is not a number", Assert.Throws<DataFormatException>(() => d = CsvDataset.Parse<double>("x;y\n1,5;2\n", ["y"], options: new CsvOptions { Delimiter = ';' }).Dataset).Message);
    }

    [Fact]
    public void RandomTablesRoundTripWhateverTheQuotingAndDelimiter()
        => Gen.Select(Gen.Int[1, 5], Gen.Int[1, 12], Gen.OneOfConst(',', ';', '\t', '|'), Gen.Int[0, 100000]).Sample(t =>
        {
            var (cols, rows, delimiter, seed) = t;
            var random = new Random(seed);
            var values = new double[rows, cols + 1];
            var text = new StringBuilder();
            string Cell(string s) => random.Next(3) == 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
            text.AppendJoin(delimiter, Enumerable.Range(0, cols + 1).Select(j => Cell(j == cols ? "target" : $"f{j}"))).Append(random.Next(2) == 0 ? "\n" : "\r\n");
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j <= cols; j++) values[i, j] = Math.Round((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 8)), random.Next(0, 6));
                text.AppendJoin(delimiter, Enumerable.Range(0, cols + 1).Select(j => Cell(values[i, j].ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
            }
            var d = CsvDataset.Parse<double>(text.ToString(), ["target"]).Dataset;
            Assert.Equal(rows, d.Count);
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < cols; j++) Assert.Equal(values[i, j], d.X.GetValue(i, j));
                Assert.Equal(values[i, cols], d.Y.GetValue(i, 0));
            }
        });

    [Fact]
    public void MissingFileIsFileNotFound()
        => Assert.Throws<FileNotFoundException>(() => CsvDataset.Load<double>(Path.Combine(_dir, "nope.csv"), "y"));
}
