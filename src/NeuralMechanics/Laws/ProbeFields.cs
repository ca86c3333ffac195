using NeuralMechanics.Models;
using NeuralMechanics.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralMechanics.Laws;

/// <summary>
/// The gradient fields of a network's loss on probe samples (Marcotte, Gribonval &amp; Peyré 2023,
/// V = span{∇θ ℓ(θ; x, y)}): random inputs and every label, so that a random weighting a of the
/// N × K (sample, label) losses gives a random element ∇L_a of V. BatchNorm couples the samples of
/// a batch, so a network with one is run on batches of <see cref="Chunk"/> probes.
/// </summary>
internal sealed class ProbeFields
{
    private readonly nn.Module<Tensor, Tensor> network;
    private readonly LossKind loss;

    public ProbeFields(nn.Module<Tensor, Tensor> network, IReadOnlyList<Parameter> parameters, Tensor inputs, LossKind loss, int classes, int chunk)
    {
        this.network = network;
        this.loss = loss;
        Parameters = parameters;
        Inputs = inputs;
        Classes = classes;
        Chunk = chunk;
    }

    /// <summary>θ, in the order every field lists its parts.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The probe inputs [N, …].</summary>
    public Tensor Inputs { get; }

    /// <summary>Labels per sample: every class.</summary>
    public int Classes { get; }

    /// <summary>Probes per forward pass (all of them unless BatchNorm couples them).</summary>
    public int Chunk { get; }

    /// <summary>Number of probe samples N.</summary>
    public long Samples => Inputs.shape[0];

    /// <summary>Probes one field weights: few enough that a field costs a small batch, enough that a depth's fields together reach every probe many times.</summary>
    public const int ProbesPerField = 32;

    /// <summary>The losses ℓ(θ; x_s, k) of the probes <paramref name="indices"/> and every label, [m, K], with their graph.</summary>
    public Tensor Losses(Tensor indices)
    {
        var inputs = Inputs.index_select(0, indices);
        var outputs = Chunk >= indices.shape[0] ? network.forward(inputs) : cat(inputs.split(Chunk).Select(network.forward).ToArray(), 0);
        return Training.Losses.EveryLabel(loss, outputs);
    }

    /// <summary>
    /// A random element of V: random weights on every label of <see cref="ProbesPerField"/> random
    /// probes (all of them when there are fewer). Fields of random subsets still span V together.
    /// </summary>
    public Weighting RandomWeighting(Generator generator)
    {
        long m = Math.Min(ProbesPerField, Samples);
        var indices = randperm(Samples, generator: generator, device: Inputs.device)[TensorIndex.Slice(0, m)];
        return new Weighting(indices, randn([m, Classes], dtype: ScalarType.Float64, device: Inputs.device, generator: generator));
    }

    /// <summary>∇L_a with L_a = Σ a ⊙ losses of the weighting's probes, one tensor per parameter.</summary>
    public Tensor[] Field(Weighting a, bool createGraph) =>
        Derivatives.Gradient((Losses(a.Indices) * a.Weights).sum(), Parameters, createGraph);
}

/// <summary>Which probes a field weights ([m] indices) and its weight on each of their labels ([m, K]).</summary>
internal sealed record Weighting(Tensor Indices, Tensor Weights);
