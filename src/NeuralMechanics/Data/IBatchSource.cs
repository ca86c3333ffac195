using static TorchSharp.torch;

namespace NeuralMechanics.Data;

/// <summary>
/// An endless, resumable stream of training batches: what a <see cref="Training.TrainingSession"/>
/// draws from. <see cref="BatchLoader"/> is one; a source of your own must return, after
/// <see cref="Seek"/>(p), the batches an uninterrupted source returns from position p (for bit-exact resume).
/// </summary>
public interface IBatchSource
{
    /// <summary>The next batch: inputs [B, …] and int64 class labels [B], on the training device, in the caller's dispose scope.</summary>
    (Tensor X, Tensor Y) Next();

    /// <summary>Number of batches handed out so far.</summary>
    long Position { get; }

    /// <summary>Continue from <paramref name="position"/> (resume).</summary>
    void Seek(long position);

    /// <summary>Batches per pass over the training data (turns epochs into steps).</summary>
    int BatchesPerEpoch { get; }
}
