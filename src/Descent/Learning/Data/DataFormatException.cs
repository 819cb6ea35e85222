namespace Descent.Learning.Data;

/// <summary>
/// Thrown when a data file cannot be read as the expected format: an unparsable number, a missing cell, a row with the
/// wrong number of fields, an unknown column, an empty, truncated or corrupt file. The message names the file, the
/// line and the column where known, and says what was expected.
/// </summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates the exception; <paramref name="message"/> should already name the place and the rule.</summary>
    /// <param name="message">The full explanation.</param>
    /// <param name="path">The file, or null for text not read from a file.</param>
    /// <param name="row">The 1-based line number in the file (the header is line 1), or null.</param>
    /// <param name="columnName">The column's name, or null.</param>
    /// <param name="columnIndex">The column's 1-based position, or null.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public DataFormatException(string message, string? path = null, int? row = null, string? columnName = null, int? columnIndex = null, Exception? inner = null)
        : base(message, inner)
    {
        Path = path;
        Row = row;
        ColumnName = columnName;
        ColumnIndex = columnIndex;
    }

    /// <summary>The file being read, or null for in-memory text.</summary>
    public string? Path { get; }

    /// <summary>The 1-based line number of the offending record (the header is line 1), or null when not about a line.</summary>
    public int? Row { get; }

    /// <summary>The name of the offending column, or null.</summary>
    public string? ColumnName { get; }

    /// <summary>The 1-based position of the offending column, or null.</summary>
    public int? ColumnIndex { get; }
}
