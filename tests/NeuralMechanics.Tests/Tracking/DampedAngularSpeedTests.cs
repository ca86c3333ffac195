using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Tracking;

/// <summary>
/// The layers table's angular speed is per unit of the paper's time t = η(1−α)·step: with
/// dampening α it is |Δθ_A|/(η(1−α)|θ_A|), measured here from the parameters themselves.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class DampedAngularSpeedTests
{
    private const double Eta = 0.05, Dampening = 0.5;

    /// <summary>Keeps fc1's rows [W | b] (the scale group before norm1) as they are before each update.</summary>
    private sealed class Rows : ITrackedQuantity
    {
        public List<double[][]> Before { get; } = [];
        public QuantityNeeds Needs => QuantityNeeds.None;
        public QuantitySchedule Schedule => QuantitySchedule.EveryStep with { AfterLastUpdate = false };
        public IReadOnlyList<QuantityTable> Tables => [];
        public IEnumerable<string> Unavailable => [];
        public void Compute(StepContext step)
        {
            var p = step.Network.named_parameters().ToDictionary(x => x.name, x => x.parameter);
            using var scope = NewDisposeScope();
            var rows = cat([p["fc1.weight"].detach(), p["fc1.bias"].detach().unsqueeze(1)], 1).to(ScalarType.Float64);
            var values = rows.data<double>().ToArray();
            int width = (int)rows.shape[1];
            Before.Add(Enumerable.Range(0, (int)rows.shape[0]).Select(u => values.AsSpan(u * width, width).ToArray()).ToArray());
        }
        public Dictionary<string, double[]> SaveState() => [];
        public void LoadState(IReadOnlyDictionary<string, double[]> state) { }
    }

    [Fact]
    public void WithDampeningHalfTheAngularSpeedIsTheRotationPerStepOverEtaTimesOneMinusAlpha()
    {
        using var dir = new TempDirectory();
        manual_seed(3);
        var data = DataSets.Load("synthetic:1x8x8:4", seed: 3).Train.Take(256);
        var options = new ModelOptions(Depth: 1, Hidden: 16, Norm: "batchnorm");
        var zoo = ModelZoo.Create("mlp", [1, 8, 8], 4, options);
        using var loader = new BatchLoader(data, 32, Normalization.Compute(data), CPU, shuffle: true, seed: 3);
        var spec = new RunSpec
        {
            Model = "mlp", ModelOptions = options, Data = "synthetic:1x8x8:4", Optimizer = new SgdSettings(Eta, 5e-4, 0.9, Dampening),
            BatchSize = 32, Steps = 12, LogEvery = 1, CheckpointEvery = 0, OutDir = dir.Path, EvalEvery = 0,
        };
        var probe = new Rows();
        var sessionOptions = new TrainingSessionOptions();
        sessionOptions.Quantities.Add(_ => probe);
        using (var session = TrainingSession.Start(zoo.Network, zoo.Architecture, spec, loader, options: sessionOptions))
            while (session.Step()) { }

        var layers = TrajectoryReader.Read(Path.Combine(dir.Path, TrajectorySchema.LayersFile));
        var steps = layers.Longs(TrajectorySchema.Step);
        var names = layers.Strings(TrajectorySchema.Layer);
        var kinds = layers.Strings(TrajectorySchema.Kind);
        var speed = layers.Doubles(TrajectorySchema.AngularSpeed);
        int checkedSteps = 0;
        for (int i = 0; i < steps.Length; i++)
        {
            long n = steps[i];
            if (names[i] != "fc1" || kinds[i] != "scale" || n < 1 || n >= probe.Before.Count) continue;
            var (previous, current) = (probe.Before[(int)n - 1], probe.Before[(int)n]);
            double expected = previous.Select((row, u) =>
                Math.Sqrt(row.Zip(current[u], (a, b) => (b - a) * (b - a)).Sum()) / (Eta * (1 - Dampening) * Math.Sqrt(row.Sum(a => a * a)))).Average();
            // Δθ comes from float32 parameters: relative rounding ~1e-4 of a rotation of ~1e-3.
            Assert.Equal(1, speed[i] / expected, 1e-3);
            checkedSteps++;
        }
        Assert.Equal(11, checkedSteps);
    }
}
