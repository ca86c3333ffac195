using System.Text.Json;
using System.Text.Json.Nodes;

namespace NeuralMechanics.Runs;

/// <summary>
/// A run's output folder: <c>manifest.json</c>, <c>status.json</c>, the trajectory table folders,
/// <c>tensorboard/</c>, <c>checkpoint.bin</c> and <c>weights.safetensors</c> (names in <see cref="TrajectorySchema"/>).
/// </summary>
public sealed class RunDirectory
{
    /// <summary>
    /// Manifest fields (JSON paths) that may change between the start of a run and its resumption
    /// without changing the trajectory's configuration: the run may be extended, moved to another
    /// device or data folder; counts, versions and the date are derived, not chosen.
    /// </summary>
    public static readonly IReadOnlySet<string> NonConfigurationFields = new HashSet<string>
    {
        "spec.steps", "spec.device", "spec.data_dir", "spec.checkpoint_every", "spec.eval_every", "parameters", "symmetry_counts", "symmetry_layers", "versions", "created",
    };

    private RunDirectory(string root, RunManifest manifest, bool existed)
    {
        Root = root;
        Manifest = manifest;
        Existed = existed;
    }

    /// <summary>The folder.</summary>
    public string Root { get; }
    /// <summary>The manifest of this run.</summary>
    public RunManifest Manifest { get; }
    /// <summary>True when the folder already held a run of the same configuration (a resume or extension).</summary>
    public bool Existed { get; }

    /// <summary><c>manifest.json</c>.</summary>
    public string ManifestPath => Path.Combine(Root, TrajectorySchema.ManifestFile);
    /// <summary><c>status.json</c>.</summary>
    public string StatusPath => Path.Combine(Root, TrajectorySchema.StatusFile);
    /// <summary>The metrics table folder.</summary>
    public string MetricsFolder => Path.Combine(Root, TrajectorySchema.MetricsFile);
    /// <summary>The test-accuracy table folder (<see cref="TrajectorySchema.EvalFile"/>; absent in older runs).</summary>
    public string EvalFolder => Path.Combine(Root, TrajectorySchema.EvalFile);
    /// <summary>The layers table folder.</summary>
    public string LayersFolder => Path.Combine(Root, TrajectorySchema.LayersFile);
    /// <summary>The neurons table folder.</summary>
    public string NeuronsFolder => Path.Combine(Root, TrajectorySchema.NeuronsFile);
    /// <summary>The raw-parameter samples table folder.</summary>
    public string SamplesFolder => Path.Combine(Root, TrajectorySchema.SamplesFile);
    /// <summary>The equilibrium table folder (runs with scale groups).</summary>
    public string EquilibriumFolder => Path.Combine(Root, TrajectorySchema.EquilibriumFile);
    /// <summary>The attention heads' matrix charges (<see cref="TrajectorySchema.ChargesFile"/>).</summary>
    public string ChargesFolder => Path.Combine(Root, TrajectorySchema.ChargesFile);

    /// <summary>The charge matrices' entries (<see cref="TrajectorySchema.ChargeMatricesFile"/>).</summary>
    public string ChargeMatricesFolder => Path.Combine(Root, TrajectorySchema.ChargeMatricesFile);

    /// <summary>The TensorBoard event folder.</summary>
    public string TensorBoardFolder => Path.Combine(Root, TrajectorySchema.TensorBoardFolder);
    /// <summary><c>checkpoint.bin</c>.</summary>
    public string CheckpointPath => Path.Combine(Root, TrajectorySchema.CheckpointFile);
    /// <summary><c>weights.safetensors</c>: the network's state at the last checkpoint, for PyTorch (docs/design.md, "What is written for Python").</summary>
    public string WeightsPath => Path.Combine(Root, TrajectorySchema.WeightsFile);

