namespace Parley.Codecs;

/// <summary>
/// A native codec library (libopus, libturbojpeg, GStreamer) reported an error. The message carries the library's
/// own error text (<c>opus_strerror</c>, <c>tjGetErrorStr2</c>, a GStreamer bus error with the failing element as
/// <see cref="Operation"/>) together with the operation that failed.
/// </summary>
public sealed class CodecException : Exception
{
    /// <summary>Creates an exception with no details.</summary>
    public CodecException()
        : this("A native codec operation failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public CodecException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public CodecException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a failed call into <paramref name="library"/>.</summary>
    /// <param name="library">The native library, for example <c>libopus</c>.</param>
    /// <param name="operation">The call or step that failed, for example <c>opus_encode</c>.</param>
    /// <param name="errorCode">The library's numeric error code (libopus: negative <c>OPUS_*</c>; libturbojpeg: -1).</param>
    /// <param name="libraryMessage">The library's error string.</param>
    public CodecException(string library, string operation, int errorCode, string libraryMessage)
        : base($"{library}: {operation} failed ({errorCode}): {libraryMessage}")
    {
        Library = library;
        Operation = operation;
        ErrorCode = errorCode;
        LibraryMessage = libraryMessage;
    }

    /// <summary>The native library that failed (<c>libopus</c>, <c>libturbojpeg</c>), or null.</summary>
    public string? Library { get; }

    /// <summary>The native call that failed, or null.</summary>
    public string? Operation { get; }

    /// <summary>The library's numeric error code; 0 when not known.</summary>
    public int ErrorCode { get; }

    /// <summary>The library's own error text, or null.</summary>
    public string? LibraryMessage { get; }
}
