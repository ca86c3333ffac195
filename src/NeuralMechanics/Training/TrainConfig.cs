using NeuralMechanics.Models;

namespace NeuralMechanics.Training;

/// <summary>Everything <c>nmech train</c> is told: what to train, on what, how, and where to write.</summary>
public sealed record TrainConfig
{
    public required string Model { get; init; }
    public ModelOptions ModelOptions { get; init; } = new();
    public string Data { get; init; } = "synthetic";
    public string? DataDir { get; init; }
    /// <summary>Use only the first N training examples (CPU-sized runs).</summary>
    public int? TrainLimit { get; init; }
    public LossKind Loss { get; init; } = LossKind.CrossEntropy;
    /// <summary>Update rule, hyperparameters, parameter groups and schedule (plain <see cref="SgdSettings"/> convert to it).</summary>
    public required OptimizerSettings Optimizer { get; init; }
    public int BatchSize { get; init; } = 128;
    /// <summary>Number of updates; when null, <see cref="Epochs"/> decides.</summary>
    public long? Steps { get; init; }
    public double Epochs { get; init; } = 1;
    public long Seed { get; init; }
    /// <summary>Per-group rows every this many steps; 0 = at most about 500 logged steps per run.</summary>
    public int LogEvery { get; init; }
    /// <summary>Checkpoint every this many steps (and always at the end); 0 = only at the end.</summary>
    public int CheckpointEvery { get; init; } = 1000;
    public string Device { get; init; } = "cpu";
    /// <summary>Track the symmetry groups (off only to measure plain training).</summary>
    public bool Track { get; init; } = true;
    public required string OutDir { get; init; }

    /// <summary>Throws <see cref="InvalidInputException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        Optimizer.Validate();
        if (BatchSize < 1) throw new InvalidInputException($"--batch: expected ≥ 1, found {BatchSize}");
        if (Steps is < 1) throw new InvalidInputException($"--steps: expected ≥ 1, found {Steps}");
        if (Steps is null && !(Epochs > 0)) throw new InvalidInputException($"--epochs: expected > 0, found {Epochs}");
        if (LogEvery < 0) throw new InvalidInputException($"--log-every: expected ≥ 0, found {LogEvery}");
        if (CheckpointEvery < 0) throw new InvalidInputException($"--checkpoint-every: expected ≥ 0, found {CheckpointEvery}");
        if (TrainLimit is < 1) throw new InvalidInputException($"--train-limit: expected ≥ 1, found {TrainLimit}");
        if (!ModelZoo.Names.Contains(Model.ToLowerInvariant()))
            throw new InvalidInputException($"--model: unknown model '{Model}'; expected one of {string.Join(", ", ModelZoo.Names)}");
    }
}
