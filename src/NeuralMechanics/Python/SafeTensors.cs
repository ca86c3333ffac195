using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using NeuralMechanics.Runs;
using static TorchSharp.torch;

namespace NeuralMechanics.Python;

/// <summary>
/// The safetensors format (Hugging Face), written by hand: an 8-byte little-endian header length N,
/// N bytes of JSON header {"__metadata__": {…}, NAME: {"dtype", "shape", "data_offsets": [begin, end]}, …}
/// padded with spaces to a multiple of 8, then every tensor's raw little-endian bytes in C order,
/// one after the other in the header's (sorted) name order, offsets relative to the end of the header.
/// </summary>
internal static class SafeTensors
{
    /// <summary>The format's name of a dtype.</summary>
    public static string DType(ScalarType type) => type switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new InvalidOperationException($"safetensors has no dtype for {type}"),
    };

    /// <summary>Writes <paramref name="tensors"/> (names unique) and <paramref name="metadata"/> to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors stores little-endian data; this machine is big-endian");
        using var scope = NewDisposeScope();
        var host = tensors.OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => (t.Name, Tensor: t.Tensor.detach().cpu().contiguous()))
            .ToList();

        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal)) json.WriteString(key, value);
            json.WriteEndObject();
            long offset = 0;
            foreach (var (name, tensor) in host)
            {
                long size = tensor.numel() * tensor.ElementSize;
                json.WriteStartObject(name);
                json.WriteString("dtype", DType(tensor.dtype));
                json.WriteStartArray("shape");
                foreach (var d in tensor.shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += size;
            }
            json.WriteEndObject();
        }
        // Padding with spaces keeps the data 8-byte aligned, as the reference writer does.
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            header.Position = 0;
            header.CopyTo(stream);
            foreach (var (_, tensor) in host) stream.Write(tensor.bytes);
        });
    }
}
