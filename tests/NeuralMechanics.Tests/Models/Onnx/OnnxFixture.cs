using System.Text.Json;
using NeuralMechanics.Models.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Models.Onnx;

/// <summary>
/// One committed PyTorch fixture (Fixtures/Onnx/make_fixtures.py): the .onnx file and, from PyTorch 1.13
/// on the same weights, the input, the output, the gradient of the cross-entropy loss w.r.t. every
/// parameter and BatchNorm's running statistics after that forward, by state_dict name.
/// </summary>
internal sealed class OnnxFixture
{
    private OnnxFixture(string name) => Name = name;

    public string Name { get; }

    public string OnnxPath => Path.Combine(Folder, Name + ".onnx");

    public bool TrainMode { get; private set; }

    public long[] Labels { get; private set; } = [];

    public Dictionary<string, Tensor> Tensors { get; } = new();

    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "NeuralMechanics.sln")))
                    return Path.Combine(dir.FullName, "tests", "NeuralMechanics.Tests", "Fixtures", "Onnx");
            throw new InvalidOperationException("NeuralMechanics.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static OnnxFixture Read(string name)
    {
        var fixture = new OnnxFixture(name);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".json")));
        var root = json.RootElement;
        fixture.TrainMode = root.GetProperty("mode").GetString() == "train";
        fixture.Labels = root.GetProperty("labels").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var bytes = File.ReadAllBytes(Path.Combine(Folder, name + ".bin"));
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        var offset = 0;
        foreach (var t in root.GetProperty("tensors").EnumerateArray())
        {
            var shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var count = (int)shape.Aggregate(1L, (a, b) => a * b);
            fixture.Tensors[t.GetProperty("name").GetString()!] = torch.tensor(floats[offset..(offset + count)], shape);
            offset += count;
        }
        Assert.Equal(floats.Length, offset);
        return fixture;
    }

    /// <summary>The imported network run as PyTorch ran it: output, loss backward; returns the output.</summary>
    public Tensor RunImported(OnnxNetwork network)
    {
        network.train(TrainMode);
        network.zero_grad();
        var output = network.forward(Tensors["input"]);
        using var labels = torch.tensor(Labels);
        using var loss = nn.functional.cross_entropy(output, labels);
        loss.backward();
        return output;
    }

    /// <summary>max |a − b| over max(1, max |b|): the error relative to the reference's scale.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = actual.detach().to(ScalarType.Float64).sub(expected.to(ScalarType.Float64)).abs().max();
        using var scale = expected.to(ScalarType.Float64).abs().max();
        return diff.ReadDouble() / Math.Max(1.0, scale.ReadDouble());
    }
}
