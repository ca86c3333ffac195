namespace NeuralMechanics.Data;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator whose stream depends only on its
/// seed, so an example can be regenerated from (seed, index) alone, on any thread.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong state = seed;

    /// <summary>Next 64 random bits.</summary>
    public ulong Next()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 24 random bits (exact in float).</summary>
    public float NextFloat() => (Next() >> 40) * (1f / (1 << 24));

    /// <summary>A seed for stream <paramref name="stream"/> derived from <paramref name="seed"/>.</summary>
    public static ulong Derive(long seed, long stream)
    {
        var mix = new SplitMix64(unchecked((ulong)seed));
        return mix.Next() ^ new SplitMix64(unchecked((ulong)stream * 0xD1B54A32D192ED03UL)).Next();
    }
}
