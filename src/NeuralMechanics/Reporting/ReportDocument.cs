namespace NeuralMechanics.Reporting;

/// <summary>A block of the report, written both as Markdown and as HTML.</summary>
internal abstract record ReportBlock;

/// <summary>A section heading (level 1–3).</summary>
internal sealed record HeadingBlock(int Level, string Text) : ReportBlock;

/// <summary>A paragraph of plain text.</summary>
internal sealed record ParagraphBlock(string Text) : ReportBlock;

/// <summary>A bulleted list of plain text items.</summary>
internal sealed record ListBlock(IReadOnlyList<string> Items) : ReportBlock;

/// <summary>A table; <paramref name="Numeric"/> marks right-aligned columns.</summary>
internal sealed record TableBlock(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<bool> Numeric) : ReportBlock;

/// <summary>A written figure: its image and caption.</summary>
internal sealed record FigureBlock(ReportFigure Figure) : ReportBlock;
