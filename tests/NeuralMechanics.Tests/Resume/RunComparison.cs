using NeuralMechanics.Models;
using NeuralMechanics.Runs;
using NeuralMechanics.Training;
using static TorchSharp.torch;

namespace NeuralMechanics.Tests.Resume;

/// <summary>Bit-for-bit comparison of two run directories: final checkpoint and trajectory tables.</summary>
internal static class RunComparison
{
    /// <summary>The tables a tracked run writes.</summary>
    public static readonly string[] Tables =
        [TrajectorySchema.MetricsFile, TrajectorySchema.LayersFile, TrajectorySchema.NeuronsFile, TrajectorySchema.SamplesFile, TrajectorySchema.EquilibriumFile,
            NeuralMechanics.Tracking.EvalAccuracy.Folder];

    /// <summary>Asserts that both runs end in the same checkpoint and wrote the same rows, every double compared by its bits.</summary>
    public static void AssertIdentical(string expectedRun, string actualRun)
    {
        AssertSameCheckpoint(expectedRun, actualRun);
        foreach (var table in Tables)
        {
            // A run without scale groups writes no equilibrium table, one without test data or with --eval-every 0 no eval table.
            if (table is TrajectorySchema.EquilibriumFile or NeuralMechanics.Tracking.EvalAccuracy.Folder && !Directory.Exists(Path.Combine(expectedRun, table)))
            {
                Assert.False(Directory.Exists(Path.Combine(actualRun, table)), $"{actualRun} has a {table} table, the reference none");
                continue;
            }
            AssertSameTable(Path.Combine(expectedRun, table), Path.Combine(actualRun, table));
        }
    }

    /// <summary>
    /// Loads each run's checkpoint into a model and optimizer built from its manifest and compares
    /// step, data position, every parameter and buffer, every momentum buffer and the tracker state.
    /// </summary>
    public static void AssertSameCheckpoint(string expectedRun, string actualRun)
    {
        var (expectedState, expectedTensors) = LoadCheckpoint(expectedRun);
        var (actualState, actualTensors) = LoadCheckpoint(actualRun);
        Assert.Equal((expectedState.Step, expectedState.DataPosition), (actualState.Step, actualState.DataPosition));
        Assert.Equal(expectedTensors.Keys.Order(), actualTensors.Keys.Order());
        foreach (var (name, bytes) in expectedTensors)
            Assert.True(bytes.AsSpan().SequenceEqual(actualTensors[name]), $"checkpoint tensor {name} differs");
        Assert.Equal(expectedState.Tracker.Keys.Order(), actualState.Tracker.Keys.Order());
        foreach (var (name, values) in expectedState.Tracker)
            Assert.True(Bits(values).SequenceEqual(Bits(actualState.Tracker[name])), $"tracker state {name} differs");
    }

    /// <summary>Same columns, same row count, and every cell equal (doubles by bit pattern, so NaN equals NaN).</summary>
    public static void AssertSameTable(string expectedFolder, string actualFolder)
    {
        var expected = TrajectoryReader.Read(expectedFolder);
        var actual = TrajectoryReader.Read(actualFolder);
        Assert.True(expected.RowCount > 0, $"{expectedFolder} has no rows");
        Assert.Equal(expected.Columns, actual.Columns);
        Assert.Equal(expected.RowCount, actual.RowCount);
        foreach (var column in expected.Columns)
        {
            var (a, b) = column.Type switch
            {
                TrajectoryColumnType.Long => (expected.Longs(column.Name).Select(v => v.ToString()).ToArray(), actual.Longs(column.Name).Select(v => v.ToString()).ToArray()),
                TrajectoryColumnType.Int => (expected.Ints(column.Name).Select(v => v.ToString()).ToArray(), actual.Ints(column.Name).Select(v => v.ToString()).ToArray()),
                TrajectoryColumnType.Double => (Bits(expected.Doubles(column.Name)).Select(v => v.ToString("x16")).ToArray(), Bits(actual.Doubles(column.Name)).Select(v => v.ToString("x16")).ToArray()),
                _ => (expected.Strings(column.Name), actual.Strings(column.Name)),
            };
            var row = Enumerable.Range(0, a.Length).FirstOrDefault(i => a[i] != b[i], -1);
            Assert.True(row < 0, $"{Path.GetFileName(actualFolder)}.{column.Name} differs first at row {row}: expected {(row < 0 ? "" : a[row])}, found {(row < 0 ? "" : b[row])}");
        }
    }

    private static long[] Bits(double[] values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static (CheckpointState State, Dictionary<string, byte[]> Tensors) LoadCheckpoint(string run)
    {
        var m = RunDirectory.Open(run).Manifest;
        var config = m.Spec;
        var model = ModelZoo.Create(m.Model, m.InputShape.Select(s => (long)s).ToArray(), m.Classes, config.ModelOptions, config.Loss);
        var optimizer = Optimizers.Create(model.Network, m.Optimizer);
        var state = Checkpoint.Load(Path.Combine(run, TrajectorySchema.CheckpointFile), model.Network, optimizer);
        var tensors = new Dictionary<string, byte[]>();
        foreach (var (name, t) in model.Network.state_dict()) tensors["model." + name] = Bytes(t);
        foreach (var (name, t) in optimizer.StateDict()) tensors["optimizer." + name] = Bytes(t);
        return (state, tensors);
    }

    private static byte[] Bytes(Tensor t) => t.detach().cpu().contiguous().bytes.ToArray();
}
