using NeuralMechanics.Models;
using NeuralMechanics.Symmetry;
using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tests.Symmetry.Rules;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Models.Graph;

[Collection(TorchRngCollection.Name)]
public class GraphBuilderTests
{
    [Fact]
    public void ABlockThatDescribesItselfBecomesItsChildrenAndOperationsWiredAsItsForward()
    {
        var net = nn.Sequential(("flatten", nn.Flatten()), ("in", nn.Linear(16, 6)), ("block", new ResidualMlpBlock(6, 4)), ("out", nn.Linear(6, 3)));
        var arch = Architecture.Describe(net, [1, 4, 4], LossKind.CrossEntropy);
        Assert.Equal(["flatten", "in", "block.fc1", "block.relu1", "block.fc2", "block.add", "block.relu2", "out"], arch.Layers.Select(l => l.Name));
        var add = arch.Layers.Single(l => l.Operation == Operations.Add);
        Assert.Equal([1, 4], add.Inputs); // the block's input (in) and fc2
        Assert.Equal([Architecture.NetworkInput], arch.Layers[0].Inputs);
        Assert.Equal(7, arch.Output);
        Assert.Equal(16 * 6 + 6 + 6 * 4 + 4 + 4 * 6 + 6 + 6 * 3 + 3, arch.ParameterCount);
    }

    [Fact]
    public void ADescriptionThatDoesNotComputeTheForwardIsRejectedNamingTheModule()
    {
        var net = nn.Sequential(("flatten", nn.Flatten()), ("block", new MisdescribedBlock(16, 4)));
        var e = Assert.Throws<InvalidInputException>(() => Architecture.Describe(net, [1, 4, 4], LossKind.CrossEntropy));
        Assert.Contains("module 'block' (MisdescribedBlock)", e.Message);
        Assert.Contains("does not compute its forward", e.Message);
    }

    [Fact]
    public void AModuleThatDoesNotDescribeItselfIsOneNodeNamedWithTheSymmetriesItStops()
    {
        var net = nn.Sequential(("flatten", nn.Flatten()), ("in", nn.Linear(16, 6)), ("block", new OpaqueMlpBlock(6, 4)), ("out", nn.Linear(6, 3)));
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        Assert.Equal(Operations.Unknown, a.Architecture.Layers.Single(l => l.Name == "block").Operation);
        // Its 6·4 + 4 + 4·6 + 6 = 58 parameters count, but are in no group; in's 6 rescale groups stop at it.
        Assert.Equal(16 * 6 + 6 + 58 + 6 * 3 + 3, a.Architecture.ParameterCount);
        var note = Assert.Single(a.Notes, n => n.StartsWith("block: unknown module OpaqueMlpBlock"));
        Assert.Contains("it stops the per-channel symmetry of in (6 groups)", note);
        Assert.Contains("its 58 parameters are in no group", note);
        Assert.Equal(0, a.Count(SymmetryKind.Rescale));
        Assert.Equal(6 + 1, a.Count(SymmetryKind.Translation)); // out's columns and bias still hold
        // Described, the same block gives the stream (6) and its hidden units (4).
        var described = nn.Sequential(("flatten", nn.Flatten()), ("in", nn.Linear(16, 6)), ("block", new ResidualMlpBlock(6, 4)), ("out", nn.Linear(6, 3)));
        Assert.Equal(6 + 4, TestBlocks.Discover(described, [1, 4, 4]).Count(SymmetryKind.Rescale));
    }

    [Fact]
    public void AModuleAppliedTwiceIsCountedOnceAndNoGroupTouchesItsSharedParameters()
    {
        var net = nn.Sequential(("flatten", nn.Flatten()), ("in", nn.Linear(16, 4)), ("shared", new SharedLinearBlock(4)), ("out", nn.Linear(4, 3)));
        var a = TestBlocks.Discover(net, [1, 4, 4]);
        Assert.Equal(["shared.fc", "shared.fc#2"], a.Architecture.Layers.Where(l => l.Operation == Operations.Linear && l.Name.StartsWith("shared")).Select(l => l.Name));
        Assert.Equal(16 * 4 + 4 + 4 * 4 + 4 + 4 * 3 + 3, a.Architecture.ParameterCount);
        Assert.Equal(net.parameters().Sum(p => p.numel()), a.Architecture.ParameterCount);
        // in → shared.fc, shared.fc → shared.fc#2 and shared.fc#2 → out would be rescales; each touches shared.fc's parameters.
        Assert.Equal(0, a.Count(SymmetryKind.Rescale));
        Assert.Equal(3, a.Notes.Count(n => n.Contains("several nodes use")));
        Assert.Equal(4 + 1, a.Count(SymmetryKind.Translation));
    }

    [Fact]
    public void AnInputThatDoesNotFitTheNetworkIsRejectedNamingTheLayer()
    {
        var net = nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(10, 3)));
        var e = Assert.Throws<InvalidInputException>(() => Architecture.Describe(net, [1, 4, 4], LossKind.CrossEntropy));
        Assert.Contains("layer 'fc' (Linear)", e.Message);
    }
}
