using System.Net;
using System.Text;

namespace NeuralMechanics.Reporting;

/// <summary>
/// Writes report blocks as one self-contained HTML page: styles inline and every figure embedded
/// as a base64 PNG, so the file can be mailed or archived alone.
/// </summary>
internal static class HtmlWriter
{
    private const string Style = """
        body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; max-width: 1320px; margin: 2em auto; padding: 0 1.5em; color: #222; line-height: 1.45; }
        h1 { border-bottom: 2px solid #0072B2; padding-bottom: .2em; }
        h2 { margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: .15em; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: .3em .6em; vertical-align: top; }
        th { background: #f0f4f8; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tr:nth-child(even) td { background: #fafafa; }
        figure { margin: 1.5em 0; }
        figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
        figcaption { font-size: 0.92em; color: #444; margin-top: .4em; }
        .table-wrap { overflow-x: auto; }
        """;

    public static string Write(IReadOnlyList<ReportBlock> blocks)
    {
        var title = blocks.OfType<HeadingBlock>().FirstOrDefault()?.Text ?? "Report";
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>").AppendLine("<html lang=\"en\">").AppendLine("<head>")
            .AppendLine("<meta charset=\"utf-8\">")
            .AppendLine($"<title>{E(title)}</title>")
            .AppendLine($"<style>{Style}</style>").AppendLine("</head>").AppendLine("<body>");
        foreach (var block in blocks)
        {
            switch (block)
            {
                case HeadingBlock h:
                    html.AppendLine($"<h{h.Level}>{E(h.Text)}</h{h.Level}>");
                    break;
                case ParagraphBlock p:
                    html.AppendLine($"<p>{E(p.Text)}</p>");
                    break;
                case ListBlock l:
                    html.AppendLine("<ul>");
                    foreach (var item in l.Items) html.AppendLine($"<li>{E(item)}</li>");
                    html.AppendLine("</ul>");
                    break;
                case TableBlock t:
                    html.AppendLine("<div class=\"table-wrap\"><table>");
                    html.AppendLine("<tr>" + string.Concat(t.Header.Select(c => $"<th>{E(c)}</th>")) + "</tr>");
                    foreach (var row in t.Rows)
                        html.AppendLine("<tr>" + string.Concat(row.Select((c, i) => t.Numeric[i] ? $"<td class=\"num\">{E(c)}</td>" : $"<td>{E(c)}</td>")) + "</tr>");
                    html.AppendLine("</table></div>");
                    break;
                case FigureBlock f:
                    var png = Convert.ToBase64String(File.ReadAllBytes(f.Figure.PngPath!));
                    html.AppendLine($"<h3 id=\"{E(f.Figure.Id)}\">{E(f.Figure.Title)}</h3>");
                    html.AppendLine($"<figure><img alt=\"{E(f.Figure.Title)}\" src=\"data:image/png;base64,{png}\">");
                    html.AppendLine($"<figcaption>{E(f.Figure.Caption)}</figcaption></figure>");
                    break;
            }
        }
        return html.AppendLine("</body>").AppendLine("</html>").ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
