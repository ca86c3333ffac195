using System.Security.Cryptography;
using System.Text;
using NeuralMechanics.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralMechanics.Runs;

/// <summary>What a checkpoint gives back besides the tensors it restores in place.</summary>
/// <param name="Step">Updates done when it was saved; training resumes with update <c>Step</c>.</param>
/// <param name="DataPosition">The data loader's position (opaque to the checkpoint).</param>
/// <param name="Tracker">The trackers' state (opaque to the checkpoint).</param>
internal sealed record CheckpointState(long Step, long DataPosition, Dictionary<string, double[]> Tracker);

/// <summary>
/// Everything needed to resume a run bit for bit, in one binary file written atomically: step,
/// model state (parameters and buffers), the optimizer's state (SGD momentum buffers; Adam's moments
/// and step counts; recorded updates), tracker state,
/// data-loader position and the CPU random-number generator's state.
/// </summary>
/// <remarks>
/// Layout (little-endian): magic "NMCHKPT\n", int32 format version, int64 step, int64 data
/// position, model tensors, optimizer tensors, tracker arrays, RNG state tensor, then the
/// SHA-256 of everything before it — so a truncated or damaged file is detected before anything
/// is restored. A tensor is: name, int32 dtype (ScalarType), int32 rank, int64 sizes, int64 byte
/// count, raw bytes (C order). The CUDA generator's state is not saved: TorchSharp does not expose it.
/// </remarks>
internal static class Checkpoint
{
    /// <summary>Version of the file layout; files of another version are refused.</summary>
    public const int FormatVersion = 1;

    private static readonly byte[] Magic = "NMCHKPT\n"u8.ToArray();
    private const int HashSize = 32;
    private const int MaxRank = 64;

