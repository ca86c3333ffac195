using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Training;

/// <summary>
/// On the CPU, SGD updates each float32 parameter in one pass over its memory (<see cref="HostSgd"/>)
/// with the IEEE operations libtorch's kernels apply, so its trajectory must equal
/// <c>torch.optim.SGD</c>'s bit for bit on tensors long enough for vector loops and their tails.
/// </summary>
[Collection(TorchRngCollection.Name)]
public class HostSgdTests
{
    public static TheoryData<double, double, double, bool> Settings => new()
    {
        { 0.0, 0.0, 0.0, false },
        { 0.0, 0.0, 5e-4, false },
        { 0.9, 0.0, 0.0, false },
        { 0.9, 0.0, 5e-4, false },
        { 0.9, 0.3, 5e-4, false },
        { 0.9, 0.0, 5e-4, true },
        // λ that rounds to 0 in float32: libtorch still forms g + λθ, and so does the pass.
        { 0.5, 0.0, 1e-50, false },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void UpdatesOfLargeFloat32ParametersAreBitIdenticalToTorchSharpSgd(double beta, double dampening, double wd, bool nesterov)
    {
        manual_seed(11);
        // 200,003 elements: vector loops and a 3-element tail; [37, 41]: a tail in every row's worth.
        using var w0 = randn(200_003);
        using var m0 = randn(37, 41);
        var (w, m) = (new Parameter(w0.clone()), new Parameter(m0.clone()));
        var (rw, rm) = (new Parameter(w0.clone()), new Parameter(m0.clone()));
        var ours = new SgdOptimizer([("w", w), ("m", m)], new SgdSettings(0.03, wd, beta, dampening, nesterov)) { RecordUpdates = true };
        using var reference = torch.optim.SGD([rw, rm], 0.03, beta, dampening, wd, nesterov);
        for (int step = 0; step < 4; step++)
        {
            using var scope = NewDisposeScope();
            var (gw, gm) = (randn(200_003), randn(37, 41));
            using var before = w.detach().clone();
            w.grad = gw.clone();
            m.grad = gm.clone();
            rw.grad = gw.clone();
            rm.grad = gm.clone();
            ours.Step();
            reference.step();
            Assert.True(w.equal(rw).all().ReadBoolean(), $"step {step}: the long parameter differs from torch.optim.SGD's");
            Assert.True(m.equal(rm).all().ReadBoolean(), $"step {step}: the matrix differs from torch.optim.SGD's");
            // The recorded update is libtorch's θₙ₊₁ − θₙ.
            Assert.True(ours.LastUpdate("w")!.equal(w.detach() - before).all().ReadBoolean(), $"step {step}: Δθ is not θₙ₊₁ − θₙ");
        }
    }

    [Fact]
    public void AFloat32ParameterWithoutGradientIsLeftAsItIsAndItsRecordedUpdateIsZero()
    {
        manual_seed(13);
        var (w, b) = (new Parameter(randn(1_000)), new Parameter(randn(10)));
        var sgd = new SgdOptimizer([("w", w), ("b", b)], new SgdSettings(0.1, 1e-3, 0.9)) { RecordUpdates = true };
        w.grad = randn(1_000);
        b.grad = randn(10);
        sgd.Step();
        using var before = b.detach().clone();
        w.grad = randn(1_000);
        b.grad = null;
        sgd.Step();
        Assert.True(b.detach().equal(before).all().ReadBoolean(), "a parameter without gradient moved");
        Assert.Equal(0.0, sgd.LastUpdate("b")!.abs().max().ReadDouble());
        Assert.True(sgd.LastUpdate("w")!.abs().max().ReadDouble() > 0);
    }
}
