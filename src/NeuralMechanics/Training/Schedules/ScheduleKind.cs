using System.Text.Json.Serialization;

namespace NeuralMechanics.Training.Schedules;

/// <summary>The shape of a learning-rate schedule after its warmup.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScheduleKind>))]
public enum ScheduleKind
{
    /// <summary>η throughout.</summary>
    [JsonStringEnumMemberName("constant")] Constant,

    /// <summary>η multiplied by the drop rate at each drop step (the reference's <c>--lr-drops</c>, PyTorch's MultiStepLR).</summary>
    [JsonStringEnumMemberName("step")] Step,

    /// <summary>Cosine annealing from η to 0 over the run (PyTorch's CosineAnnealingLR, η_min = 0).</summary>
    [JsonStringEnumMemberName("cosine")] Cosine,
}
