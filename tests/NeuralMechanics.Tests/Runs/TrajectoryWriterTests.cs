using NeuralMechanics.Runs;

namespace NeuralMechanics.Tests.Runs;

public sealed class TrajectoryWriterTests : IDisposable
{
    private static readonly TrajectoryColumn[] Columns =
        [TrajectoryColumn.Long("step"), TrajectoryColumn.String("layer"), TrajectoryColumn.Int("unit"), TrajectoryColumn.Double("empirical")];

    private readonly string root = Directory.CreateTempSubdirectory("nm-trajectory-").FullName;
    private string Folder => Path.Combine(root, "neurons");

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>Two rows per step: units 0 and 1 of layer "fc", empirical = step + unit/10.</summary>
    private static void AddStep(TrajectoryWriter writer, long step)
    {
        for (var unit = 0; unit < 2; unit++)
            writer.AddRow().Long(step).String("fc").Int(unit).Double(step + unit / 10.0).End();
    }

    private static string[] PartNames(string folder) =>
        Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void RowsComeBackInOrderWithTheirTypesAcrossParts()
    {
        using (var writer = new TrajectoryWriter(Folder, Columns, rowsPerPart: 3))
            for (var step = 0; step < 5; step++) AddStep(writer, step);

        Assert.Equal(["part-00000.parquet", "part-00001.parquet", "part-00002.parquet", "part-00003.parquet"], PartNames(Folder));
        var table = TrajectoryReader.Read(Folder);
        Assert.Equal(Columns, table.Columns);
        Assert.Equal(10, table.RowCount);
        Assert.Equal([0L, 0, 1, 1, 2, 2, 3, 3, 4, 4], table.Longs("step"));
        Assert.Equal([0, 1, 0, 1, 0, 1, 0, 1, 0, 1], table.Ints("unit"));
        Assert.All(table.Strings("layer"), s => Assert.Equal("fc", s));
        Assert.Equal(4.1, table.Doubles("empirical")[9]);
    }

    [Fact]
    public void ReadingSelectedColumnsReturnsOnlyThoseInFileOrder()
    {
        using (var writer = new TrajectoryWriter(Folder, Columns, rowsPerPart: 3))
            for (var step = 0; step < 3; step++) AddStep(writer, step);
        var table = TrajectoryReader.Read(Folder, ["empirical", "step"]);
        Assert.Equal([TrajectoryColumn.Long("step"), TrajectoryColumn.Double("empirical")], table.Columns);
        Assert.Equal([0.0, 0.1, 1.0, 1.1, 2.0, 2.1], table.Doubles("empirical"));
        var ex = Assert.Throws<InvalidInputException>(() => TrajectoryReader.Read(Folder, ["loss"]));
        Assert.Contains("loss", ex.Message);
    }

    [PythonFact]
    public void PandasReadsTheFolderAsOneTableIgnoringTemporaryFiles()
    {
        using (var writer = new TrajectoryWriter(Folder, Columns, rowsPerPart: 3))
            for (var step = 0; step < 5; step++) AddStep(writer, step);
        File.WriteAllBytes(Path.Combine(Folder, ".part-00004.parquet.6f1c.tmp"), [0x50, 0x41, 0x52, 0x31]);
        var (exitCode, output) = Python.Run(
            "import sys, pandas as pd; df = pd.read_parquet(sys.argv[1]); print(len(df), int(df['step'].sum()), round(float(df['empirical'].sum()), 6), ','.join(df.columns))",
            Folder);
        Assert.True(exitCode == 0, output);
        Assert.Equal("10 20 20.5 step,layer,unit,empirical", output.Trim());
    }

    [Fact]
    public void AnElapsedFlushIntervalStartsAPartAtTheNextRow()
    {
        using (var writer = new TrajectoryWriter(Folder, Columns, rowsPerPart: 1000, flushInterval: TimeSpan.Zero))
            for (var step = 0; step < 3; step++) AddStep(writer, step);
        Assert.Equal(6, PartNames(Folder).Length);
    }

    [Fact]
    public void AWriterKilledMidWriteLeavesAFolderTheReaderOpens()
    {
        var killed = new TrajectoryWriter(Folder, Columns, rowsPerPart: 4, flushInterval: TimeSpan.FromHours(1));
        for (var step = 0; step < 4; step++) AddStep(killed, step);
        killed.Flush();
        AddStep(killed, 4);   // buffered, never flushed: lost with the process
        File.WriteAllBytes(Path.Combine(Folder, ".part-00002.parquet.6f1c.tmp"), [0x50, 0x41, 0x52, 0x31, 0, 0]);

        var table = TrajectoryReader.Read(Folder);
        Assert.Equal(8, table.RowCount);
        Assert.Equal(3, table.Longs("step").Max());

        // The resumed writer clears the debris and continues the numbering.
        using (var resumed = new TrajectoryWriter(Folder, Columns, rowsPerPart: 4))
            AddStep(resumed, 4);
        Assert.Equal(["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"], PartNames(Folder));
        Assert.Equal(10, TrajectoryReader.Read(Folder).RowCount);
    }

