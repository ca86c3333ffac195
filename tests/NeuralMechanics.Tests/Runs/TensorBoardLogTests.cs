using System.Text;
using NeuralMechanics.Runs;

namespace NeuralMechanics.Tests.Runs;

public sealed class TensorBoardLogTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-tensorboard-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void AScalarLandsInAnEventFileWithItsTagAndValue()
    {
        var folder = Path.Combine(root, TrajectorySchema.TensorBoardFolder);
        var log = new TensorBoardLog(folder);
        log.AddScalar("train/loss", 0.8125, 3);

        var file = Assert.Single(Directory.GetFiles(folder));
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(file));
        var bytes = File.ReadAllBytes(file);
        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("train/loss")) >= 0, "tag missing");
        Assert.True(bytes.AsSpan().IndexOf(BitConverter.GetBytes(0.8125f)) >= 0, "value missing");
    }
}
