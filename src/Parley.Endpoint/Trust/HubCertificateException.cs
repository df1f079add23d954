namespace Parley.Endpoint.Trust;

/// <summary>
/// A hub presented a certificate other than the one pinned for it in the known-hubs file (or none could be checked);
/// the connection was refused. The message is one line naming the hub, both fingerprints and how to accept the change.
/// </summary>
public sealed class HubCertificateException : Exception
{
    /// <summary>Creates the exception with no message.</summary>
    public HubCertificateException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">One line for the user.</param>
    public HubCertificateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">One line for the user.</param>
    /// <param name="innerException">The cause.</param>
    public HubCertificateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
