using System.Globalization;
using System.Text.Json.Serialization;
using NeuralMechanics.Training.Schedules;

namespace NeuralMechanics.Training;

/// <summary>
/// Everything that decides a run's updates: the rule (<see cref="Kind"/>, registered with
/// <see cref="OptimizerRegistry"/>), its hyperparameters, which parameters skip weight decay and the
/// learning-rate schedule. Pure data, shared by the optimizer factory (<see cref="Optimizers"/>), the
/// tracker's theory and the run manifest; a manifest written before Adam and schedules existed reads
/// as SGD with a constant η. Each rule reads the fields it has and rejects those it has not.
/// </summary>
// A misspelt field in a hand-written specification is an error, not a silent default.
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record OptimizerSettings
{
    /// <summary>The update rule.</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Sgd;

    /// <summary>Base learning rate η &gt; 0 (the schedule's factor 1).</summary>
    public required double LearningRate { get; init; }

    /// <summary>Weight decay λ ≥ 0: L2 (added to the gradient) for SGD and Adam, decoupled for AdamW and Lion.</summary>
    public double WeightDecay { get; init; }

    /// <summary>SGD momentum β ∈ [0, 1).</summary>
    public double Momentum { get; init; }

    /// <summary>SGD dampening α ∈ [0, 1].</summary>
    public double Dampening { get; init; }

    /// <summary>SGD Nesterov momentum (needs β &gt; 0 and α = 0, as in PyTorch).</summary>
    public bool Nesterov { get; init; }

    /// <summary>Adam's and Lion's β₁ ∈ [0, 1) (Adam: first-moment decay; Lion: the momentum's weight in the update).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam's and Lion's β₂ ∈ [0, 1) (Adam: second-moment decay; Lion: the momentum's decay).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam ε ≥ 0, added to √v̂.</summary>
    public double Eps { get; init; } = 1e-8;

    /// <summary>Parameters that get no weight decay (their own parameter group with λ = 0).</summary>
    public DecayExclusion NoDecay { get; init; } = DecayExclusion.None;

    /// <summary>The learning-rate schedule ηₙ = η·fₙ.</summary>
    public LrSchedule Schedule { get; init; } = LrSchedule.Constant;

    /// <summary>The SGD hyperparameters (η, λ, β, α, Nesterov) at the base learning rate.</summary>
    [JsonIgnore]
    public SgdSettings Sgd => new(LearningRate, WeightDecay, Momentum, Dampening, Nesterov);

    /// <summary>The rule's registration (<see cref="OptimizerRegistry.Get(OptimizerKind)"/>).</summary>
    /// <exception cref="InvalidInputException">No rule of this name is registered.</exception>
    [JsonIgnore]
    public IOptimizerDefinition Definition => OptimizerRegistry.Get(Kind);

    /// <summary>The theory of these settings: laws per symmetry set, equilibrium, time per step.</summary>
    /// <exception cref="InvalidInputException">No rule of this name is registered.</exception>
    [JsonIgnore]
    public NeuralMechanics.Theory.OptimizerTheory Theory => Definition.Theory(this);

    /// <summary>Continuous time per step at the base rate: η·c (c = 1 − α with SGD momentum, the paper's convention; else 1).</summary>
    // An unknown rule (a manifest to be rejected by Validate) still serialises.
    public double TimePerStep => OptimizerRegistry.Find(Kind) is { } d ? LearningRate * d.Theory(this).TimeScale : LearningRate;

    /// <summary>Plain SGD settings as the optimizer settings of a run (constant η, every parameter decayed).</summary>
    public static implicit operator OptimizerSettings(SgdSettings s) => new()
    {
        LearningRate = s.LearningRate, WeightDecay = s.WeightDecay, Momentum = s.Momentum, Dampening = s.Dampening, Nesterov = s.Nesterov,
    };

    /// <summary>Throws <see cref="InvalidInputException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        Definition.Validate(this);
        if ((int)NoDecay is < 0 or > 3) throw new InvalidInputException($"--no-decay: expected norm, bias or norm,bias, found {(int)NoDecay}");
        Schedule.Validate();
    }

    /// <summary>Parses <c>--betas 0.9,0.999</c>.</summary>
    /// <exception cref="InvalidInputException">Not two finite numbers.</exception>
    public static (double Beta1, double Beta2) ParseBetas(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var b1)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b2))
            return (b1, b2);
        throw new InvalidInputException($"--betas: expected two numbers in [0, 1) separated by a comma (e.g. 0.9,0.999), found '{text}'");
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
