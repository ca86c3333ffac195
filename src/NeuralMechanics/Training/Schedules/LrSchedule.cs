using System.Globalization;
using System.Text.Json.Serialization;

namespace NeuralMechanics.Training.Schedules;

/// <summary>
/// A learning-rate schedule: the factor fₙ by which every parameter group's base rate is multiplied
/// for update n (n = 0 is the first update), ηₙ = η·fₙ. Pure data, shared by the optimizer, the
/// theory (which advances its laws with each ηₙ) and the run manifest.
/// </summary>
/// <remarks>
/// fₙ = warmup(n) · shape(n):
/// <list type="bullet">
/// <item>warmup(n) = (n + 1)/W for n &lt; W (linear, reaching η at update W − 1, never 0), else 1;</item>
/// <item>constant: 1;</item>
/// <item>step: rate^k with k the number of drop steps ≤ n (PyTorch's MultiStepLR stepped after every update);</item>
/// <item>cosine: ½(1 + cos(π(n − W)/(T − W))) for n ≥ W, with T = <see cref="Horizon"/>
/// (PyTorch's CosineAnnealingLR with η_min = 0 and T_max = T − W, started after the warmup).</item>
/// </list>
/// </remarks>
// A misspelt field in a hand-written specification is an error, not a silent default.
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record LrSchedule
{
    /// <summary>No warmup, no drops: η throughout.</summary>
    public static readonly LrSchedule Constant = new();

    /// <summary>Shape after the warmup.</summary>
    public ScheduleKind Kind { get; init; } = ScheduleKind.Constant;

    /// <summary>Steps at which η is multiplied by <see cref="DropRate"/> (strictly increasing, ≥ 1); step schedules only.</summary>
    public long[] Drops { get; init; } = [];

    /// <summary>Factor applied at each drop, in (0, 1].</summary>
    public double DropRate { get; init; } = 0.1;

    /// <summary>Linear warmup length W (0: none).</summary>
    public long WarmupSteps { get; init; }

    /// <summary>Cosine: the step count T the cosine spans (set to the run's steps when the run starts; 0 = not yet set).</summary>
    public long Horizon { get; init; }

    /// <summary>Whether every factor is 1 (constant η, no warmup).</summary>
    [JsonIgnore]
    public bool IsConstant => Kind == ScheduleKind.Constant && WarmupSteps == 0;

    /// <summary>The factor fₙ of update <paramref name="n"/> ≥ 0.</summary>
    public double Factor(long n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "expected an update index ≥ 0");
        double warmup = n < WarmupSteps ? (n + 1) / (double)WarmupSteps : 1;
        double shape = Kind switch
        {
            ScheduleKind.Step => Math.Pow(DropRate, Drops.Count(d => d <= n)),
            ScheduleKind.Cosine when n >= WarmupSteps => 0.5 * (1 + Math.Cos(Math.PI * (n - WarmupSteps) / (Horizon - WarmupSteps))),
            _ => 1,
        };
        return warmup * shape;
    }

    /// <summary>Throws <see cref="InvalidInputException"/> naming the option out of range.</summary>
    public void Validate()
    {
        if (WarmupSteps < 0) throw new InvalidInputException($"--warmup-steps: expected a whole number ≥ 0, found {WarmupSteps}");
        if (!(DropRate > 0 && DropRate <= 1)) throw new InvalidInputException($"--lr-drop-rate: expected a number in (0, 1], found {Format(DropRate)}");
        if (Kind == ScheduleKind.Step && Drops.Length == 0)
            throw new InvalidInputException("--schedule: step needs --lr-drops (e.g. --lr-drops 30000,60000)");
        if (Kind != ScheduleKind.Step && Drops.Length > 0)
            throw new InvalidInputException($"--lr-drops: apply to --schedule step only, found --schedule {Name(Kind)}");
        for (int i = 0; i < Drops.Length; i++)
            if (Drops[i] < 1 || (i > 0 && Drops[i] <= Drops[i - 1]))
                throw new InvalidInputException($"--lr-drops: expected strictly increasing steps ≥ 1, found {string.Join(",", Drops)}");
        if (Kind == ScheduleKind.Cosine && Horizon != 0 && Horizon <= WarmupSteps)
            throw new InvalidInputException($"--warmup-steps: a cosine schedule needs more steps ({Horizon}) than warmup steps ({WarmupSteps})");
    }

    /// <summary>Command-line name of a kind: constant, step or cosine.</summary>
    public static string Name(ScheduleKind kind) => kind switch
    {
        ScheduleKind.Step => "step",
        ScheduleKind.Cosine => "cosine",
        _ => "constant",
    };

    /// <summary>Parses constant, step or cosine.</summary>
    /// <exception cref="InvalidInputException">Another name.</exception>
    public static ScheduleKind ParseKind(string text) => text.Trim().ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "step" => ScheduleKind.Step,
        "cosine" => ScheduleKind.Cosine,
        _ => throw new InvalidInputException($"--schedule: expected constant, step or cosine, found '{text}'"),
    };

    /// <summary>Parses <c>--lr-drops 30000,60000</c>.</summary>
    /// <exception cref="InvalidInputException">An item that is not a whole number.</exception>
    public static long[] ParseDrops(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(item => long.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
                : throw new InvalidInputException($"--lr-drops: expected comma-separated whole step numbers (e.g. 30000,60000), found '{item}'"))
            .ToArray();

    // Arrays compare by reference in a generated record equality; drops are compared by value.
    /// <inheritdoc />
    public bool Equals(LrSchedule? other) => other is not null && Kind == other.Kind && Drops.SequenceEqual(other.Drops)
        && DropRate.Equals(other.DropRate) && WarmupSteps == other.WarmupSteps && Horizon == other.Horizon;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Drops.Length == 0 ? 0 : Drops[^1], DropRate, WarmupSteps, Horizon);

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
