using System.Text;

namespace Descent.Learning.Data;

/// <summary>
/// A small strict RFC 4180 reader over a stream of text, one record at a time (the file is never held in memory):
/// fields separated by one delimiter, records ended by CRLF or LF, fields optionally enclosed in double quotes (which
/// may then hold delimiters, line breaks and doubled quotes <c>""</c>). A quote inside an unquoted field, text after a
/// closing quote, or an unclosed quote is an error. Blank lines are skipped. A NUL character (binary data such as
/// <c>/dev/zero</c>) or a record longer than <see cref="MaxRecordChars"/> stops the reading with an error at once, so
/// memory and time stay bounded whatever the input.
/// </summary>
internal sealed class CsvReader(string prefix, TextReader text, char delimiter, string? path)
{
    private int _prefixPosition;
    private readonly System.Buffers.SearchValues<char> _stops = System.Buffers.SearchValues.Create([delimiter, '\r', '\n', '"', '\0']);

    /// <summary>The longest record accepted (in characters): far above any real CSV line, far below the memory limit.</summary>
    public const int MaxRecordChars = 16 * 1024 * 1024;

    private const int Eof = -1;
    private readonly char[] _buffer = new char[64 * 1024];
    private int _position, _length;

    /// <summary>One record: the 1-based line it starts on and its fields.</summary>
    public readonly record struct Record(int Line, string[] Fields);

    /// <summary>Column names for error messages, once the header is known.</summary>
    public string[]? Header { get; set; }

    /// <summary>The delimiter among , ; tab | that occurs most often in <paramref name="firstLine"/> outside quotes (comma if none).</summary>
    public static char DetectDelimiter(string firstLine)
    {
        ReadOnlySpan<char> candidates = [',', ';', '\t', '|'];
        Span<int> counts = stackalloc int[candidates.Length];
        bool quoted = false;
        foreach (char c in firstLine)
        {
            if (c == '"') quoted = !quoted;
            else if (!quoted && (c == '\n' || c == '\r')) break;
            else if (!quoted)
            {
                int k = candidates.IndexOf(c);
                if (k >= 0) counts[k]++;
            }
        }
        int best = 0;
        for (int k = 1; k < counts.Length; k++) if (counts[k] > counts[best]) best = k;
        return counts[best] > 0 ? candidates[best] : ',';
    }

    /// <summary>
    /// Reads the first line (up to the first line break outside quotes) of <paramref name="reader"/>, bounded by
    /// <see cref="MaxRecordChars"/>, for delimiter detection; the caller reads the rest from a reader that replays it.
    /// </summary>
    /// <exception cref="DataFormatException">The line holds a NUL character or control bytes (a binary file), or is too long.</exception>
    public static string PeekFirstLine(TextReader reader, string? path)
    {
        var sb = new StringBuilder();
        bool quoted = false;
        while (true)
        {
            int c = reader.Read();
            if (c == Eof) break;
            sb.Append((char)c);
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == '\n') break;
            else if (c == '\0' || (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == '\uFFFD')
                throw Binary(path, 1);
            if (sb.Length > MaxRecordChars)
                throw new DataFormatException($"{path ?? "CSV text"}: line 1 is longer than {MaxRecordChars / (1024 * 1024)} Mi characters: this is not a CSV file with a header line.", path, 1);
        }
        return sb.ToString();
    }

    /// <summary>The error for binary content at <paramref name="line"/>.</summary>
    public static DataFormatException Binary(string? path, int line)
        => new($"{path ?? "CSV text"}: line {line} holds binary data (a NUL or control byte, or bytes that are not UTF-8 text): this is not a CSV text file. Give a CSV file with a header line naming the columns.", path, line);

    private int Peek()
    {
        if (_position < _length) return _buffer[_position];
        if (_prefixPosition < prefix.Length)
        {
            _length = Math.Min(_buffer.Length, prefix.Length - _prefixPosition);
            prefix.CopyTo(_prefixPosition, _buffer, 0, _length);
            _prefixPosition += _length;
            _position = 0;
            return _buffer[0];
        }
        _length = text.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length <= 0 ? Eof : _buffer[0];
    }

    private int Read()
    {
        int c = Peek();
        if (c != Eof) _position++;
        return c;
    }

    /// <summary>The records in order, header included.</summary>
    public IEnumerable<Record> Records()
    {
        int line = 1;
        var fields = new List<string>();
        var sb = new StringBuilder();
        while (Peek() != Eof)
        {
            int recordLine = line;
            int recordChars = 0;
            fields.Clear();
            bool anyQuoted = false;
            while (true)
            {
                sb.Clear();
                if (Peek() == '"')
                {
                    anyQuoted = true;
                    int openLine = line;
                    Read();
                    while (true)
                    {
                        int c = Read();
                        if (c == Eof)
                            throw Error($"line {openLine}: the quoted field in column {ColumnLabel(fields.Count)} is never closed; add the closing quote (\").", openLine, fields.Count);
                        if (c == '"')
                        {
                            if (Peek() == '"') { Read(); sb.Append('"'); Count(ref recordChars, recordLine); continue; }
                            break;
                        }
                        if (c == '\0') throw Binary(path, line);
                        if (c == '\n') line++;
                        sb.Append((char)c);
                        Count(ref recordChars, recordLine);
                    }
                    int next = Peek();
                    if (next != Eof && next != delimiter && next != '\r' && next != '\n')
                        throw Error($"line {line}: unexpected '{(char)next}' after the closing quote in column {ColumnLabel(fields.Count)}; a quoted field must be followed by the delimiter or the end of the line.", recordLine, fields.Count);
                }
                else
                {
                    // Scan the buffer for the field's end in one vectorised search per buffer load.
                    while (Peek() != Eof)
                    {
                        var span = _buffer.AsSpan(_position, _length - _position);
                        int k = span.IndexOfAny(_stops);
                        int take = k < 0 ? span.Length : k;
                        sb.Append(span[..take]);
                        _position += take;
                        recordChars += take;
                        if (recordChars > MaxRecordChars) Count(ref recordChars, recordLine);
                        if (k < 0) continue;
                        char c = span[k];
                        if (c == '"')
                            throw Error($"line {line}: a quote inside the unquoted field in column {ColumnLabel(fields.Count)}; enclose the field in quotes and double the inner quote (\"\").", recordLine, fields.Count);
                        if (c == '\0') throw Binary(path, line);
                        break;
                    }
                }
                fields.Add(sb.ToString());
                int end = Peek();
                if (end == delimiter) { Read(); continue; }
                if (end == '\r') { Read(); if (Peek() == '\n') Read(); line++; }
                else if (end == '\n') { Read(); line++; }
                break;
            }
            if (fields.Count == 1 && !anyQuoted && fields[0].Length == 0) continue; // a blank line
            yield return new Record(recordLine, fields.ToArray());
        }
    }

    private void Count(ref int chars, int line)
    {
        if (++chars > MaxRecordChars)
            throw new DataFormatException($"{path ?? "CSV text"}: the record starting on line {line} is longer than {MaxRecordChars / (1024 * 1024)} Mi characters: this is not a CSV file (or a quote is never closed).", path, line);
    }

    /// <summary>"'name' (k)" for a 0-based column index, or "k" before the header is known.</summary>
    public string ColumnLabel(int index)
        => Header is { } h && index < h.Length ? $"'{h[index]}' ({index + 1})" : (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An error at a line and 0-based column, with the file named in front.</summary>
    public DataFormatException Error(string message, int line, int? column)
        => new($"{path ?? "CSV text"}: {message}", path, line,
            column is { } c && Header is { } h && c < h.Length ? h[c] : null, column + 1);
}
