using NeuralMechanics.Models;
using NeuralMechanics.Models.Onnx;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Models.Onnx;

/// <summary>
/// Discovery on the graph built from an ONNX file finds the symmetries derived by hand for the
/// network the file describes, every one of them passes verification (float64), and none is found
/// across an operation that is not positively homogeneous (ReLU6).
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class OnnxSymmetryTests(ITestOutputHelper log)
{
    private (OnnxNetwork Network, SymmetryAnalysis Analysis) Discover(string name)
    {
        var network = OnnxNetwork.Load(Path.Combine(OnnxFixture.Folder, name + ".onnx"));
        network.to(ScalarType.Float64);
        var architecture = Architecture.Describe(network, network.ExampleShape, LossKind.CrossEntropy);
        var analysis = SymmetryDiscovery.Discover(architecture);
        foreach (var l in architecture.Layers) log.WriteLine(l.ToString());
        foreach (var s in analysis.Sets) log.WriteLine($"{s.Kind} {s.Layer} {s.Count} exact={s.Exact}");
        foreach (var n in analysis.Notes) log.WriteLine("note: " + n);
        return (network, analysis);
    }

    [Theory]
    // mlp: flatten → fc1(12→16) → ReLU → dropout → fc2(16→8) → tanh → fc3(8→5). Translation: fc3's 8 input
    // columns + its bias (softmax); rescale: fc1 → fc2 per hidden unit (16), fc2 → fc3 broken by tanh.
    // Parameters 12·16+16 + 16·8+8 + 8·5+5 = 389.
    [InlineData("mlp", 389, 9, 0, 16)]
    // cnn: conv1 → bn1 → ReLU → maxpool = x; conv2 → bn2 → ReLU → conv3(+bias) → bn3; x + bn3 → LeakyReLU →
    // avgpool → global pool → fc(6→4). Scale: each of conv1, conv2, conv3 read only by its BN, 3 × 6 = 18.
    // Translation: conv3's bias into bn3 (6) + fc's 6 columns and bias (7) = 13. Rescale: bn2 → conv3 (6) and the
    // residual stream written by bn1 and bn3, read by conv2 and fc (6) = 12.
    // Parameters 162 + 12 + 324 + 12 + 330 + 12 + 28 = 880.
    [InlineData("cnn", 880, 13, 18, 12)]
    // mobile: every BN is followed by ReLU6 (Clip) except project_bn, which adds to the stem's ReLU6 output.
    // Scale: stem, expand, dw (depthwise, groups 8) and project each read only by their BN: 4 + 8 + 8 + 4 = 24.
    // Translation: fc's 4 columns + bias = 5. Rescale: none — ReLU6 is not homogeneous, and the residual
    // stream has a writer without parameters (the stem's ReLU6).
    // Parameters 108 + 8 + 32 + 16 + 72 + 16 + 32 + 8 + 15 = 307.
    [InlineData("mobile", 307, 5, 24, 0)]
    // fire: stem(+bias) → ReLU → maxpool → squeeze → ReLU → [expand1x1 → ReLU, expand3x3 → ReLU] → concat →
    // classifier conv → ReLU → global pool → flatten (no final Linear: no softmax translation).
    // Rescale: stem → squeeze (8), squeeze → expand1x1 + expand3x3 (4), and through the concat along the
    // channels expand1x1 → classifier (6: the concat's channels 0–5, classifier columns 0–5) and expand3x3 →
    // classifier (6: channels 6–11), 8 + 4 + 6 + 6 = 24; the classifier's output reaches the loss.
    // Parameters 224 + 36 + 30 + 222 + 65 = 577.
    [InlineData("fire", 577, 0, 0, 24)]
    // transformer: two pre-LN nn.TransformerEncoderLayer(8, 2 heads, ReLU MLP 16) → LayerNorm → flatten → head(32→3).
    // The attention is executed but not seen through (Unknown nodes, named in the notes), so what is counted is
    // per layer norm2 → linear1 (8, LayerNorm γ_c, β_c against column c) and linear1 → linear2 (16, ReLU), and
    // the head's 32 columns and bias (softmax): translation 33, rescale 2 × 24 = 48. The residual stream has the
    // network input and the attention's output (an Unknown Transpose) among its writers: no scale group.
    // Parameters per layer 216 (in_proj) + 72 (out_proj) + 144 + 136 (linear1, 2) + 32 (norms) = 600;
    // 2 × 600 + 16 (final norm) + 99 (head) = 1,315.
    [InlineData("transformer", 1315, 33, 0, 48)]
    // At opset 13 each LayerNorm is ReduceMean/Sub/Pow/Sqrt/Div then Mul(γ)/Add(β), Unknown nodes: norm2 → linear1
    // is not found, linear1 → linear2 (2 × 16) and the head's translation (33) are.
    [InlineData("transformer_opset13", 1315, 33, 0, 32)]
    public void DiscoveryOnTheImportedGraphFindsTheCountsDerivedByHand(string name, long parameters, long translation, long scale, long rescale)
    {
        var (network, analysis) = Discover(name);
        using var _ = network;
        Assert.Equal(parameters, analysis.Architecture.ParameterCount);
        Assert.Equal((translation, scale, rescale),
            (analysis.Count(SymmetryKind.Translation), analysis.Count(SymmetryKind.Scale), analysis.Count(SymmetryKind.Rescale)));
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    [InlineData("mobile")]
    [InlineData("fire")]
    [InlineData("transformer")]
    [InlineData("transformer_opset13")]
    public void EveryGroupFoundOnTheImportedGraphPassesVerification(string name)
    {
        using var scope = NewDisposeScope();
        var (network, analysis) = Discover(name);
        using var _ = network;
        using var generator = new Generator(3);
        var x = randn([4, .. network.ExampleShape], ScalarType.Float64, generator: generator);
        var y = randint(network.Classes, [4], generator: generator);
        var results = SymmetryVerifier.Verify(network, analysis, x, y);
        Assert.Equal(analysis.Sets.Count, results.Count);
        foreach (var r in results) log.WriteLine(r.ToString());
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
    }

    [Fact]
    public void ARescaleAcrossReLU6IsNotFoundAndAHandMadeOneFailsVerification()
    {
        using var scope = NewDisposeScope();
        var (network, analysis) = Discover("mobile");
        using var _ = network;
        Assert.DoesNotContain(analysis.Sets, s => s.Kind == SymmetryKind.Rescale);
        var layers = analysis.Architecture.Layers;
        var bn = layers.Single(l => l.Name == "dw_bn");
        var project = layers.Single(l => l.Name == "project");
        // γ = 10 puts most of dw_bn's outputs above 6, where ReLU6 clips.
        using (no_grad())
        {
            using Scalar ten = 10.0;
            bn.Weight!.fill_(ten);
        }
        // What the ReLU rule would count were the Clip a ReLU: dw_bn's γ_c, β_c against project's column c.
        var wouldBe = new SymmetryGroupSet(SymmetryKind.Rescale, "dw_bn→project", 8,
            [new UnitSlice("dw_bn", "weight", bn.Weight!, [8, 1], 0), new UnitSlice("dw_bn", "bias", bn.Bias!, [8, 1], 0)],
            [new UnitSlice("project", "weight", project.Weight!, [4, 8], 1)], true, "would-be ReLU6 rescale");
        using var generator = new Generator(3);
        var x = randn([4, .. network.ExampleShape], ScalarType.Float64, generator: generator);
        var y = randint(network.Classes, [4], generator: generator);
        var result = SymmetryVerifier.Verify(network, new SymmetryAnalysis(analysis.Architecture, [wouldBe], []), x, y).Single();
        Assert.False(result.Passed, result.ToString());
        Assert.True(result.Invariance > 1e-6 && result.Gradient > 1e-6, result.ToString());
    }

    [Fact]
    public void AnExpandChannelAgainstTheWrongConcatenatedColumnFailsVerification()
    {
        using var scope = NewDisposeScope();
        var (network, analysis) = Discover("fire");
        using var _ = network;
        var right = analysis.Sets.Single(s => s.Layer == "expand3x3→classifier");
        Assert.Equal((6L, 6L, 6L), (right.Count, right.B.Single().From, right.B.Single().Units));
        // expand3x3's channel c against the classifier's column c (expand1x1's place in the concat) instead of 6 + c.
        var wrong = right with { Layer = "wrong", B = [right.B.Single() with { From = 0 }] };
        using var generator = new Generator(3);
        var x = randn([4, .. network.ExampleShape], ScalarType.Float64, generator: generator);
        var y = randint(network.Classes, [4], generator: generator);
        var result = SymmetryVerifier.Verify(network, new SymmetryAnalysis(analysis.Architecture, [wrong], []), x, y).Single();
        Assert.False(result.Passed, result.ToString());
        Assert.True(result.Invariance > 1e-6, result.ToString());
    }

    [Theory]
    [InlineData("transformer")]
    [InlineData("transformer_opset13")]
    public void TheTransformersAttentionNodesItCannotSeeThroughAreNamedInTheNotes(string name)
    {
        var (network, analysis) = Discover(name);
        using var _ = network;
        // The exporter's attention (Transpose, Slice of the packed in_proj output, Reshape, MatMul of q and k,
        // Softmax) is executed but not analysed: each such node is Unknown and named in the notes.
        var unknown = analysis.Architecture.Layers.Where(l => l.Operation == Operations.Unknown).ToList();
        Assert.Contains(unknown, l => l.TypeName == "Softmax");
        Assert.Contains(analysis.Notes, n => n.Contains("Softmax"));
        // The head still has its softmax translation: its 32 input columns and its bias.
        Assert.Equal(33, analysis.Sets.Where(s => s.Kind == SymmetryKind.Translation && s.Layer.StartsWith("head")).Sum(s => s.Count));
    }
}
