using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralMechanics.Runs;

namespace NeuralMechanics.Cli.Options;

/// <summary>The <c>--json FILE</c> option of symmetries, status and train: one JSON object to a file, or to standard output with '-'.</summary>
internal static class JsonOption
{
    /// <summary>The path that means standard output.</summary>
    public const string StandardOutput = "-";

    public static Option<string?> Create(string what) => new("--json")
    {
        Description = $"Write {what} as one JSON object to this file ('-' for standard output, instead of the tables)",
        HelpName = "FILE",
    };

    /// <summary>True when the JSON goes to standard output, which then carries nothing else.</summary>
    public static bool ToStandardOutput(string? path) => path == StandardOutput;

    /// <summary>Writes <paramref name="json"/> (indented) to <paramref name="path"/> atomically, or to standard output.</summary>
    public static void Write(string path, JsonNode json)
    {
        var text = json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (ToStandardOutput(path)) Console.WriteLine(text);
        else AtomicFile.WriteAllText(path, text);
    }
}
