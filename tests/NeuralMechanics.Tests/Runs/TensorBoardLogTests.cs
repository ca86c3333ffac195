using System.Buffers.Binary;
using NeuralMechanics.Runs;
using Tensorboard;

namespace NeuralMechanics.Tests.Runs;

/// <summary>
/// The event file is TensorFlow's record format, which TensorBoard reads: per record the length
/// (u64), its masked CRC-32C, the serialized <see cref="Event"/>, its masked CRC-32C. The checks
/// here use a CRC-32C written from its definition (Castagnoli, reflected 0x82F63B78), not the
/// library's, and TorchSharp's protobuf parser.
/// </summary>
public sealed class TensorBoardLogTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("nm-tensorboard-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static uint Crc32C(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }

    private static uint Masked(ReadOnlySpan<byte> bytes)
    {
        uint c = Crc32C(bytes);
        return ((c >> 15) | (c << 17)) + 0xa282ead8u;
    }

    /// <summary>Every record of the file, its two checksums verified.</summary>
    private static List<Event> Records(string file)
    {
        var bytes = File.ReadAllBytes(file).AsSpan();
        var events = new List<Event>();
        while (bytes.Length > 0)
        {
            Assert.True(bytes.Length >= 12, "a record header is cut short");
            var lengthBytes = bytes[..8];
            int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes));
            Assert.Equal(Masked(lengthBytes), BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..12]));
            var data = bytes.Slice(12, length);
            Assert.Equal(Masked(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(12 + length, 4)));
            events.Add(Event.Parser.ParseFrom(data.ToArray()));
            bytes = bytes[(16 + length)..];
        }
        return events;
    }

    [Fact]
    public void TheKnownCrc32CCheckValueHolds() =>
        // CRC-32C("123456789") = 0xE3069283, the standard check value.
        Assert.Equal(0xE3069283u, Crc32C("123456789"u8));

    [Fact]
    public void ScalarsLandAtTheFlushAsCheckedRecordsAfterTheFileVersion()
    {
        var folder = Path.Combine(root, TrajectorySchema.TensorBoardFolder);
        using (var log = new TensorBoardLog(folder))
        {
            log.AddScalar("train/loss", 0.8125, 3);
            log.AddScalar("rescale/fc1/discrete", 12.5, 5_000_000_000);
            // Buffered: only the file-version record is on disk before the flush.
            Assert.Single(Records(log.File));
            log.Flush();
        }

        var file = Assert.Single(Directory.GetFiles(folder));
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(file));
        var events = Records(file);
        Assert.Equal(3, events.Count);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Equal(3, events[1].Step);
        Assert.Equal("train/loss", events[1].Summary.Value[0].Tag);
        Assert.Equal(0.8125f, events[1].Summary.Value[0].SimpleValue);
        // Steps past 2³¹ are kept (SummaryWriter took an int).
        Assert.Equal(5_000_000_000, events[2].Step);
        Assert.Equal(12.5f, events[2].Summary.Value[0].SimpleValue);
        // Wall time in seconds since 1970, within this test's minute.
        Assert.InRange(events[2].WallTime, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
    }

    [Fact]
    public void TorchSharpsSummaryWriterWritesTheSameRecordFormat()
    {
        // The reader above accepts the file TorchSharp's own writer makes: the two formats are one.
        var folder = Path.Combine(root, "summary-writer");
        var writer = TorchSharp.torch.utils.tensorboard.SummaryWriter(folder);
        writer.add_scalar("train/loss", 0.8125f, 3);
        var events = Records(Assert.Single(Directory.GetFiles(folder)));
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Equal("train/loss", events[1].Summary.Value[0].Tag);
        Assert.Equal(0.8125f, events[1].Summary.Value[0].SimpleValue);
    }
}
