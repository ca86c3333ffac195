using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NeuralMechanics.Models;
using NeuralMechanics.Training;

namespace NeuralMechanics.Runs;

/// <summary>Symmetry-group counts of one layer (one row of the symmetry table).</summary>
/// <param name="Layer">The set's key (its writers).</param>
/// <param name="Kind">translation, scale or rescale.</param>
/// <param name="Groups">Number of groups.</param>
public sealed record LayerGroupCount(string Layer, string Kind, int Groups);

/// <summary>
/// <c>manifest.json</c> of a run directory: the run's <see cref="RunSpec"/> (resolved: steps, logging
/// interval and schedule horizon filled in) and what was derived from it when the run started.
/// Written once at the start of a run (atomically) and read by report, status, resume and sweep.
/// </summary>
public sealed record RunManifest
{
    /// <summary>Layout of this file: 2 holds the specification under <c>spec</c>; 1 (no field) had its fields at the top.</summary>
    public int Format { get; init; } = 2;
    /// <summary>What was run, resolved (<see cref="RunSpec.Resolved"/>).</summary>
    public required RunSpec Spec { get; init; }
    /// <summary>Per-example input shape C, H, W.</summary>
    public required int[] InputShape { get; init; }
    /// <summary>Number of classes.</summary>
    public required int Classes { get; init; }
    /// <summary>Number of parameters of the network.</summary>
    public long Parameters { get; init; }
    /// <summary>Totals by kind name (translation, scale, rescale).</summary>
    public Dictionary<string, int> SymmetryCounts { get; init; } = new();
    /// <summary>Group counts per set.</summary>
    public List<LayerGroupCount> SymmetryLayers { get; init; } = [];
    /// <summary>Versions: nmech, .NET, TorchSharp, libtorch.</summary>
    public Dictionary<string, string> Versions { get; init; } = new();
    /// <summary>When the run started.</summary>
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The model's name (<see cref="RunSpec.Model"/>).</summary>
    [JsonIgnore] public string Model => Spec.Model;
    /// <summary>The model options as strings, for display.</summary>
    [JsonIgnore] public Dictionary<string, string> ModelOptions => Spec.ModelOptions.ToDictionary();
    /// <summary>The dataset (<see cref="RunSpec.Data"/>).</summary>
    [JsonIgnore] public string Data => Spec.Data;
    /// <summary>The loss's name (cross-entropy or mse).</summary>
    [JsonIgnore] public string Loss => Spec.Loss.Name();
    /// <summary>The optimizer settings (a cosine schedule's horizon filled in).</summary>
    [JsonIgnore] public OptimizerSettings Optimizer => Spec.Optimizer;
    /// <summary>Examples per update.</summary>
    [JsonIgnore] public int BatchSize => Spec.BatchSize;
    /// <summary>Number of updates of the run.</summary>
    [JsonIgnore] public long Steps => Spec.Steps ?? 0;
    /// <summary>The seed.</summary>
    [JsonIgnore] public long Seed => Spec.Seed;
    /// <summary>Per-group rows every this many steps.</summary>
    [JsonIgnore] public int LogEvery => Spec.LogEvery;
    /// <summary>Where the run ran: cpu or cuda.</summary>
    [JsonIgnore] public string Device => Spec.Device;
    /// <summary>Whether the symmetry tracker ran.</summary>
    [JsonIgnore] public bool Tracked => Spec.Track;

    /// <summary>
    /// JSON conventions of manifests, specifications and sweep manifests: snake_case fields,
    /// indented, NaN/∞ as named literals, the loss by its name (cross-entropy, mse).
    /// </summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new LossKindConverter() },
    };

    /// <summary>
    /// Reads a manifest's JSON, of this layout or of layout 1 (fields at the top level, model options as
    /// strings, no <c>init</c>: those runs were initialised the reference way).
    /// </summary>
    /// <exception cref="JsonException">Malformed (the caller names the file).</exception>
    internal static RunManifest Parse(string json)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("expected a JSON object");
        if (!node.ContainsKey("spec") && node.ContainsKey("model")) node = FromLayout1(node);
        return node.Deserialize<RunManifest>(Json) ?? throw new JsonException("expected a JSON object, found null");
    }

    private static readonly string[] Layout1SpecFields =
        ["model", "model_options", "data", "data_dir", "train_limit", "loss", "optimizer", "batch_size", "steps", "seed", "log_every", "checkpoint_every", "device", "tracked"];

    private static JsonObject FromLayout1(JsonObject old)
    {
        var spec = new JsonObject();
        foreach (var field in Layout1SpecFields)
        {
            if (!old.TryGetPropertyValue(field, out var value)) continue;
            old.Remove(field);
            spec[field == "tracked" ? "track" : field] = field == "model_options" ? ModelOptionsOfLayout1(value as JsonObject) : value;
        }
        if (!spec.ContainsKey("model_options")) spec["model_options"] = ModelOptionsOfLayout1(null);
        old["spec"] = spec;
        old["format"] = 2;
        return old;
    }

    private static JsonObject ModelOptionsOfLayout1(JsonObject? strings)
    {
        var typed = JsonSerializer.SerializeToNode(new ModelOptions(Init: Initialisation.Reference), Json)!.AsObject();
        foreach (var (key, value) in strings ?? [])
        {
            if (!typed.TryGetPropertyValue(key, out var current) || value is null) continue;
            string text = value.GetValue<string>();
            typed[key] = current is JsonValue v && v.GetValueKind() == JsonValueKind.Number
                ? JsonValue.Create(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture))
                : JsonValue.Create(text);
        }
        return typed;
    }

    private sealed class LossKindConverter : JsonConverter<LossKind>
    {
        public override LossKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string? name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            try
            {
                return LossKindNames.Parse(name ?? "");
            }
            catch (InvalidInputException)
            {
                throw new JsonException($"expected cross-entropy or mse, found {(name is null ? reader.TokenType.ToString() : $"'{name}'")}");
            }
        }

        public override void Write(Utf8JsonWriter writer, LossKind value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());
    }
}
