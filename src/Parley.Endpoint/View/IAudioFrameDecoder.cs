namespace Parley.Endpoint.View;

/// <summary>
/// What <see cref="AudioPlayer"/> needs from a codec: one encoded frame, or a missing one, in; interleaved S16 PCM
/// at <see cref="AudioPlayer.OutputRate"/> Hz and <see cref="AudioPlayer.OutputChannels"/> channels out. The player
/// owns the jitter buffer, the clock, the statistics and the output; a decoder only decodes.
/// </summary>
/// <remarks>Called under the player's lock, one call at a time. Wire input never throws.</remarks>
internal interface IAudioFrameDecoder : IDisposable
{
    /// <summary>Decodes one frame from the jitter buffer.</summary>
    /// <param name="frame">The encoded frame.</param>
    /// <param name="sampleCount">Samples per channel it holds, in RTP clock units (as inserted into the jitter buffer).</param>
    /// <param name="pcm">The decoded audio; valid until the next call.</param>
    /// <param name="error">Why the frame was refused; null on success.</param>
    /// <returns>False when the frame could not be decoded (the player then conceals it).</returns>
    bool TryDecode(ReadOnlySpan<byte> frame, int sampleCount, out ReadOnlySpan<short> pcm, out string? error);

    /// <summary>Audio standing in for a missing frame (loss, late frame, underrun, or delay growth).</summary>
    /// <param name="sampleCount">Samples per channel missing, in RTP clock units.</param>
    /// <returns>The concealment audio; valid until the next call.</returns>
    ReadOnlySpan<short> Conceal(int sampleCount);

    /// <summary>Forgets the stream's state, for a new connection.</summary>
    void Reset();
}
