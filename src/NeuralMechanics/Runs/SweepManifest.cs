using System.Text.Json;
using System.Text.Json.Serialization;
using NeuralMechanics.Models;
using NeuralMechanics.Training;

namespace NeuralMechanics.Runs;

/// <summary>One point in <c>sweep.json</c>.</summary>
public sealed record SweepManifestPoint
{
    /// <summary>The point's name, e.g. <c>lr=0.1_wd=0.0001</c>.</summary>
    public required string Name { get; init; }
    /// <summary>Its run folder, relative to the sweep folder.</summary>
    public required string Dir { get; init; }
    /// <summary>The grid values of this point.</summary>
    public required Dictionary<string, double> Values { get; init; }
    /// <summary>Where its run stood when the manifest was written.</summary>
    public required SweepPointState State { get; init; }
    /// <summary>The <c>nmech</c> arguments that start it (<c>train ... --out DIR</c>).</summary>
    public required IReadOnlyList<string> Command { get; init; }
}

/// <summary>
/// <c>SWEEP_DIR/sweep.json</c>: the grid, the base training options and every point with its
/// folder and state; rewritten atomically whenever a point changes state.
/// </summary>
public sealed record SweepManifest
{
    /// <summary>The grid's axes, in order.</summary>
    public required List<SweepAxis> Grid { get; init; }
    /// <summary>The training options every point starts from.</summary>
    public required RunSpec Base { get; init; }
    /// <summary>The points in grid order (index = Slurm array task id).</summary>
    public required List<SweepManifestPoint> Points { get; init; }
    /// <summary>When this manifest was written.</summary>
    public DateTimeOffset Updated { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>JSON options of <c>sweep.json</c>: those of the run manifest, enums as lower-case names.</summary>
    public static readonly JsonSerializerOptions Json = new(RunManifest.Json)
    {
        Converters =
        {
            new JsonStringEnumConverter<SweepPointState>(JsonNamingPolicy.SnakeCaseLower),
        },
    };

    /// <summary>Writes the manifest to <paramref name="path"/> atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Reads a sweep manifest.</summary>
    /// <exception cref="InvalidInputException">Missing or malformed, naming the file and the field.</exception>
    public static SweepManifest Read(string path)
    {
        if (!File.Exists(path))
            throw InvalidInputException.InFile(path, "file", "expected a sweep manifest, found no file");
        try
        {
            return JsonSerializer.Deserialize<SweepManifest>(File.ReadAllText(path), Json)
                ?? throw InvalidInputException.InFile(path, "$", "expected a JSON object, found null");
        }
        catch (JsonException e)
        {
            throw InvalidInputException.InFile(path, e.Path ?? "$", $"expected a valid sweep manifest: {e.Message}");
        }
    }
}
