using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Parley.Security.Pinning;

/// <summary>What <see cref="KnownHubs.Verify"/> found for a hub's certificate.</summary>
public enum KnownHubVerdict
{
    /// <summary>The fingerprint matches the one remembered for the hub.</summary>
    Matched,

    /// <summary>The hub was unknown; its fingerprint is now remembered (trust on first use).</summary>
    FirstSeen,

    /// <summary>The hub's certificate differs from the remembered one; nothing was written.</summary>
    Changed,

    /// <summary>The certificate differed and the caller asked to accept it; the new fingerprint replaced the old one.</summary>
    Replaced,
}

/// <summary>
/// The endpoint's pins of self-signed hub certificates, like ssh's known_hosts: a text file with one line per hub,
/// "host:port SHA-256-fingerprint" (upper-case hex bytes joined by ':'); '#' starts a comment line. The first TLS
/// connection to a hub remembers its certificate; later ones must present the same one.
/// </summary>
/// <remarks>
/// Thread-safe within a process (a call's sender and viewer reach the same hub at once and must agree on who writes
/// the first line); across processes the file is replaced atomically, so a reader never sees half a file.
/// </remarks>
public sealed class KnownHubs
{
    /// <summary>Environment variable naming the file instead of the default location.</summary>
    public const string PathVariable = "PARLEY_KNOWN_HUBS";

    private static readonly Lock FileLock = new();

    /// <summary>Uses the store at <paramref name="path"/>; the file and its folder are created on the first pin.</summary>
    /// <param name="path">File path of the store.</param>
    public KnownHubs(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>Full path of the store's file.</summary>
    public string Path { get; }

    /// <summary>
    /// The default store: $PARLEY_KNOWN_HUBS when set, else $XDG_CONFIG_HOME/parley/known_hubs, else
    /// ~/.config/parley/known_hubs.
    /// </summary>
    public static string DefaultPath()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } explicitPath)
        {
            return explicitPath;
        }

        string config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return System.IO.Path.Combine(config, "parley", "known_hubs");
    }

    /// <summary>The SHA-256 fingerprint of a certificate's DER encoding: "AB:CD:...", 32 bytes, as openssl prints it.</summary>
    /// <param name="certificate">The certificate.</param>
    public static string Fingerprint(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(certificate.GetRawCertData(), hash);
        return string.Join(':', hash.ToArray().Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>The fingerprint remembered for <paramref name="hub"/>, or null when there is none.</summary>
    /// <param name="hub">"host:port" as the endpoint dialled it.</param>
    /// <exception cref="IOException">The file exists but cannot be read.</exception>
    public string? Find(string hub)
    {
        lock (FileLock)
        {
            return Read().TryGetValue(hub, out var fingerprint) ? fingerprint : null;
        }
    }

    /// <summary>
    /// Checks <paramref name="fingerprint"/> against the pin of <paramref name="hub"/>: remembers it when the hub is
    /// unknown, and replaces a different pin only when <paramref name="acceptChange"/> is set.
    /// </summary>
    /// <param name="hub">"host:port" as the endpoint dialled it.</param>
    /// <param name="fingerprint">SHA-256 fingerprint of the presented certificate (<see cref="Fingerprint"/>).</param>
    /// <param name="acceptChange">Replace a different pin instead of reporting <see cref="KnownHubVerdict.Changed"/>.</param>
    /// <param name="remembered">The pin found before this call, null for an unknown hub.</param>
    /// <exception cref="IOException">The file cannot be read or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file or its folder is not writable.</exception>
    public KnownHubVerdict Verify(string hub, string fingerprint, bool acceptChange, out string? remembered)
    {
        ArgumentException.ThrowIfNullOrEmpty(hub);
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        lock (FileLock)
        {
            var lines = ReadLines();
            remembered = Read(lines).TryGetValue(hub, out var pin) ? pin : null;
            if (string.Equals(remembered, fingerprint, StringComparison.OrdinalIgnoreCase))
            {
                return KnownHubVerdict.Matched;
            }

            if (remembered is not null && !acceptChange)
            {
                return KnownHubVerdict.Changed;
            }

            var kept = lines.Where(l => Parse(l) is not { } entry || entry.Hub != hub).ToList();
            kept.Add($"{hub} {fingerprint}");
            Write(kept);
            return remembered is null ? KnownHubVerdict.FirstSeen : KnownHubVerdict.Replaced;
        }
    }

    private List<string> ReadLines() => File.Exists(Path) ? [.. File.ReadAllLines(Path)] : [];

    private Dictionary<string, string> Read() => Read(ReadLines());

    private static Dictionary<string, string> Read(List<string> lines)
    {
        var pins = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines)
        {
            if (Parse(line) is { } entry)
            {
                pins[entry.Hub] = entry.Fingerprint;
            }
        }

        return pins;
    }

    // A hand-edited file may hold anything; lines that are not "hub fingerprint" are kept but mean nothing.
    private static (string Hub, string Fingerprint)? Parse(string line)
    {
        string trimmed = line.Trim();
        if (trimmed.Length == 0 || trimmed[0] == '#')
        {
            return null;
        }

        string[] parts = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 ? (parts[0], parts[1]) : null;
    }

    private void Write(List<string> lines)
    {
        string? folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        string temporary = $"{Path}.{Environment.ProcessId}.tmp";
        File.WriteAllLines(temporary, lines);
        File.Move(temporary, Path, overwrite: true);
    }
}
