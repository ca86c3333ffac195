using System.Text.Json;
using NeuralMechanics.Models;
using NeuralMechanics.Python;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Data;
using NeuralMechanics.Tests.Models.Onnx;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Python;

/// <summary>
/// The groups file read back as a PyTorch user reads it: every group applied to the parameters by
/// the file's names and slices alone leaves the loss unchanged, and each set's slices are the set's.
/// </summary>
[Collection(TorchRngCollection.Name)]
public sealed class GroupsFileTests
{
    private const int Classes = 5;

    public static TheoryData<string, long[], ModelOptions> Models => new()
    {
        { "mlp", [1, 8, 8], new ModelOptions(Depth: 2, Hidden: 16) },
        { "mlp", [1, 8, 8], new ModelOptions(Depth: 2, Hidden: 16, Norm: "batchnorm") },
        // 64×64 leaves 2×2 positions per channel before the classifier: its first Linear reads a channel as a run of columns (a "view" slice).
        { "vgg11-bn", [3, 64, 64], new ModelOptions(Width: 0.0625) },
        { "resnet18", [3, 16, 16], new ModelOptions(Width: 0.125) },
        { "vit", [1, 8, 8], new ModelOptions(Depth: 2, Activation: "relu", Patch: 4, Dim: 8, Heads: 2) },
        // Imported: SqueezeNet's fire module, whose expand convolutions are read through a concatenation (the
        // classifier's input columns 6 + c for expand3x3's channel c); parameters by their state_dict names.
        { Path.Combine(OnnxFixture.Folder, "fire.onnx"), [3, 9, 9], new ModelOptions() },
    };

    private static (ZooModel Zoo, SymmetryAnalysis Analysis, JsonElement[] Groups, JsonDocument File) Written(string name, long[] shape, ModelOptions options, string path)
    {
        torch.manual_seed(7);
        var zoo = ModelZoo.Create(name, shape, Classes, options, dtype: ScalarType.Float64);
        var analysis = SymmetryDiscovery.Discover(zoo.Architecture);
        GroupsFile.Write(path, zoo.Name, zoo.Network, analysis);
        var file = JsonDocument.Parse(File.ReadAllBytes(path));
        return (zoo, analysis, file.RootElement.GetProperty("groups").EnumerateArray().ToArray(), file);
    }

    /// <summary>The part of <paramref name="t"/> a slice of the file names: t.narrow(0, ROWS).view(VIEW).select(D, I), or t itself.</summary>
    private static Tensor Part(Tensor t, JsonElement slice)
    {
        if (slice.TryGetProperty("rows", out var rows)) t = t.narrow(0, rows[0].GetInt64(), rows[1].GetInt64());
        if (slice.TryGetProperty("view", out var view)) t = t.view(view.EnumerateArray().Select(v => v.GetInt64()).ToArray());
        var dim = slice.GetProperty("dim");
        var index = slice.GetProperty("index");
        Assert.Equal(dim.ValueKind, index.ValueKind);
        return dim.ValueKind == JsonValueKind.Null ? t : t.select(dim.GetInt32(), index.GetInt64());
    }

