using System.Text.Json;
using System.Text.Json.Serialization;
using NeuralMechanics.Training;

namespace NeuralMechanics.Runs;

/// <summary>Symmetry-group counts of one layer (one row of the symmetry table).</summary>
public sealed record LayerGroupCount(string Layer, string Kind, int Groups);

/// <summary>
/// <c>manifest.json</c> of a run directory: everything needed to know what was run and to
/// repeat it. Written once at the start of a run (atomically) and read by report, resume and sweep.
/// </summary>
public sealed record RunManifest
{
    public required string Model { get; init; }
    /// <summary>Model options as given (width, depth, activation, normalization, ...).</summary>
    public Dictionary<string, string> ModelOptions { get; init; } = new();
    public required string Data { get; init; }
    public string? DataDir { get; init; }
    /// <summary>Training examples used (the first N of the training set), or null for all.</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Checkpoint every this many steps (and at the end).</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>Whether the symmetry tracker ran.</summary>
    public bool Tracked { get; init; } = true;
    /// <summary>Per-example input shape C, H, W.</summary>
    public required int[] InputShape { get; init; }
    public required int Classes { get; init; }
    public required string Loss { get; init; }
    /// <summary>Update rule, hyperparameters, parameter groups and schedule (a cosine schedule's horizon filled in).</summary>
    public required OptimizerSettings Optimizer { get; init; }
    public required int BatchSize { get; init; }
    public required long Steps { get; init; }
    public required long Seed { get; init; }
    public int LogEvery { get; init; } = 1;
    public string Device { get; init; } = "cpu";
    public long Parameters { get; init; }
    /// <summary>Totals by kind name (translation, scale, rescale).</summary>
    public Dictionary<string, int> SymmetryCounts { get; init; } = new();
    public List<LayerGroupCount> SymmetryLayers { get; init; } = [];
    /// <summary>Versions: nmech, .NET, TorchSharp, libtorch.</summary>
    public Dictionary<string, string> Versions { get; init; } = new();
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
