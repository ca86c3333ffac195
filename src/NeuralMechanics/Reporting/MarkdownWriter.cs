using System.Text;

namespace NeuralMechanics.Reporting;

/// <summary>Writes report blocks as GitHub-flavoured Markdown; figures link to their PNG and SVG by relative path.</summary>
internal static class MarkdownWriter
{
    public static string Write(IReadOnlyList<ReportBlock> blocks, string outDir)
    {
        var md = new StringBuilder();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case HeadingBlock h:
                    md.Append('#', h.Level).Append(' ').AppendLine(h.Text);
                    break;
                case ParagraphBlock p:
                    md.AppendLine(p.Text);
                    break;
                case ListBlock l:
                    foreach (var item in l.Items) md.Append("- ").AppendLine(item);
                    break;
                case TableBlock t:
                    md.AppendLine(Row(t.Header));
                    md.AppendLine(Row(t.Numeric.Select(n => n ? "---:" : "---").ToList()));
                    foreach (var row in t.Rows) md.AppendLine(Row(row));
                    break;
                case FigureBlock f:
                    var png = Relative(outDir, f.Figure.PngPath!);
                    md.Append("### ").AppendLine(f.Figure.Title).AppendLine();
                    md.AppendLine($"![{f.Figure.Title}]({png})").AppendLine();
                    md.AppendLine($"{f.Figure.Caption} ([SVG]({Relative(outDir, f.Figure.SvgPath!)}))");
                    break;
            }
            md.AppendLine();
        }
        return md.ToString();
    }

    private static string Row(IReadOnlyList<string> cells) => "| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|"))) + " |";

    private static string Relative(string outDir, string path) => Path.GetRelativePath(outDir, path).Replace('\\', '/');
}
