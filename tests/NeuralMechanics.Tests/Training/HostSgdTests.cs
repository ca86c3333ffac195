using NeuralMechanics.Tests.Runs;
using NeuralMechanics.Tracking;
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
    public void APassOverHostMemoryRunsWhereTheCpuFusesMultiplyAdd()
    {
        // This machine's CPU (x86 with FMA3) takes the pass; without it SGD keeps libtorch's operations.
        Assert.Equal(System.Runtime.Intrinsics.X86.Fma.IsSupported && System.Numerics.Vector.IsHardwareAccelerated, HostSgd.Supported);
    }

    [Fact]
    public void EveryBlockIsOfferedInOrderBeforeTheUpdateOverwritesIt()
    {
        manual_seed(12);
        var w = new Parameter(randn(10_000));
        var b = new Parameter(randn(7));
        var sgd = new SgdOptimizer([("w", w), ("b", b)], new SgdSettings(0.1, 1e-3, 0.9));
        var tap = new RecordingTap(w, 3_000);
        for (int step = 0; step < 3; step++)
        {
            w.grad = randn(10_000);
            b.grad = randn(7);
            using var theta = w.detach().clone();
            using var grad = w.grad.clone();
            using var velocity = sgd.MomentumBuffer("w")?.clone();
            tap.Expect(theta, grad, velocity);
            sgd.Tap = tap;
            sgd.Step();
            Assert.Null(sgd.Tap);
            // Four blocks of w (3,000, 3,000, 3,000, 1,000), each as before the update; b is not read.
            Assert.Equal([(0, 3_000), (3_000, 6_000), (6_000, 9_000), (9_000, 10_000)], tap.Blocks);
            Assert.True(tap.Matched, $"step {step}: a block was offered after its update");
            Assert.Equal(1, tap.DoneCalls);
            Assert.False(w.detach().equal(theta).all().ReadBoolean(), "the step did not update w");
        }
    }

    [Fact]
    public void AnOptimizerWithoutAPassLetsTheTapReadEverythingBeforeItUpdates()
    {
        var w = new Parameter(torch.ones(5));
        var adam = new AdamOptimizer([new ParameterGroup("all", [("w", w)], 0.1, 0)], new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.1 });
        var tap = new RecordingTap(w, 2);
        w.grad = torch.ones(5);
        using var theta = w.detach().clone();
        tap.Expect(theta, w.grad.clone(), null);
        tap.CheckAtDone = w;
        adam.Tap = tap;
        adam.Step();
        Assert.Empty(tap.Blocks);
        Assert.Equal(1, tap.DoneCalls);
        Assert.True(tap.Matched, "Done came after Adam changed θ");
        Assert.False(w.detach().equal(theta).all().ReadBoolean());
    }

    private sealed class RecordingTap(Parameter watched, int block) : IUpdateTap
    {
        private float[] theta = [], grad = [], velocity = [];

        public List<(int, int)> Blocks { get; } = [];
        public bool Matched { get; private set; } = true;
        public int DoneCalls { get; private set; }
        public Parameter? CheckAtDone { get; set; }

        public void Expect(Tensor theta, Tensor grad, Tensor? velocity)
        {
            this.theta = theta.data<float>().ToArray();
            this.grad = grad.data<float>().ToArray();
            this.velocity = velocity?.data<float>().ToArray() ?? [];
            Blocks.Clear();
            Matched = true;
            DoneCalls = 0;
        }

        public int BlockLength(Parameter parameter) => ReferenceEquals(parameter, watched) ? block : 0;

        public void Take(Parameter parameter, in StepInputs x, int start, int end)
        {
            Assert.Same(watched, parameter);
            Blocks.Add((start, end));
            for (int i = start; i < end; i++)
                Matched &= x.Theta[i] == theta[i] && x.Grad[i] == grad[i] && (velocity.Length == 0 ? x.Velocity.IsEmpty : x.Velocity[i] == velocity[i]);
        }

        public void Done()
        {
            DoneCalls++;
            if (CheckAtDone is { } p) Matched &= p.detach().data<float>().ToArray().SequenceEqual(theta);
        }
    }
}
