using System.Text;

namespace Descent.Learning.Data;

/// <summary>
/// A small strict RFC 4180 reader: fields separated by one delimiter, records ended by CRLF or LF, fields optionally
/// enclosed in double quotes (which may then hold delimiters, line breaks and doubled quotes <c>""</c>). A quote inside
/// an unquoted field, text after a closing quote, or an unclosed quote is an error. Blank lines are skipped.
/// </summary>
internal sealed class CsvReader(string text, char delimiter, string? path)
{
    /// <summary>One record: the 1-based line it starts on and its fields.</summary>
    public readonly record struct Record(int Line, string[] Fields);

    /// <summary>Column names for error messages, once the header is known.</summary>
    public string[]? Header { get; set; }

    /// <summary>The delimiter among , ; tab | that occurs most often in the first line outside quotes (comma if none).</summary>
    public static char DetectDelimiter(string text)
    {
        ReadOnlySpan<char> candidates = [',', ';', '\t', '|'];
        Span<int> counts = stackalloc int[candidates.Length];
        bool quoted = false;
        foreach (char c in text)
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

    /// <summary>The records in order, header included.</summary>
    public IEnumerable<Record> Records()
    {
        int i = 0, line = 1, n = text.Length;
        var fields = new List<string>();
        var sb = new StringBuilder();
        while (i < n)
        {
            int recordLine = line;
            fields.Clear();
            bool anyQuoted = false;
            while (true)
            {
                sb.Clear();
                if (i < n && text[i] == '"')
                {
                    anyQuoted = true;
                    int openLine = line;
                    i++;
                    while (true)
                    {
                        if (i >= n)
                            throw Error($"line {openLine}: the quoted field in column {ColumnLabel(fields.Count)} is never closed; add the closing quote (\").", openLine, fields.Count);
                        char c = text[i];
                        if (c == '"')
                        {
                            if (i + 1 < n && text[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                            i++;
                            break;
                        }
                        if (c == '\n') line++;
                        sb.Append(c);
                        i++;
                    }
                    if (i < n && text[i] != delimiter && text[i] != '\r' && text[i] != '\n')
                        throw Error($"line {line}: unexpected '{text[i]}' after the closing quote in column {ColumnLabel(fields.Count)}; a quoted field must be followed by the delimiter or the end of the line.", recordLine, fields.Count);
                }
                else
                {
                    int start = i;
                    while (i < n && text[i] != delimiter && text[i] != '\r' && text[i] != '\n')
                    {
                        if (text[i] == '"')
                            throw Error($"line {line}: a quote inside the unquoted field in column {ColumnLabel(fields.Count)}; enclose the field in quotes and double the inner quote (\"\").", recordLine, fields.Count);
                        i++;
                    }
                    sb.Append(text, start, i - start);
                }
                fields.Add(sb.ToString());
                if (i < n && text[i] == delimiter) { i++; continue; }
                if (i < n && text[i] == '\r') { i++; if (i < n && text[i] == '\n') i++; line++; }
                else if (i < n && text[i] == '\n') { i++; line++; }
                break;
            }
            if (fields.Count == 1 && !anyQuoted && fields[0].Length == 0) continue; // a blank line
            yield return new Record(recordLine, fields.ToArray());
        }
    }

    /// <summary>"'name' (k)" for a 0-based column index, or "k" before the header is known.</summary>
    public string ColumnLabel(int index)
        => Header is { } h && index < h.Length ? $"'{h[index]}' ({index + 1})" : (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An error at a line and 0-based column, with the file named in front.</summary>
    public DataFormatException Error(string message, int line, int? column)
        => new($"{path ?? "CSV text"}: {message}", path, line,
            column is { } c && Header is { } h && c < h.Length ? h[c] : null, column + 1);
}
