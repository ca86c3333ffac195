using Xunit.Abstractions;
using NeuralMechanics.Models.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Models.Onnx;

/// <summary>
/// The imported network computes what PyTorch computed on the same weights (committed fixtures from
/// PyTorch 1.13, Fixtures/Onnx/make_fixtures.py): the output, every parameter's gradient of the
/// cross-entropy loss and BatchNorm's running statistics after the forward, within float32 rounding.
/// </summary>
public sealed class OnnxImportTests(ITestOutputHelper log)
{
    // float32 rounding through a few layers: a few ulps of the largest value, relative to max(1, |value|).
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Fixtures => new() { "mlp", "cnn", "mobile", "fire", "transformer", "transformer_opset13", "transformer_seq_first", "resblock" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void TheImportedForwardEqualsPyTorchsOutputAndItsParameterGradients(string name)
    {
        using var scope = torch.NewDisposeScope();
        var fixture = OnnxFixture.Read(name);
        using var network = OnnxNetwork.Load(fixture.OnnxPath);
        var output = fixture.RunImported(network);
        Assert.True(OnnxFixture.RelativeError(output, fixture.Tensors["output"]) < Tolerance,
            $"{name} output: {OnnxFixture.RelativeError(output, fixture.Tensors["output"]):E2}");
        var byStateDict = network.named_parameters().ToDictionary(p => network.StateDictNames[p.name], p => p.parameter);
        var grads = fixture.Tensors.Keys.Where(k => k.StartsWith("grad:")).ToList();
        Assert.Equal(grads.Select(k => k[5..]).Order(), byStateDict.Keys.Order());
        var largest = 0.0;
        foreach (var key in grads)
        {
            var error = OnnxFixture.RelativeError(byStateDict[key[5..]].grad!, fixture.Tensors[key]);
            Assert.True(error < Tolerance, $"{name} {key}: {error:E2}");
            largest = Math.Max(largest, error);
        }
        log.WriteLine($"{name}: output {OnnxFixture.RelativeError(output, fixture.Tensors["output"]):E2}, largest gradient {largest:E2}");
    }

    [Theory]
    [InlineData("cnn", 3)]
    [InlineData("mobile", 4)]
    [InlineData("resblock", 4)]
    public void BatchNormUpdatesItsRunningStatisticsAsPyTorchDoes(string name, int batchNorms)
    {
        using var scope = torch.NewDisposeScope();
        var fixture = OnnxFixture.Read(name);
        using var network = OnnxNetwork.Load(fixture.OnnxPath);
        fixture.RunImported(network);
        var byStateDict = network.named_buffers().ToDictionary(b => network.StateDictNames[b.name], b => b.buffer);
        // Two running statistics (mean, var) per BatchNorm, each a buffer of the imported network.
        var after = fixture.Tensors.Keys.Where(k => k.StartsWith("after:")).ToList();
        Assert.Equal(2 * batchNorms, after.Count);
        Assert.Equal(2 * batchNorms, byStateDict.Count);
        foreach (var key in after)
        {
            var error = OnnxFixture.RelativeError(byStateDict[key[6..]], fixture.Tensors[key]);
            Assert.True(error < Tolerance, $"{name} {key}: {error:E2}");
        }
    }
}