    /// <summary>
    /// Prepares <paramref name="root"/> for a run of <paramref name="manifest"/>: a missing or empty
    /// folder is created and the manifest written; a folder that holds a run of the same
    /// configuration is kept (its manifest updated, creation date preserved, <see cref="Existed"/> true).
    /// </summary>
    /// <exception cref="InvalidInputException">
    /// The folder is not empty and holds no manifest, or holds a run of another configuration
    /// (the message names the first differing field).
    /// </exception>
    public static RunDirectory Create(string root, RunManifest manifest)
    {
        var manifestPath = Path.Combine(root, TrajectorySchema.ManifestFile);
        var existed = false;
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            if (!File.Exists(manifestPath))
                throw InvalidInputException.InFile(root, TrajectorySchema.ManifestFile,
                    "expected an empty folder or one holding a run (manifest.json); choose another output folder");
            var existing = ReadManifest(manifestPath);
            if (FirstDifference(existing, manifest) is { } difference)
                throw InvalidInputException.InFile(manifestPath, difference.Field,
                    $"this folder holds a run with {difference.Existing}, the requested configuration has {difference.Requested}; choose another output folder or delete this one");
            manifest = manifest with { Created = existing.Created };
            existed = true;
        }
        Directory.CreateDirectory(root);
        WriteManifest(manifestPath, manifest);
        return new RunDirectory(root, manifest, existed);
    }

    /// <summary>Opens an existing run folder (for report and resume).</summary>
    /// <exception cref="InvalidInputException">No folder, or its manifest is missing or malformed.</exception>
    public static RunDirectory Open(string root)
    {
        if (!Directory.Exists(root))
            throw InvalidInputException.InFile(root, "folder", "expected an existing run folder");
        return new RunDirectory(root, ReadManifest(Path.Combine(root, TrajectorySchema.ManifestFile)), existed: true);
    }

    /// <summary>Writes <paramref name="status"/> to <c>status.json</c> atomically.</summary>
    public void WriteStatus(RunStatus status) =>
        AtomicFile.WriteAllText(StatusPath, JsonSerializer.Serialize(status, RunStatus.Json));

    /// <summary>
    /// The status of the run as it stands now, or null when none was written yet: a run whose
    /// status says running but whose process is gone reads as <see cref="RunState.Interrupted"/>.
    /// </summary>
    /// <exception cref="InvalidInputException">status.json is malformed.</exception>
    public RunStatus? ReadStatus() =>
        File.Exists(StatusPath) ? Deserialize<RunStatus>(StatusPath, RunStatus.Json).Observed() : null;

    /// <summary>Reads a manifest file.</summary>
    /// <exception cref="InvalidInputException">Missing or malformed, naming the file and the field.</exception>
    public static RunManifest ReadManifest(string path)
    {
        if (!File.Exists(path))
            throw InvalidInputException.InFile(path, "file", "expected a run manifest, found no file");
        try
        {
            return RunManifest.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw InvalidInputException.InFile(path, e.Path ?? "$", $"expected valid RunManifest JSON: {e.Message}");
        }
    }

    /// <summary>Writes a manifest file atomically.</summary>
    public static void WriteManifest(string path, RunManifest manifest) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(manifest, RunManifest.Json));

    /// <summary>
    /// The first configuration field (JSON path, e.g. <c>optimizer.momentum</c>) whose value differs
    /// between two manifests, with both values as JSON; null when they describe the same configuration.
    /// Fields in <see cref="NonConfigurationFields"/> are not compared.
    /// </summary>
    public static (string Field, string Existing, string Requested)? FirstDifference(RunManifest existing, RunManifest requested)
    {
        var a = JsonSerializer.SerializeToNode(existing, RunManifest.Json)!.AsObject();
        var b = JsonSerializer.SerializeToNode(requested, RunManifest.Json)!.AsObject();
        return Difference("", a, b);
    }

    /// <summary>The first difference between two JSON values under <paramref name="path"/> (its field, both values as JSON), skipping <see cref="NonConfigurationFields"/>.</summary>
    internal static (string Field, string Existing, string Requested)? Difference(string path, JsonNode? a, JsonNode? b)
    {
        if (NonConfigurationFields.Contains(path)) return null;
        if (a is JsonObject oa && b is JsonObject ob)
        {
            foreach (var key in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)))
                if (Difference(path.Length == 0 ? key : $"{path}.{key}", oa[key], ob[key]) is { } d) return d;
            return null;
        }
        if (a is JsonArray aa && b is JsonArray ab && aa.Count == ab.Count)
        {
            for (var i = 0; i < aa.Count; i++)
                if (Difference($"{path}[{i}]", aa[i], ab[i]) is { } d) return d;
            return null;
        }
        var (ja, jb) = (a?.ToJsonString() ?? "null", b?.ToJsonString() ?? "null");
        return ja == jb ? null : (path, ja, jb);
    }

    private static T Deserialize<T>(string path, JsonSerializerOptions options)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), options)
                ?? throw InvalidInputException.InFile(path, "$", "expected a JSON object, found null");
        }
        catch (JsonException e)
        {
            throw InvalidInputException.InFile(path, e.Path ?? "$", $"expected valid {typeof(T).Name} JSON: {e.Message}");
        }
    }
}
