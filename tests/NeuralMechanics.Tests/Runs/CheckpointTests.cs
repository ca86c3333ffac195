using NeuralMechanics.Runs;
using NeuralMechanics.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Runs;

[Collection(TorchRngCollection.Name)]
public sealed class CheckpointTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-checkpoint-").FullName;
    private string CheckpointPath => Path.Combine(root, TrajectorySchema.CheckpointFile);

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static nn.Module<Tensor, Tensor> Model() =>
        nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3));

    private static SgdOptimizer Optimizer(nn.Module model) =>
        new(model.named_parameters().Select(p => (p.name, p.parameter)), new SgdSettings(0.1, 1e-3, 0.9));

    private static void TrainStep(nn.Module<Tensor, Tensor> model, SgdOptimizer sgd)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(8, 4);
        var y = torch.randint(0, 3, [8]);
        sgd.ZeroGrad();
        Losses.CrossEntropy(model.forward(x), y).backward();
        sgd.Step();
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());

    [Fact]
    public void RoundTripRestoresParametersBuffersMomentumAndTheRandomStream()
    {
        torch.manual_seed(11);
        var model = Model();
        var sgd = Optimizer(model);
        for (var i = 0; i < 3; i++) TrainStep(model, sgd);
        var tracker = new Dictionary<string, double[]> { ["fc.rescale"] = [1.5, -2.25, double.NaN] };
        Checkpoint.Save(CheckpointPath, 3, model, sgd, tracker, dataPosition: 24);
        var expectedState = Snapshot(model);
        var expectedMomentum = sgd.StateDict();
        var expectedRandom = torch.randn(5);
        TrainStep(model, sgd);
        var expectedNext = Snapshot(model);

        torch.manual_seed(12345);
        var restoredModel = Model();
        var restoredSgd = Optimizer(restoredModel);
        var state = Checkpoint.Load(CheckpointPath, restoredModel, restoredSgd);

        Assert.Equal((3L, 24L), (state.Step, state.DataPosition));
        Assert.Equal(tracker["fc.rescale"], state.Tracker["fc.rescale"]);
        var restored = restoredModel.state_dict();
        Assert.Contains("1.running_mean", restored.Keys);
        foreach (var (name, expected) in expectedState)
            Assert.True(restored[name].equal(expected).all().ReadBoolean(), $"{name} differs");
        foreach (var (name, expected) in expectedMomentum)
            Assert.True(restoredSgd.MomentumBuffer(name)!.equal(expected).all().ReadBoolean(), $"momentum of {name} differs");
        Assert.True(torch.randn(5).equal(expectedRandom).all().ReadBoolean(), "random stream differs");

        // The generator now stands where the original's extra step began: that step replays bit for bit.
        TrainStep(restoredModel, restoredSgd);
        foreach (var (name, expected) in expectedNext)
            Assert.True(restoredModel.state_dict()[name].equal(expected).all().ReadBoolean(), $"{name} differs after one more step");
    }

    [Fact]
    public void ATruncatedFileIsRejectedNamingItAndChangesNothing()
    {
        var model = Model();
        var sgd = Optimizer(model);
        TrainStep(model, sgd);
        Checkpoint.Save(CheckpointPath, 1, model, sgd, new Dictionary<string, double[]>(), 8);
        var bytes = File.ReadAllBytes(CheckpointPath);
        File.WriteAllBytes(CheckpointPath, bytes[..(bytes.Length / 2)]);

        var other = Model();
        var before = Snapshot(other);
        var ex = Assert.Throws<InvalidInputException>(() => Checkpoint.Load(CheckpointPath, other, Optimizer(other)));
        Assert.Contains(CheckpointPath, ex.Message);
        Assert.Contains("checksum", ex.Message);
        foreach (var (name, expected) in before)
            Assert.True(other.state_dict()[name].equal(expected).all().ReadBoolean());
    }

    [Fact]
    public void AFlippedByteIsDetected()
    {
        var model = Model();
        Checkpoint.Save(CheckpointPath, 0, model, Optimizer(model), new Dictionary<string, double[]>(), 0);
        var bytes = File.ReadAllBytes(CheckpointPath);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(CheckpointPath, bytes);
        var ex = Assert.Throws<InvalidInputException>(() => Checkpoint.Load(CheckpointPath, model, Optimizer(model)));
        Assert.Contains("checksum", ex.Message);
    }

    [Fact]
    public void ACheckpointOfAnotherModelNamesTheTensor()
    {
        var model = Model();
        Checkpoint.Save(CheckpointPath, 0, model, Optimizer(model), new Dictionary<string, double[]>(), 0);
        var wider = nn.Sequential(nn.Linear(4, 7), nn.BatchNorm1d(7), nn.ReLU(), nn.Linear(7, 3));
        var ex = Assert.Throws<InvalidInputException>(() => Checkpoint.Load(CheckpointPath, wider, Optimizer(wider)));
        Assert.Contains("model.0.weight", ex.Message);
    }

    [Fact]
    public void AnotherFileTypeIsRejected()
    {
        File.WriteAllText(CheckpointPath, "{\"step\": 3}");
        var model = Model();
        var ex = Assert.Throws<InvalidInputException>(() => Checkpoint.Load(CheckpointPath, model, Optimizer(model)));
        Assert.Contains("magic", ex.Message);
    }
}