    [Fact]
    public void DroppingRowsFromStepKRemovesExactlyTheRowsWithStepAtLeastK()
    {
        using (var writer = new TrajectoryWriter(Folder, Columns, rowsPerPart: 3))
            for (var step = 0; step < 10; step++) AddStep(writer, step);

        using (var resumed = new TrajectoryWriter(Folder, Columns, rowsPerPart: 3))
        {
            AddStep(resumed, 99);          // buffered rows are dropped too
            resumed.DropRowsFromStep(6);
            var truncated = TrajectoryReader.Read(Folder);
            Assert.Equal(Enumerable.Range(0, 6).SelectMany(s => new long[] { s, s }), truncated.Longs("step"));
            Assert.Equal(5.1, truncated.Doubles("empirical")[^1]);
            for (var step = 6; step < 8; step++) AddStep(resumed, step);
        }

        var table = TrajectoryReader.Read(Folder);
        Assert.Equal(Enumerable.Range(0, 8).SelectMany(s => new long[] { s, s }), table.Longs("step"));
        Assert.Equal(7.1, table.Doubles("empirical")[^1]);
    }

    [Fact]
    public void AMissingFolderReadsAsAnEmptyTable()
    {
        var table = TrajectoryReader.Read(Path.Combine(root, "never-written"));
        Assert.Equal(0, table.RowCount);
        Assert.Empty(table.Longs("step"));
    }

    [Fact]
    public void ARowMustGiveEveryColumnInOrderWithItsType()
    {
        using var writer = new TrajectoryWriter(Folder, Columns);
        Assert.Throws<InvalidOperationException>(() => writer.AddRow().Long(0).String("fc").Int(1).End());
        var ex = Assert.Throws<InvalidOperationException>(() => writer.AddRow().Long(0).String("fc").Double(1).Double(2).End());
        Assert.Contains("'unit'", ex.Message);
        writer.AddRow().Long(0).String("fc").Int(1).Double(2).End();
        writer.Flush();
        Assert.Equal(1, TrajectoryReader.Read(Folder).RowCount);
    }

    /// <summary>AddStep's rows, as one block of rows a column at a time.</summary>
    private static void AddStepAsBlock(TrajectoryWriter writer, long step)
    {
        var rows = writer.AddRows(2);
        var empirical = rows.Doubles(3);
        empirical[0] = step;
        empirical[1] = step + 1 / 10.0;
        rows.Longs(0).Fill(step);
        rows.Strings(1).Fill("fc");
        var units = rows.Ints(2);
        (units[0], units[1]) = (0, 1);
        rows.End();
    }

    [Fact]
    public void BlocksOfRowsGiveTheTableThatRowByRowGivesAcrossParts()
    {
        string blocks = Path.Combine(root, "blocks");
        using (var writer = new TrajectoryWriter(Folder, Columns, rowsPerPart: 3))
            for (var step = 0; step < 5; step++) AddStep(writer, step);
        // Parts of 3 rows: blocks of 2 start a new part rather than split (a part may end short).
        using (var writer = new TrajectoryWriter(blocks, Columns, rowsPerPart: 3))
            for (var step = 0; step < 5; step++)
            {
                if (step % 2 == 0) AddStepAsBlock(writer, step);
                else AddStep(writer, step);
            }

        var expected = TrajectoryReader.Read(Folder);
        var actual = TrajectoryReader.Read(blocks);
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.Longs("step"), actual.Longs("step"));
        Assert.Equal(expected.Ints("unit"), actual.Ints("unit"));
        Assert.Equal(expected.Strings("layer"), actual.Strings("layer"));
        Assert.Equal(expected.Doubles("empirical"), actual.Doubles("empirical"));
    }

    [Fact]
    public void ABlockOfRowsMustTakeEveryColumnOnceWithItsType()
    {
        using var writer = new TrajectoryWriter(Folder, Columns);
        var ex = Assert.Throws<InvalidOperationException>(() =>
        {
            var rows = writer.AddRows(2);
            rows.Longs(0).Fill(1);
            rows.Strings(1).Fill("fc");
            rows.Ints(2).Fill(0);
            rows.End();
        });
        Assert.Contains("missing empirical", ex.Message);
        Assert.Throws<InvalidOperationException>(() => writer.AddRows(1).Doubles(0));
        Assert.Throws<InvalidOperationException>(() =>
        {
            var rows = writer.AddRows(1);
            rows.Longs(0);
            rows.Longs(0);
        });
        writer.Flush();
        Assert.Equal(0, TrajectoryReader.Read(Folder).RowCount);
    }

    [Fact]
    public void PartsWithOtherColumnsAreRefusedNamingThePart()
    {
        using (var writer = new TrajectoryWriter(Folder, Columns))
            AddStep(writer, 0);
        var ex = Assert.Throws<InvalidInputException>(() => new TrajectoryWriter(Folder, TrajectorySchema.MetricsColumns));
        Assert.Contains("part-00000.parquet", ex.Message);
    }
}
