using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using NeuralMechanics.Data;
using NeuralMechanics.Models;
using NeuralMechanics.Python;
using NeuralMechanics.Runs;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Python;

/// <summary>weights.safetensors: PyTorch's state_dict, read back by a reader written here from the format's description.</summary>
[Collection(TorchRngCollection.Name)]
public sealed class WeightsFileTests
{
    private sealed record Entry(string DType, long[] Shape, double[] Values);

    /// <summary>
    /// Reads a safetensors file from its bytes: 8-byte little-endian header length, JSON header,
    /// data; checks that the header is 8-byte padded and the tensors' byte ranges tile the data in
    /// the header's order.
    /// </summary>
    private static (Dictionary<string, string> Metadata, List<string> Order, Dictionary<string, Entry> Tensors) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8);
        var data = bytes.AsSpan((int)(8 + n));
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd(' '));
        var metadata = new Dictionary<string, string>();
        var order = new List<string>();
        var tensors = new Dictionary<string, Entry>();
        long end = 0;
        foreach (var p in header.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__")
            {
                foreach (var m in p.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString()!;
                continue;
            }
            string dtype = p.Value.GetProperty("dtype").GetString()!;
            long[] shape = p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            long[] offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            Assert.Equal(end, offsets[0]);
            end = offsets[1];
            var raw = data[(int)offsets[0]..(int)offsets[1]];
            int size = dtype switch { "F64" or "I64" => 8, "F32" => 4, _ => throw new Xunit.Sdk.XunitException($"unexpected dtype {dtype}") };
            Assert.Equal(shape.Aggregate(1L, (a, b) => a * b) * size, raw.Length);
            var values = new double[raw.Length / size];
            for (int i = 0; i < values.Length; i++)
                values[i] = dtype switch
                {
                    "F64" => BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]),
                    "I64" => BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]),
                    _ => BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]),
                };
            order.Add(p.Name);
            tensors[p.Name] = new Entry(dtype, shape, values);
        }
        Assert.Equal(data.Length, end);
        return (metadata, order, tensors);
    }

    private static string DType(Tensor t) => t.dtype switch
    {
        ScalarType.Float32 => "F32", ScalarType.Float64 => "F64", ScalarType.Int64 => "I64", var d => throw new Xunit.Sdk.XunitException($"unexpected {d}"),
    };

    /// <summary>Every tensor of <paramref name="state"/> is in the file with its dtype, shape and every value, bit for bit.</summary>
    private static void AssertHolds(Dictionary<string, Entry> file, IEnumerable<(string Name, Tensor Tensor)> state)
    {
        foreach (var (name, tensor) in state)
        {
            Assert.True(file.TryGetValue(name, out var e), $"{name} is not in the file");
            Assert.Equal(DType(tensor), e!.DType);
            Assert.Equal(tensor.shape, e.Shape);
            Assert.Equal(HostReads.ToDoubles(tensor.detach().cpu().to(ScalarType.Float64).flatten()), e.Values);
        }
    }

    private static void TrainSteps(nn.Module<Tensor, Tensor> model, int steps, long inputs, ScalarType dtype)
    {
        var sgd = new SgdOptimizer(model.named_parameters().Select(p => (p.name, p.parameter)), new SgdSettings(0.1, 1e-3, 0.9));
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            sgd.ZeroGrad();
            Losses.CrossEntropy(model.forward(torch.randn(8, inputs, dtype: dtype)), torch.randint(0, 3, [8])).backward();
            sgd.Step();
        }
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void AModuleWithBatchNormRoundTripsBitForBitUnderItsStateDictNamesSortedWithItsMetadata(ScalarType dtype)
    {
        using var dir = new TempDirectory();
        torch.manual_seed(5);
        var model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3));
        model.to(dtype);
        TrainSteps(model, 3, 4, dtype);
        WeightsFile.Write(dir.File("w.safetensors"), model, 3, "mine");

        var (metadata, order, tensors) = Read(dir.File("w.safetensors"));
        var state = model.state_dict();
        // PyTorch's nn.Sequential state_dict keys; TorchSharp's BatchNorm1d keeps its counter here.
        string[] keys = ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "3.weight", "3.bias"];
        Assert.Equal(keys.Order(StringComparer.Ordinal), order);
        AssertHolds(tensors, state.Select(p => (p.Key, p.Value)));
        // The running statistics moved away from their initial 0 and 1 during the three steps.
        Assert.DoesNotContain(0.0, tensors["1.running_mean"].Values);
        Assert.Equal([3.0], tensors["1.num_batches_tracked"].Values);
        Assert.Equal("I64", tensors["1.num_batches_tracked"].DType);
        Assert.Empty(tensors["1.num_batches_tracked"].Shape);
        Assert.Equal(("pt", "mine", "3"), (metadata["format"], metadata["model"], metadata["step"]));
    }

    private sealed class Renamed : nn.Module<Tensor, Tensor>, IStateDictNames
    {
        private readonly TorchSharp.Modules.Linear fc = nn.Linear(4, 3);

        public Renamed() : base(nameof(Renamed)) => RegisterComponents();

        public override Tensor forward(Tensor x) => fc.forward(x);

        public IReadOnlyDictionary<string, string> StateDictNames { get; } =
            new Dictionary<string, string> { ["fc.weight"] = "encoder.proj.weight", ["fc.bias"] = "encoder.proj.bias" };
    }

    [Fact]
    public void ANetworkWithStateDictNamesIsWrittenUnderThoseNames()
    {
        using var dir = new TempDirectory();
        var model = new Renamed();
        WeightsFile.Write(dir.File("w.safetensors"), model, 0, "imported");
        var (_, order, tensors) = Read(dir.File("w.safetensors"));
        Assert.Equal(["encoder.proj.bias", "encoder.proj.weight"], order);
        var own = model.state_dict();
        AssertHolds(tensors, [("encoder.proj.weight", own["fc.weight"]), ("encoder.proj.bias", own["fc.bias"])]);
    }

    [Fact]
    public void ATrainingRunWritesItsStateAtEveryCheckpointAndAtTheEndWithTheZoosDroppedBatchCounterAsTheUpdatesDone()
    {
        using var dir = new TempDirectory();
        manual_seed(3);
        var options = new ModelOptions(Depth: 2, Hidden: 16, Norm: "batchnorm");
        var data = DataSets.Load("synthetic:1x8x8:4", seed: 3).Train.Take(256);
        var zoo = ModelZoo.Create("mlp", [1, 8, 8], 4, options);
        using var loader = new BatchLoader(data, 32, Normalization.Compute(data), CPU, shuffle: true, seed: 3);
        var spec = new RunSpec
        {
            Model = "mlp", ModelOptions = options, Data = "synthetic:1x8x8:4", Optimizer = new SgdSettings(0.05, 5e-4, 0.9),
            BatchSize = 32, Steps = 20, LogEvery = 10, CheckpointEvery = 10, OutDir = dir.Path,
        };
        using var session = TrainingSession.Start(zoo.Network, zoo.Architecture, spec, loader);
        var path = Path.Combine(dir.Path, TrajectorySchema.WeightsFile);
        for (int i = 0; i < 10; i++) session.Step();
        Assert.True(File.Exists(path), "no weights.safetensors after the checkpoint at step 10");
        var (metadata, _, tensors) = Read(path);
        Assert.Equal("10", metadata["step"]);
        // The zoo removed BatchNorm's counter (BatchNormCounter); PyTorch's state_dict has one per BatchNorm.
        Assert.Equal(["norm1.num_batches_tracked", "norm2.num_batches_tracked"], tensors.Keys.Where(k => k.EndsWith("num_batches_tracked")).Order());
        Assert.Equal([10.0], tensors["norm1.num_batches_tracked"].Values);
        AssertHolds(tensors, zoo.Network.state_dict().Select(p => (p.Key, p.Value)));
        Assert.Equal(zoo.Network.state_dict().Count + 2, tensors.Count);

        session.Run();
        (metadata, _, tensors) = Read(path);
        Assert.Equal("20", metadata["step"]);
        // 20 updates and the final observation's training-mode pass: the state the test accuracy is
        // measured on, running statistics included.
        Assert.Equal([21.0], tensors["norm2.num_batches_tracked"].Values);
        AssertHolds(tensors, zoo.Network.state_dict().Select(p => (p.Key, p.Value)));
    }
}