    /// <summary>Writes a checkpoint to <paramref name="path"/>, replacing any previous one atomically.</summary>
    public static void Save(string path, long step, nn.Module model, IOptimizer optimizer, IReadOnlyDictionary<string, double[]> tracker, long dataPosition)
    {
        using var scope = torch.NewDisposeScope();
        var modelState = model.state_dict();
        var optimizerState = optimizer.StateDict();
        var rng = torch.random.get_rng_state();
        AtomicFile.Write(path, stream =>
        {
            using var hashing = new HashingStream(stream);
            using (var w = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Magic);
                w.Write(FormatVersion);
                w.Write(step);
                w.Write(dataPosition);
                WriteTensors(w, modelState);
                WriteTensors(w, optimizerState);
                w.Write(tracker.Count);
                foreach (var (name, values) in tracker.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.Write(name);
                    w.Write(values.Length);
                    foreach (var v in values) w.Write(v);
                }
                WriteTensor(w, "rng", rng);
            }
            stream.Write(hashing.Hash());
        });
    }

    /// <summary>
    /// Restores <paramref name="model"/> (parameters and buffers), <paramref name="optimizer"/>
    /// and the CPU RNG from <paramref name="path"/>; nothing is changed unless the whole file is valid.
    /// </summary>
    /// <exception cref="InvalidInputException">
    /// The file is missing, truncated, corrupt, of another format version, or made for another
    /// model (the message names the file and the field).
    /// </exception>
    public static CheckpointState Load(string path, nn.Module model, IOptimizer optimizer)
    {
        VerifyFile(path);
        using var scope = torch.NewDisposeScope();
        long step, dataPosition;
        Dictionary<string, Tensor> modelState, optimizerState;
        var tracker = new Dictionary<string, double[]>();
        Tensor rng;
        using (var stream = new BufferedStream(File.OpenRead(path), 1 << 16))
        using (var r = new BinaryReader(stream, Encoding.UTF8))
        {
            try
            {
                stream.Seek(Magic.Length + sizeof(int), SeekOrigin.Begin);
                step = r.ReadInt64();
                dataPosition = r.ReadInt64();
                modelState = ReadTensors(r, path, "model");
                optimizerState = ReadTensors(r, path, "optimizer");
                var count = r.ReadInt32();
                for (var i = 0; i < count; i++)
                {
                    var name = r.ReadString();
                    var values = new double[r.ReadInt32()];
                    for (var j = 0; j < values.Length; j++) values[j] = r.ReadDouble();
                    tracker[name] = values;
                }
                rng = ReadTensor(r, path, "rng").Tensor;
            }
            catch (Exception e) when (e is EndOfStreamException or OverflowException or OutOfMemoryException or ArgumentException)
            {
                throw InvalidInputException.InFile(path, "contents", $"expected a checkpoint of format {FormatVersion}: {e.Message}");
            }
        }

        var target = model.state_dict();
        CheckMatches(path, target, modelState, sameDtype: true);
        try
        {
            optimizer.LoadStateDict(optimizerState);
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException($"{path}: {e.Message}");
        }
        using (torch.no_grad())
            foreach (var (name, live) in target)
                live.copy_(modelState[name]);
        torch.random.set_rng_state(rng);
        return new CheckpointState(step, dataPosition, tracker);
    }

    /// <summary>
    /// Restores only θ (parameters and buffers) from <paramref name="path"/> into <paramref name="model"/>,
    /// converted to the model's dtype (a float32 run read into a float64 copy for analysis); the
    /// optimizer, the tracker and the RNG are not touched.
    /// </summary>
    /// <returns>The step the checkpoint was taken at.</returns>
    /// <exception cref="InvalidInputException">The file is not a valid checkpoint of this model (the message names the file and the field).</exception>
    public static long LoadModel(string path, nn.Module model)
    {
        VerifyFile(path);
        using var scope = torch.NewDisposeScope();
        long step;
        Dictionary<string, Tensor> modelState;
        using (var stream = new BufferedStream(File.OpenRead(path), 1 << 16))
        using (var r = new BinaryReader(stream, Encoding.UTF8))
        {
            try
            {
                stream.Seek(Magic.Length + sizeof(int), SeekOrigin.Begin);
                step = r.ReadInt64();
                r.ReadInt64();
                modelState = ReadTensors(r, path, "model");
            }
            catch (Exception e) when (e is EndOfStreamException or OverflowException or OutOfMemoryException or ArgumentException)
            {
                throw InvalidInputException.InFile(path, "contents", $"expected a checkpoint of format {FormatVersion}: {e.Message}");
            }
        }
        var target = model.state_dict();
        CheckMatches(path, target, modelState, sameDtype: false);
        using (torch.no_grad())
            foreach (var (name, live) in target)
                live.copy_(modelState[name].to(live.dtype));
        return step;
    }

    /// <summary>
    /// Every tensor of the model is in the checkpoint with its shape (and dtype, where
    /// <paramref name="sameDtype"/>), and the checkpoint holds no other: else it belongs to another model.
    /// </summary>
    private static void CheckMatches(string path, IDictionary<string, Tensor> target, Dictionary<string, Tensor> saved, bool sameDtype)
    {
        foreach (var (name, live) in target)
        {
            if (!saved.TryGetValue(name, out var tensor))
                throw InvalidInputException.InFile(path, $"model.{name}", "expected this tensor of the model, found none; the checkpoint belongs to another model");
            if (!tensor.shape.SequenceEqual(live.shape) || (sameDtype && tensor.dtype != live.dtype))
                throw InvalidInputException.InFile(path, $"model.{name}", $"expected {live.dtype} [{string.Join(", ", live.shape)}], found {tensor.dtype} [{string.Join(", ", tensor.shape)}]");
        }
        if (saved.Keys.FirstOrDefault(k => !target.ContainsKey(k)) is { } extra)
            throw InvalidInputException.InFile(path, $"model.{extra}", "expected only tensors of this model; the checkpoint belongs to another model");
    }

    /// <summary>Checks magic, format version and checksum before anything is parsed.</summary>
    private static void VerifyFile(string path)
    {
        if (!File.Exists(path))
            throw InvalidInputException.InFile(path, "file", "expected a checkpoint, found no file");
        using var stream = File.OpenRead(path);
        var header = new byte[Magic.Length + sizeof(int)];
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw InvalidInputException.InFile(path, "magic", "expected an nmech checkpoint (starting with NMCHKPT), found another or an empty file");
        var version = BitConverter.ToInt32(header, Magic.Length);
        if (version != FormatVersion)
            throw InvalidInputException.InFile(path, "format_version", $"expected {FormatVersion}, found {version}");
        if (stream.Length < header.Length + HashSize)
            throw InvalidInputException.InFile(path, "checksum", "expected a complete checkpoint, found a truncated file");

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(header);
        var buffer = new byte[1 << 20];
        var remaining = stream.Length - header.Length - HashSize;
        while (remaining > 0)
        {
            var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (n == 0) break;
            sha.AppendData(buffer, 0, n);
            remaining -= n;
        }
        var stored = new byte[HashSize];
        stream.ReadExactly(stored);
        if (!sha.GetHashAndReset().AsSpan().SequenceEqual(stored))
            throw InvalidInputException.InFile(path, "checksum", "expected the SHA-256 written at save time, found another: the file is truncated or corrupt");
    }

    private static void WriteTensors(BinaryWriter w, Dictionary<string, Tensor> tensors)
    {
        w.Write(tensors.Count);
        foreach (var (name, tensor) in tensors)
            WriteTensor(w, name, tensor);
    }

    private static void WriteTensor(BinaryWriter w, string name, Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        w.Write(name);
        w.Write((int)cpu.dtype);
        w.Write((int)cpu.dim());
        foreach (var size in cpu.shape) w.Write(size);
        var bytes = cpu.bytes;
        w.Write((long)bytes.Length);
        w.Write(bytes);
    }

    private static Dictionary<string, Tensor> ReadTensors(BinaryReader r, string path, string section)
    {
        var count = r.ReadInt32();
        var tensors = new Dictionary<string, Tensor>();
        for (var i = 0; i < count; i++)
        {
            var (name, tensor) = ReadTensor(r, path, section);
            tensors[name] = tensor;
        }
        return tensors;
    }

    private static (string Name, Tensor Tensor) ReadTensor(BinaryReader r, string path, string section)
    {
        var name = r.ReadString();
        var dtype = (ScalarType)r.ReadInt32();
        var rank = r.ReadInt32();
        if (!Enum.IsDefined(dtype) || rank < 0 || rank > MaxRank)
            throw InvalidInputException.InFile(path, $"{section}.{name}", $"expected a dtype and a rank ≤ {MaxRank}, found {(int)dtype} and {rank}");
        var shape = new long[rank];
        for (var i = 0; i < rank; i++)
            if ((shape[i] = r.ReadInt64()) < 0)
                throw InvalidInputException.InFile(path, $"{section}.{name}", $"expected sizes ≥ 0, found {shape[i]}");
        var byteCount = r.ReadInt64();
        long elementSize;
        using (var probe = torch.empty(0, dtype)) elementSize = probe.element_size();
        // Checked before allocating: a damaged size must not reach libtorch as a huge allocation.
        var expected = shape.Aggregate(elementSize, (bytes, size) => checked(bytes * size));
        if (byteCount != expected || byteCount > r.BaseStream.Length - r.BaseStream.Position)
            throw InvalidInputException.InFile(path, $"{section}.{name}", $"expected {expected} bytes for {dtype} [{string.Join(", ", shape)}] within the file, found {byteCount}");
        var tensor = torch.empty(shape, dtype);
        if (byteCount > 0)
        {
            var bytes = new byte[checked((int)byteCount)];
            r.BaseStream.ReadExactly(bytes);
            tensor.bytes = bytes;
        }
        return (name, tensor);
    }

    /// <summary>Write-through stream that hashes what passes (SHA-256).</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public byte[] Hash() => sha.GetHashAndReset();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            sha.AppendData(buffer);
            inner.Write(buffer);
        }
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) sha.Dispose();
            base.Dispose(disposing);
        }
    }
}
