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
    // transformer: two pre-LN nn.TransformerEncoderLayer(d = 8, 2 heads, ReLU MLP 16, dropout 0) → LayerNorm → flatten →
    // head(32→3). The packed attention is the zoo's q, k, v (row blocks of in_proj_weight/bias), attention and o
    // (out_proj), so each block has what the zoo's rules give a ViT block of d = 8, r·d = 16 (docs/design.md,
    // "Transformers": translation 65 + 129 + 64 and rescale 4 × 64 + 128 at d = 64): translation per block o's 8 columns
    // and bias (9), linear2's 16 columns and bias (17) — the residual stream reaches only LayerNorms — and the key bias (8),
    // so 2 × 34 + the head's 32 columns and bias (softmax, 33) = 101; rescale per block norm1 → q, k, v (8), q–k (8),
    // v–o (8), norm2 → linear1 (8), linear1 → linear2 (16, ReLU) = 48, 2 × 48 = 96 (the final norm → head is broken by
    // the flatten of tokens). Scale: none, the network input writes the residual stream and cannot be scaled.
    // Parameters per layer 216 (in_proj) + 72 (out_proj) + 144 + 136 (linear1, 2) + 32 (norms) = 600;
    // 2 × 600 + 16 (final norm) + 99 (head) = 1,315.
    [InlineData("transformer", 1315, 101, 0, 96)]
    // At opset 13 each LayerNorm is ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add, recognised as one LayerNorm: the same counts.
    [InlineData("transformer_opset13", 1315, 101, 0, 96)]
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
    [InlineData("transformer_seq_first")]
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
    public void TheTransformersAttentionAndLayerNormsAreTheZoosNodesAndTheNotesNameNothingUnknown(string name)
    {
        var (network, analysis) = Discover(name);
        using var _ = network;
        var layers = analysis.Architecture.Layers;
        Assert.DoesNotContain(layers, l => l.Operation == Operations.Unknown);
        Assert.DoesNotContain(analysis.Notes, n => n.Contains("unknown"));
        Assert.Equal(5, layers.Count(l => l.Operation == Operations.LayerNorm));
        foreach (var layer in new[] { "encoder.layers.0", "encoder.layers.1" })
        {
            var attention = layers.Single(l => l.Name == $"{layer}.self_attn.attention");
            Assert.Equal(2, attention.Heads);
            // q, k, v read rows [0, 8), [8, 16), [16, 24) of the packed in_proj_weight and in_proj_bias.
            var blocks = attention.Inputs.Select(i => layers[i]).ToList();
            Assert.Equal(["q", "k", "v"], blocks.Select(b => b.Name[(b.Name.LastIndexOf('.') + 1)..]));
            Assert.Equal([0L, 8L, 16L], blocks.Select(b => b.StartOf("weight")));
            Assert.All(blocks, b => Assert.Same(b.Weight, blocks[0].Weight));
            Assert.All(blocks, b => Assert.Equal([8L, 8L], b.ShapeOf("weight")));
            Assert.Equal($"{layer}.self_attn.out_proj", layers[analysis.Architecture.Consumers(attention.Index).Single()].Name);
        }
    }

    [Fact]
    public void TheGroupsFileNamesTheKeyBiasAndTheKeyRowsByTheirPlaceInThePackedInProjection()
    {
        var (network, analysis) = Discover("transformer");
        using var _ = network;
        using var dir = new NeuralMechanics.Tests.Data.TempDirectory();
        var path = Path.Combine(dir.Path, "groups.json");
        NeuralMechanics.Python.GroupsFile.Write(path, "transformer", network, analysis);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var groups = json.RootElement.GetProperty("groups").EnumerateArray().ToList();
        // Entry c of b_K is in_proj_bias[d + c]: unit 3 of the key bias is entry 8 + 3 = 11.
        var bias = groups.Single(g => g.GetProperty("set").GetString() == "encoder.layers.0.self_attn.k.bias" && g.GetProperty("unit").GetInt64() == 3);
        var slice = bias.GetProperty("a").EnumerateArray().Single();
        Assert.Equal(("encoder.layers.0.self_attn.in_proj_bias", 0, 11L),
            (slice.GetProperty("parameter").GetString(), slice.GetProperty("dim").GetInt32(), slice.GetProperty("index").GetInt64()));
        // Feature c = 5 of the q–k rescale: row 5 of W_Q and b_Q against row 8 + 5 = 13 of in_proj_weight and in_proj_bias.
        var qk = groups.Single(g => g.GetProperty("set").GetString() == "encoder.layers.1.self_attn.attention.qk" && g.GetProperty("unit").GetInt64() == 5);
        string Slices(string side) => string.Join(" ", qk.GetProperty(side).EnumerateArray()
            .Select(s => $"{s.GetProperty("parameter").GetString()}[{s.GetProperty("dim").GetInt32()}:{s.GetProperty("index").GetInt64()}]"));
        Assert.Equal("encoder.layers.1.self_attn.in_proj_weight[0:5] encoder.layers.1.self_attn.in_proj_bias[0:5]", Slices("a"));
        Assert.Equal("encoder.layers.1.self_attn.in_proj_weight[0:13] encoder.layers.1.self_attn.in_proj_bias[0:13]", Slices("b"));
    }

    [Fact]
    public void SequenceFirstAttentionGetsTheBatchFirstGroups()
    {
        // batch_first=False behind the model's own transposes: no exporter Transpose around the packed projection,
        // the same q, k, v, attention and out_proj otherwise. By hand, for d = 8 features in 2 heads of 4: the key
        // bias is 8 translation groups (one per entry of b_K), Q–K and V–O are 8 rescale groups each (one per
        // feature c of a head, row c of W_Q, b_Q against row 8 + c of in_proj; row 16 + c of in_proj against
        // column c of out_proj) — the groups of one batch-first layer of the two-layer fixture.
        var (network, analysis) = Discover("transformer_seq_first");
        using var _ = network;
        var layers = analysis.Architecture.Layers;
        // Only the model's own token/batch transposes around the layer stay Unknown (named in the notes); nothing of the attention.
        Assert.Equal(["Transpose", "Transpose"], layers.Where(l => l.Operation == Operations.Unknown).Select(l => l.TypeName));
        Assert.DoesNotContain(analysis.Notes, n => n.Contains("Softmax") || n.Contains("module Slice"));
        var attention = layers.Single(l => l.Name == "layer.self_attn.attention");
        Assert.Equal(2, attention.Heads);
        var blocks = attention.Inputs.Select(i => layers[i]).ToList();
        Assert.Equal([0L, 8L, 16L], blocks.Select(b => b.StartOf("weight")));
        Assert.Equal("layer.self_attn.out_proj", layers[analysis.Architecture.Consumers(attention.Index).Single()].Name);
        long Groups(SymmetryAnalysis a, string set) => a.Sets.Where(s => s.Layer == set).Sum(s => s.Count);
        Assert.Equal(8L, Groups(analysis, "layer.self_attn.k.bias"));
        Assert.Equal(8L, Groups(analysis, "layer.self_attn.attention.qk"));
        Assert.Equal(8L, Groups(analysis, "layer.self_attn.attention.vo"));
        var (batchFirst, batchFirstAnalysis) = Discover("transformer");
        using var __ = batchFirst;
        foreach (var set in new[] { "k.bias", "attention.qk", "attention.vo" })
            Assert.Equal(Groups(batchFirstAnalysis, $"encoder.layers.0.self_attn.{set}"), Groups(analysis, $"layer.self_attn.{set}"));
    }
}