    private static void Act(Dictionary<string, Tensor> parameters, JsonElement group, double value)
    {
        using Scalar alpha = value;
        bool translation = group.GetProperty("kind").GetString() == "translation";
        foreach (var s in group.GetProperty("a").EnumerateArray())
        {
            var part = Part(parameters[s.GetProperty("parameter").GetString()!], s);
            if (translation) part.add_(alpha); else part.mul_(alpha);
        }
        foreach (var s in group.GetProperty("b").EnumerateArray())
            Part(parameters[s.GetProperty("parameter").GetString()!], s).div_(alpha);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ApplyingEachSetsGroupsByTheFilesNamesAndSlicesLeavesTheFloat64LossWithin1e10(string name, long[] shape, ModelOptions options)
    {
        using var dir = new TempDirectory();
        var (zoo, analysis, groups, file) = Written(name, shape, options, dir.File("groups.json"));
        using var _ = file;
        var network = zoo.Network;
        // The norms' ε is what makes their scale groups approximate (docs/design.md, "The rules"):
        // at ε ≈ 0 every group of the file must hold to rounding, so a wrong slice cannot hide in ε.
        foreach (var m in network.modules())
        {
            if (m is BatchNorm bn) bn.eps = 1e-200;
            if (m is LayerNorm ln) ln.eps = 1e-200;
        }
        network.train();
        foreach (var m in network.modules()) if (m is Dropout) m.eval();

        Assert.Equal(analysis.Total, groups.Length);
        Assert.Equal(zoo.Architecture.ParameterCount, file.RootElement.GetProperty("parameters").GetInt64());
        foreach (var kind in Enum.GetValues<SymmetryKind>())
            Assert.Equal(analysis.Count(kind), file.RootElement.GetProperty("counts").GetProperty(kind.Name()).GetInt64());

        var parameters = StateDictNaming.Parameters(network).ToDictionary(p => p.Value, p => (Tensor)p.Key);
        EachSetLeavesTheLossWithin1e10(name, network, parameters, groups, shape, Classes);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void EachSetsSlicesInTheFileCoverExactlyTheSetsSlicesUnitByUnit(string name, long[] shape, ModelOptions options)
    {
        using var dir = new TempDirectory();
        var (zoo, analysis, groups, file) = Written(name, shape, options, dir.File("groups.json"));
        using var _ = file;
        IEqualityComparer<Parameter> byReference = ReferenceEqualityComparer.Instance;
        var names = new Dictionary<Parameter, string>(StateDictNaming.Parameters(zoo.Network), byReference);
        int next = 0;
        foreach (var set in analysis.Sets)
        {
            using var scope = torch.NewDisposeScope();
            var fromFile = new[] { new Dictionary<string, Tensor>(), new Dictionary<string, Tensor>() };
            var expected = new[] { new Dictionary<string, Tensor>(), new Dictionary<string, Tensor>() };
            var units = torch.tensor(Enumerable.Range(1, (int)set.Count).Select(u => (double)u).ToArray());
            for (int side = 0; side < 2; side++)
                foreach (var s in side == 0 ? set.A : set.B)
                {
                    // Label every element of unit u with u + 1; elements in two units would add up and differ.
                    var label = s.Broadcast(units);
                    string n = names[s.Tensor];
                    expected[side][n] = expected[side].TryGetValue(n, out var e) ? e + label : label;
                }
            for (long unit = 0; unit < set.Count; unit++, next++)
            {
                var g = groups[next];
                Assert.Equal((set.Kind.Name(), set.Layer, unit, set.Exact),
                    (g.GetProperty("kind").GetString(), g.GetProperty("set").GetString(), g.GetProperty("unit").GetInt64(), g.GetProperty("exact").GetBoolean()));
                using Scalar label = unit + 1.0;
                for (int side = 0; side < 2; side++)
                    foreach (var s in g.GetProperty(side == 0 ? "a" : "b").EnumerateArray())
                    {
                        string n = s.GetProperty("parameter").GetString()!;
                        Assert.True(expected[side].ContainsKey(n), $"{name}: set {set.Layer} names {n}, which is not in its side {"ab"[side]}");
                        if (!fromFile[side].TryGetValue(n, out var t))
                            fromFile[side][n] = t = torch.zeros(expected[side][n].shape, ScalarType.Float64);
                        Part(t, s).add_(label);
                    }
            }
            for (int side = 0; side < 2; side++)
            {
                Assert.Equal(expected[side].Keys.Order(), fromFile[side].Keys.Order());
                foreach (var (n, e) in expected[side])
                    Assert.True(e.equal(fromFile[side][n]).all().ReadBoolean(), $"{name}: set {set.Layer}, side {"ab"[side]}: the file's slices of {n} are not the set's");
            }
        }
        Assert.Equal(groups.Length, next);
    }

    [Fact]
    public void TheViewSliceIsUsedExactlyWhereAUnitIsNotOneSelectOfTheParametersShape()
    {
        var linear = new Parameter(torch.zeros(4, 12));
        var conv = new Parameter(torch.zeros(8, 3, 2, 2));
        var bias = new Parameter(torch.zeros(8));
        // A Linear reading 3 channels of 2×2 positions after a flatten: channel c is columns 4c … 4c + 3.
        Check(1, [4, 3, 4], new UnitSlice("fc", "weight", linear, [4, 3, 4], 1));
        // A convolution reading channel c: its input-channel dimension.
        Check(1, null, new UnitSlice("conv", "weight", conv, [8, 3, 4], 1));
        // Rows of a convolution and of a bias: dimension 0.
        Check(0, null, new UnitSlice("conv", "weight", conv, [8, 12], 0));
        Check(0, null, new UnitSlice("conv", "bias", bias, [8, 1], 0));
        // A convolution's input columns (channel and kernel position): no dimension of [8, 3, 2, 2].
        Check(1, [8, 12], new UnitSlice("conv", "weight", conv, [8, 12], 1));
        // A GroupNorm's 2 groups of 4 channels of a bias: view [2, 4], dimension 0.
        Check(0, [2, 4, 1], new UnitSlice("gn", "bias", bias, [2, 4, 1], 0));
        // One unit: the whole tensor.
        Check(null, null, new UnitSlice("conv", "bias", bias, [1, 8], 0));
    }

    private static void Check(int? dim, long[]? view, UnitSlice s)
    {
        var selection = GroupsFile.Selection(s);
        Assert.Equal(dim, selection.Dim);
        if (view is null) Assert.Null(selection.View); else Assert.Equal(view, selection.View!);
    }

    [Fact]
    public void TheImportedTransformersGroupsAppliedByTheFilesStateDictNamesAndRowsLeaveTheFloat64LossWithin1e10()
    {
        // q, k, v are row blocks of in_proj_weight/bias: the file must name the packed tensor and the block's real rows.
        using var dir = new TempDirectory();
        using var network = NeuralMechanics.Models.Onnx.OnnxNetwork.Load(Path.Combine(NeuralMechanics.Tests.Models.Onnx.OnnxFixture.Folder, "transformer.onnx"));
        network.to(ScalarType.Float64);
        var analysis = SymmetryDiscovery.Discover(Architecture.Describe(network, network.ExampleShape, LossKind.CrossEntropy));
        var path = dir.File("groups.json");
        GroupsFile.Write(path, "transformer", network, analysis);
        using var file = JsonDocument.Parse(File.ReadAllBytes(path));
        var groups = file.RootElement.GetProperty("groups").EnumerateArray().ToArray();
        Assert.Equal(analysis.Total, groups.Length);
        Assert.Contains(groups, g => g.GetProperty("set").GetString()!.EndsWith(".qk"));
        var parameters = network.named_parameters().ToDictionary(p => network.StateDictNames[p.name], p => (Tensor)p.parameter);
        EachSetLeavesTheLossWithin1e10("transformer", network, parameters, groups, network.ExampleShape, network.Classes);
    }

    /// <summary>
    /// Applies each set's groups through the file's names and slices only (random α per group) and checks the float64
    /// cross-entropy on a fixed batch stays within 1e-10; each set must change some parameter, which then goes back.
    /// </summary>
    private static void EachSetLeavesTheLossWithin1e10(string name, nn.Module<Tensor, Tensor> network, Dictionary<string, Tensor> parameters,
        JsonElement[] groups, long[] shape, long classes)
    {
        var saved = parameters.ToDictionary(p => p.Key, p => p.Value.detach().clone());
        var x = torch.randn([8, .. shape], ScalarType.Float64, generator: new Generator(3));
        var y = torch.randint(0, classes, [8], generator: new Generator(4));
        double Loss()
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            return Losses.CrossEntropy(network.forward(x), y).ReadDouble();
        }
        double before = Loss();
        var random = new Random(11);
        foreach (var set in groups.GroupBy(g => (g.GetProperty("kind").GetString(), g.GetProperty("set").GetString())))
        {
            using (torch.no_grad())
                foreach (var group in set)
                    Act(parameters, group, set.Key.Item1 == "translation" ? random.NextDouble() * 2 - 1 : 0.5 + 1.5 * random.NextDouble());
            double after = Loss();
            Assert.True(Math.Abs(after - before) <= 1e-10 * Math.Abs(before),
                $"{name}: {set.Key.Item1} set {set.Key.Item2} ({set.Count()} groups) moved the loss from {before:R} to {after:R}");
            // A set's groups changed something (the check is not vacuous), then the parameters go back.
            Assert.Contains(parameters, p => !p.Value.equal(saved[p.Key]).all().ReadBoolean());
            using (torch.no_grad())
                foreach (var (key, value) in saved) parameters[key].copy_(value);
        }
    }
}
