using System.Text.Json;
using System.Text.Json.Serialization;
using NeuralMechanics.Models;
using NeuralMechanics.Runs;

namespace NeuralMechanics.Training;

/// <summary>
/// The specification of a training run: what to train, on what data, with which optimizer and
/// schedule, for how long, with which seed and logging. It is the one description of a run that
/// <c>nmech train</c> (its options or <c>--spec FILE</c>), the run manifest (<c>manifest.json</c>'s
/// <c>spec</c>), resume and sweeps share; it serialises to JSON with <see cref="RunManifest.Json"/>.
/// </summary>
/// <remarks>
/// Where a run writes (<see cref="OutDir"/>) is not part of the specification and is not serialised.
/// A run's manifest holds its specification <em>resolved</em>: <see cref="Steps"/> from the epochs,
/// <see cref="LogEvery"/> from its default, a cosine schedule's horizon filled in.
/// </remarks>
// A misspelt field in a hand-written specification is an error, not a silent default.
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record RunSpec
{
    /// <summary>A zoo model (<see cref="ModelZoo.Names"/>), or the name a library user gives their own model.</summary>
    public required string Model { get; init; }
    /// <summary>
    /// Options of a zoo model (each model reads those it has). The default is the MLP's; for a model
    /// with defaults of its own (the ViT's 4 blocks and GELU) start from <see cref="ModelZoo.DefaultOptions"/>,
    /// as <c>nmech train</c> does.
    /// </summary>
    public ModelOptions ModelOptions { get; init; } = new();
    /// <summary>Dataset: fashion-mnist, mnist, cifar10, cifar100, tiny-imagenet, synthetic or synthetic:CxHxW:K (or the user's own name).</summary>
    public string Data { get; init; } = "synthetic";
    /// <summary>Folder holding the dataset (default /usr/share/datasets/NAME).</summary>
    public string? DataDir { get; init; }
    /// <summary>Use only the first N training examples (CPU-sized runs).</summary>
    public int? TrainLimit { get; init; }
    /// <summary>The training loss.</summary>
    public LossKind Loss { get; init; } = LossKind.CrossEntropy;
    /// <summary>Update rule, hyperparameters, parameter groups and schedule (plain <see cref="SgdSettings"/> convert to it).</summary>
    public required OptimizerSettings Optimizer { get; init; }
    /// <summary>Examples per update.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Number of updates; when null, <see cref="Epochs"/> decides.</summary>
    public long? Steps { get; init; }
    /// <summary>Passes over the training set when <see cref="Steps"/> is null.</summary>
    public double Epochs { get; init; } = 1;
    /// <summary>Seeds the model's initialisation, the data order and the tracker's samples.</summary>
    public long Seed { get; init; }
    /// <summary>Per-group rows every this many steps; 0 = at most about 500 logged steps per run.</summary>
    public int LogEvery { get; init; }
    /// <summary>Test accuracy into <c>eval/</c> every this many steps; null = about 20 points a run (max(1, steps/20)); 0 = off.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? EvalEvery { get; init; }
    /// <summary>The sharpness λ_max and its stability threshold into <c>stability/</c> every this many steps (<see cref="Tracking.Sharpness"/>); 0 = off.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int SharpnessEvery { get; init; }
    /// <summary>The gradient noise scale B_simple into <c>noise/</c> every this many steps (<see cref="Tracking.GradientNoise"/>); 0 = off.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int NoiseEvery { get; init; }
    /// <summary>Checkpoint every this many steps (and always at the end); 0 = only at the end.</summary>
    public int CheckpointEvery { get; init; } = 1000;
    /// <summary>cpu, cuda or auto.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Track the symmetry groups (off only to measure plain training).</summary>
    public bool Track { get; init; } = true;
    /// <summary>The run directory to write; not part of the specification (not serialised).</summary>
    [JsonIgnore]
    public string OutDir { get; init; } = "";

    /// <summary>The keys a sweep grid may vary (<see cref="With"/>).</summary>
    public static readonly IReadOnlyList<string> GridKeys = ["lr", "wd", "momentum", "dampening", "batch", "seed", "width", "warmup-steps", "lr-drop-rate", "beta1", "beta2"];

    /// <summary>Keys of <see cref="GridKeys"/> whose values are whole numbers.</summary>
    public static readonly IReadOnlySet<string> WholeNumberKeys = new HashSet<string> { "batch", "seed", "warmup-steps" };

    /// <summary>This specification with the grid key <paramref name="key"/> (one of <see cref="GridKeys"/>) set to <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a grid key.</exception>
    public RunSpec With(string key, double value) => key switch
    {
        "lr" => this with { Optimizer = Optimizer with { LearningRate = value } },
        "wd" => this with { Optimizer = Optimizer with { WeightDecay = value } },
        "momentum" => this with { Optimizer = Optimizer with { Momentum = value } },
        "dampening" => this with { Optimizer = Optimizer with { Dampening = value } },
        "batch" => this with { BatchSize = checked((int)value) },
        "seed" => this with { Seed = (long)value },
        "width" => this with { ModelOptions = ModelOptions with { Width = value } },
        "warmup-steps" => this with { Optimizer = Optimizer with { Schedule = Optimizer.Schedule with { WarmupSteps = (long)value } } },
        "lr-drop-rate" => this with { Optimizer = Optimizer with { Schedule = Optimizer.Schedule with { DropRate = value } } },
        "beta1" => this with { Optimizer = Optimizer with { Beta1 = value } },
        "beta2" => this with { Optimizer = Optimizer with { Beta2 = value } },
        _ => throw new ArgumentException($"not a grid key: {key}", nameof(key)),
    };

    /// <summary>Throws <see cref="InvalidInputException"/> naming the first value out of range (zoo models only: see <see cref="ValidateTraining"/>).</summary>
    public void Validate()
    {
        ValidateTraining();
        if (!ModelZoo.IsKnown(Model))
            throw new InvalidInputException($"--model: unknown model '{Model}'; expected one of {string.Join(", ", ModelZoo.Names)}");
        if (!(ModelOptions.Width > 0) || double.IsInfinity(ModelOptions.Width))
            throw new InvalidInputException($"--width: expected a positive finite number, found {ModelOptions.Width}");
    }

    /// <summary>Checks what any run needs, whatever its model: optimizer, batch, length, logging, checkpoints.</summary>
    public void ValidateTraining()
    {
        Optimizer.Validate();
        if (string.IsNullOrWhiteSpace(Model)) throw new InvalidInputException("--model: expected a model name, found none");
        if (BatchSize < 1) throw new InvalidInputException($"--batch: expected ≥ 1, found {BatchSize}");
        if (Steps is < 1) throw new InvalidInputException($"--steps: expected ≥ 1, found {Steps}");
        if (Steps is null && !(Epochs > 0)) throw new InvalidInputException($"--epochs: expected > 0, found {Epochs}");
        if (LogEvery < 0) throw new InvalidInputException($"--log-every: expected ≥ 0, found {LogEvery}");
        if (EvalEvery < 0) throw new InvalidInputException($"--eval-every: expected ≥ 0, found {EvalEvery}");
        if (SharpnessEvery < 0) throw new InvalidInputException($"--sharpness-every: expected ≥ 0, found {SharpnessEvery}");
        if (NoiseEvery < 0) throw new InvalidInputException($"--noise-every: expected ≥ 0, found {NoiseEvery}");
        if (CheckpointEvery < 0) throw new InvalidInputException($"--checkpoint-every: expected ≥ 0, found {CheckpointEvery}");
        if (TrainLimit is < 1) throw new InvalidInputException($"--train-limit: expected ≥ 1, found {TrainLimit}");
    }

    /// <summary>
    /// This specification as a run records it: <see cref="Steps"/> from the epochs (<paramref name="batchesPerEpoch"/>),
    /// <see cref="LogEvery"/> from its default (at most about 500 logged steps), a cosine schedule's horizon filled in.
    /// </summary>
    /// <exception cref="InvalidInputException">The run is extended past its cosine schedule's end.</exception>
    public RunSpec Resolved(double batchesPerEpoch) => ResolvedFor(Steps ?? (long)Math.Ceiling(Epochs * batchesPerEpoch));

    /// <summary>This specification as a run of <paramref name="steps"/> updates records it (see <see cref="Resolved"/>; <see cref="EvalEvery"/> from its default too).</summary>
    public RunSpec ResolvedFor(long steps)
    {
        int logEvery = LogEvery > 0 ? LogEvery : (int)Math.Max(1, (steps + 499) / 500);
        int evalEvery = EvalEvery ?? (int)Math.Max(1, steps / 20);
        // An ONNX file keeps its case and becomes absolute, so a resume or a sweep's point finds it from any directory.
        var model = ModelZoo.IsOnnxFile(Model) ? Path.GetFullPath(Model) : Model.ToLowerInvariant();
        return this with { Model = model, Steps = steps, LogEvery = logEvery, EvalEvery = evalEvery, Optimizer = WithHorizon(Optimizer, steps) };
    }

    /// <summary>
    /// A cosine schedule spans the run's steps, fixed when the run starts (the manifest keeps it), so
    /// that resuming does not reshape it; a run extended past it is refused.
    /// </summary>
    private static OptimizerSettings WithHorizon(OptimizerSettings settings, long steps)
    {
        var s = settings.Schedule;
        if (s.Kind != Schedules.ScheduleKind.Cosine) return settings;
        if (s.Horizon == 0) return settings with { Schedule = s with { Horizon = steps } };
        if (steps > s.Horizon)
            throw new InvalidInputException($"--steps: the run's cosine schedule ends at step {s.Horizon} (η = 0 there); expected --steps ≤ {s.Horizon}, found {steps}");
        return settings;
    }

    /// <summary>The specification as JSON (<see cref="RunManifest.Json"/>'s conventions: snake_case fields).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, RunManifest.Json);

    /// <summary>Writes the specification to <paramref name="path"/> atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>Reads a specification written by <see cref="Write"/> (or by hand).</summary>
    /// <exception cref="InvalidInputException">Missing or malformed, naming the file and the field.</exception>
    public static RunSpec Read(string path)
    {
        if (!File.Exists(path))
            throw InvalidInputException.InFile(path, "file", "expected a run specification (JSON), found no file");
        try
        {
            return JsonSerializer.Deserialize<RunSpec>(File.ReadAllText(path), RunManifest.Json)
                ?? throw InvalidInputException.InFile(path, "$", "expected a JSON object, found null");
        }
        catch (JsonException e)
        {
            throw InvalidInputException.InFile(path, e.Path ?? "$", $"expected a run specification: {e.Message}");
        }
    }
}
