using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NeuralMechanics.Training;

namespace NeuralMechanics.Tests.Api;

/// <summary>The library's public surface is what docs/design.md lists under "Public API", each type documented.</summary>
public partial class PublicSurfaceTests
{
    private static readonly Assembly Library = typeof(RunSpec).Assembly;

    private static string Name(Type t) => t.IsNested ? $"{Name(t.DeclaringType!)}.{Strip(t.Name)}" : Strip(t.Name);

    private static string Strip(string name) => name.Split('`')[0];

    [GeneratedRegex(@"^- `([\w.]+)`", RegexOptions.Multiline)]
    private static partial Regex ListedType();

    private static string Section()
    {
        var text = File.ReadAllText(Path.Combine(Native.NativeLifetimeGuardTests.RepositoryRoot(), "docs", "design.md"));
        int start = text.IndexOf("\n## Public API", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/design.md has no \"## Public API\" section");
        int end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }

    [Fact]
    public void EveryPublicTypeIsListedInTheDesignDocumentAndEveryListedTypeIsPublic()
    {
        var exported = Library.GetExportedTypes().Select(Name).ToHashSet();
        var listed = ListedType().Matches(Section()).Select(m => m.Groups[1].Value).ToHashSet();
        var docs = XDocument.Load(Path.ChangeExtension(Library.Location, ".xml"));
        string Summary(string type)
        {
            var summary = docs.Descendants("member")
                .FirstOrDefault(m => (string?)m.Attribute("name") is { } n && n.StartsWith("T:") && n.EndsWith("." + type))?.Element("summary");
            if (summary is null) return "(no summary)";
            // A cref reads as its last name; the first sentence is the line.
            string text = string.Concat(summary.Nodes().Select(n => n is XElement e
                ? ((string?)e.Attribute("cref"))?.Split('.', ':').Last().Split('(')[0] ?? e.Value : n.ToString()));
            text = Regex.Replace(System.Net.WebUtility.HtmlDecode(text), @"\s+", " ").Trim();
            var end = Regex.Match(text, @"(?<!\b(?:Fig|eq|e\.g|i\.e|al|cf))\.(\s|$)");
            return end.Success ? text[..(end.Index + 1)] : text;
        }

        var missing = exported.Except(listed).Order().Select(t => $"- `{t}` — {Summary(t)}").ToList();
        var stale = listed.Except(exported).Order().ToList();

        Assert.True(missing.Count == 0, "public but not listed in docs/design.md:\n" + string.Join("\n", missing));
        Assert.True(stale.Count == 0, "listed in docs/design.md but not public: " + string.Join(", ", stale));
    }
}
