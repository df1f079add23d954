using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Security.Srtp;

/// <summary>
/// AES in counter mode as SRTP defines it (RFC 3711 §4.1.1): keystream block j is AES(k, IV + j mod 2^128), and
/// the keystream is XORed onto the data. Used for SRTP/SRTCP encryption and as the key derivation PRF (§4.3.3).
/// Not thread safe; allocates nothing per call.
/// </summary>
/// <remarks>
/// The keystream comes from one AES-ECB <see cref="ICryptoTransform"/> created once and reused: on .NET 10 the
/// one-shot <c>Aes.EncryptEcb</c> creates a native cipher context per call (measured here: 64 bytes allocated and
/// about 5 µs per call), while the reused transform allocates nothing and encrypts 1200 bytes in under 1 µs.
/// Counter blocks are built in chunks of <see cref="ChunkBytes"/> so one ECB call covers a typical packet.
/// </remarks>
internal sealed class AesCounterMode : IDisposable
{
    private const int BlockBytes = 16;
    private const int ChunkBytes = 2048;

    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counters = new byte[ChunkBytes];
    private readonly byte[] _keystream = new byte[ChunkBytes];

    /// <summary>Creates the cipher for a 16-, 24- or 32-byte AES key.</summary>
    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    /// <summary>XORs <paramref name="data"/> in place with the keystream that starts at counter block <paramref name="iv"/>.</summary>
    /// <param name="iv">The 16-byte initial counter block, big-endian.</param>
    /// <param name="data">Any length; encryption and decryption are the same operation.</param>
    public void Apply(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        UInt128 counter = BinaryPrimitives.ReadUInt128BigEndian(iv);
        while (!data.IsEmpty)
        {
            int bytes = Math.Min(data.Length, ChunkBytes);
            int blocks = (bytes + BlockBytes - 1) / BlockBytes;
            for (int b = 0; b < blocks; b++)
            {
                BinaryPrimitives.WriteUInt128BigEndian(_counters.AsSpan(b * BlockBytes, BlockBytes), counter);
                counter++; // mod 2^128: UInt128 arithmetic wraps unchecked
            }

            _ecb.TransformBlock(_counters, 0, blocks * BlockBytes, _keystream, 0);
            Xor(data[..bytes], _keystream.AsSpan(0, bytes));
            data = data[bytes..];
        }
    }

    /// <summary>Writes the raw keystream (the encryption of zeros) into <paramref name="output"/>.</summary>
    public void Keystream(ReadOnlySpan<byte> iv, Span<byte> output)
    {
        output.Clear();
        Apply(iv, output);
    }

    private static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int width = System.Numerics.Vector<byte>.Count;
            for (; i + width <= data.Length; i += width)
            {
                var v = new System.Numerics.Vector<byte>(data[i..]) ^ new System.Numerics.Vector<byte>(keystream[i..]);
                v.CopyTo(data[i..]);
            }
        }

        for (; i < data.Length; i++)
        {
            data[i] ^= keystream[i];
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
    }
}
