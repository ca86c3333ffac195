using System.Globalization;
using Spectre.Console;

namespace NeuralMechanics.Cli;

/// <summary>
/// How nmech writes to a terminal and to a log. On a terminal: tables with borders, progress bars,
/// the terminal's width. Without one (Slurm, CI, <c>| tee</c>, a redirected stdout): tables as plain
/// aligned text that is never wrapped, progress as one line every <see cref="ProgressSeconds"/>.
/// <c>COLUMNS</c>, when set, is the width in both cases. Numbers are printed in the invariant culture.
/// </summary>
internal static class ConsoleOutput
{
    /// <summary>Seconds between two progress lines without a terminal.</summary>
    public const double ProgressSeconds = 30;

    /// <summary>The width of a log without <c>COLUMNS</c>: wide enough that no table of nmech's wraps.</summary>
    public const int UnlimitedWidth = 10_000;

    /// <summary>True when standard output is a terminal that shows progress bars; false for logs.</summary>
    public static bool IsTerminal => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>Sets the culture and the width; called once before a command runs.</summary>
    public static void Configure()
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        if (Columns() is int columns) AnsiConsole.Profile.Width = columns;
        else if (!IsTerminal) AnsiConsole.Profile.Width = UnlimitedWidth;
    }

    /// <summary><c>COLUMNS</c> when it holds a positive whole number; null otherwise.</summary>
    public static int? Columns() =>
        int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c > 0 ? c : null;

    /// <summary>
    /// Writes <paramref name="table"/>. On a terminal: with borders, numbers (right-aligned columns)
    /// never broken across lines. In a log: <see cref="Plain"/>.
    /// </summary>
    public static void Write(Table table)
    {
        if (!IsTerminal)
        {
            Console.Out.Write(Plain(table, Columns()));
            return;
        }
        foreach (var column in table.Columns)
            if (column.Alignment == Justify.Right) column.NoWrap = true;
        AnsiConsole.Write(table);
    }

    /// <summary>
    /// The table as plain text for a log: its title on a line, then the header and one line per row,
    /// columns aligned and never wrapped. When the table is wider than <paramref name="columns"/>
    /// (<c>COLUMNS</c>), one record per line instead: <c>header: value</c> pairs.
    /// </summary>
    public static string Plain(Table table, int? columns)
    {
        var headers = table.Columns.Select(c => Text(c.Header)).ToList();
        var right = table.Columns.Select(c => c.Alignment == Justify.Right).ToList();
        var rows = table.Rows.Select(r => r.Select(Text).ToList()).ToList();
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToList();
        var text = new System.Text.StringBuilder();
        if (table.Title is { } title) text.AppendLine(Markup.Remove(title.Text));
        if (columns is int limit && widths.Sum() + 2 * (widths.Count - 1) > limit)
        {
            foreach (var row in rows)
                text.AppendLine(string.Join("  ", row.Select((cell, i) => headers[i].Length == 0 ? cell : $"{headers[i]}: {cell}").Where(c => c.Length > 0)));
            return text.ToString();
        }
        string Line(IReadOnlyList<string> cells) =>
            string.Join("  ", cells.Select((c, i) => right[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
        text.AppendLine(Line(headers));
        foreach (var row in rows) text.AppendLine(Line(row));
        return text.ToString();
    }

    /// <summary>What a cell or header shows, without markup or colour, on one line.</summary>
    private static string Text(Spectre.Console.Rendering.IRenderable renderable)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = UnlimitedWidth;
        console.Write(renderable);
        return writer.ToString().ReplaceLineEndings(" ").TrimEnd();
    }

    /// <summary>A right-aligned column for numbers.</summary>
    public static TableColumn Number(string header) => new TableColumn(header).RightAligned().NoWrap();
}
