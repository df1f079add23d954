using System.Globalization;
using System.Net;
using Parley.Security.Access;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Parley.Hub.Configuration;

/// <summary>A setting that could not be applied; the message says which, where from, and what was expected.</summary>
public sealed class HubConfigurationException : Exception
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public HubConfigurationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a user-facing message and its cause.</summary>
    public HubConfigurationException(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>
/// Builds <see cref="HubOptions"/> from, in rising precedence: embedded defaults, a YAML file, PARLEY_* environment
/// variables and command-line overrides. Every layer speaks the same keys, "section.name" (for example
/// "rtsp.port"); in the environment that is PARLEY_RTSP_PORT, with underscores inside a name ignored
/// (PARLEY_RTSP_RTP_PORT is rtsp.rtpPort).
/// </summary>
public static class HubConfigurationLoader
{
    private static readonly Dictionary<string, Action<HubOptions, string>> Setters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["logLevel"] = (o, v) => o.LogLevel = OneOf(v, "trace", "debug", "information", "info", "warning", "error"),
        ["rtsp.address"] = (o, v) => o.Rtsp.Address = IPAddress.TryParse(v, out var a) ? a : throw Expected("an IP address such as 0.0.0.0 or ::"),
        ["rtsp.port"] = (o, v) => o.Rtsp.Port = Port(v),
        ["rtsp.rtpPort"] = (o, v) => o.Rtsp.RtpPort = Port(v),
        ["rtsp.rtcpPort"] = (o, v) => o.Rtsp.RtcpPort = Port(v),
        ["rtsp.tls"] = (o, v) => o.Rtsp.Tls = Bool(v),
        ["rtsp.tlsPort"] = (o, v) => o.Rtsp.TlsPort = Port(v),
        ["rtsp.plaintext"] = (o, v) => o.Rtsp.Plaintext = Plaintext(v),
        ["rtsp.srtpKeys"] = (o, v) => o.Rtsp.SrtpKeys = OneOf(v, "shared", "perReader") == "shared" ? HubOptions.SrtpKeying.Shared : HubOptions.SrtpKeying.PerReader,
        ["http.tls"] = (o, v) => o.Http.Tls = Bool(v),
        ["http.plaintext"] = (o, v) => o.Http.Plaintext = Plaintext(v),
        ["http.tlsPort"] = (o, v) => o.Http.TlsPort = Port(v),
        ["tls.certificate"] = (o, v) => o.Tls.Certificate = v,
        ["tls.key"] = (o, v) => o.Tls.Key = v,
        ["tls.password"] = (o, v) => o.Tls.Password = v,
        ["tls.generatedCertificate"] = (o, v) => o.Tls.GeneratedCertificate = v.Length > 0 ? v : throw Expected("a file path such as /var/lib/parley/parley-tls.pfx"),
        ["rtsp.sessionTimeoutSeconds"] = (o, v) => o.Rtsp.SessionTimeoutSeconds = Int(v, 1, 86400),
        ["rtsp.writeTimeoutSeconds"] = (o, v) => o.Rtsp.WriteTimeoutSeconds = Int(v, 1, 3600),
        ["rtsp.maxConnectionsPerAddress"] = (o, v) => o.Rtsp.MaxConnectionsPerAddress = Int(v, 0, 1 << 20),
        ["auth.enabled"] = (o, v) => o.Auth.Enabled = Bool(v),
        ["auth.trustLoopback"] = (o, v) => o.Auth.TrustLoopback = Bool(v),
        ["auth.allowFrom"] = (o, v) => o.Auth.AllowFrom = Networks(v),
        ["auth.stateFile"] = (o, v) => o.Auth.StateFile = v,
        ["auth.tokenIssuer"] = (o, v) => o.Auth.TokenIssuer = v.Length > 0 ? v : throw Expected("a name such as parley"),
        ["auth.tokenClockSkewSeconds"] = (o, v) => o.Auth.TokenClockSkewSeconds = Int(v, 0, 3600),
        ["auth.rtspDigest"] = (o, v) => o.Auth.RtspDigest = Bool(v),
        ["auth.maxFailures"] = (o, v) => o.Auth.MaxFailures = Int(v, 1, 1000),
        ["auth.lockoutSeconds"] = (o, v) => o.Auth.LockoutSeconds = Int(v, 1, 3600),
        ["http.enabled"] = (o, v) => o.Http.Enabled = Bool(v),
        ["http.address"] = (o, v) => o.Http.Address = IPAddress.TryParse(v, out var a) ? a : throw Expected("an IP address such as 0.0.0.0 or ::"),
        ["http.port"] = (o, v) => o.Http.Port = Port(v),
        ["http.allowedOrigins"] = (o, v) => o.Http.AllowedOrigins = Origins(v),
        ["http.viewerQueueMessages"] = (o, v) => o.Http.ViewerQueueMessages = Int(v, 8, 1 << 16),
        ["webrtc.enabled"] = (o, v) => o.WebRtc.Enabled = Bool(v),
        ["webrtc.address"] = (o, v) => o.WebRtc.Address = IPAddress.TryParse(v, out var a) ? a : throw Expected("an IP address such as 0.0.0.0 or ::"),
        ["webrtc.udpPort"] = (o, v) => o.WebRtc.UdpPort = Port(v),
        ["webrtc.advertisedAddresses"] = (o, v) => o.WebRtc.AdvertisedAddresses = Addresses(v),
        ["paths.allowTakeover"] = (o, v) => o.Paths.AllowTakeover = Bool(v),
        ["paths.readerQueuePackets"] = (o, v) => o.Paths.ReaderQueuePackets = Int(v, 16, 1 << 20),
        ["demo.enabled"] = (o, v) => o.Demo.Enabled = Bool(v),
        ["demo.path"] = (o, v) => o.Demo.Path = v.Trim('/') is { Length: > 0 } p ? p : throw Expected("a path such as demo"),
        ["demo.width"] = (o, v) => o.Demo.Width = Multiple8(Int(v, 16, 2040)),
        ["demo.height"] = (o, v) => o.Demo.Height = Multiple8(Int(v, 16, 2040)),
        ["demo.frameRate"] = (o, v) => o.Demo.FrameRate = Int(v, 1, 120),
        ["demo.quality"] = (o, v) => o.Demo.Quality = Int(v, 1, 100),
        ["rooms.maxRooms"] = (o, v) => o.Rooms.MaxRooms = Int(v, 1, 100_000),
        ["rooms.maxParticipants"] = (o, v) => o.Rooms.MaxParticipants = Int(v, 1, 1000),
        ["rooms.maxChatBytes"] = (o, v) => o.Rooms.MaxChatBytes = Int(v, 16, 1 << 20),
        ["rooms.chatMessagesPerSecond"] = (o, v) => o.Rooms.ChatMessagesPerSecond = Int(v, 1, 1000),
        ["rooms.chatBurst"] = (o, v) => o.Rooms.ChatBurst = Int(v, 1, 10_000),
        ["rooms.historyMessages"] = (o, v) => o.Rooms.HistoryMessages = Int(v, 0, 10_000),
        ["rooms.idleTimeoutSeconds"] = (o, v) => o.Rooms.IdleTimeoutSeconds = Int(v, 1, 3600),
        ["rooms.database"] = (o, v) => o.Rooms.Database = v.Length > 0 ? v : throw Expected("a file path such as /var/lib/parley/parley.db"),
    };

    /// <summary>The keys every layer understands, for help texts and error messages.</summary>
    public static IEnumerable<string> Keys => Setters.Keys;

    /// <summary>
    /// Loads the options. <paramref name="configPath"/> null means "parley.yml in the working directory if it
    /// exists"; a path given explicitly must exist.
    /// </summary>
    /// <exception cref="HubConfigurationException">A file, variable or flag is unreadable, unknown or out of range.</exception>
    public static HubOptions Load(string? configPath, IReadOnlyDictionary<string, string> environment,
        IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var options = new HubOptions();
        string path = configPath ?? "parley.yml";
        if (File.Exists(path))
        {
            // The database lives beside the configuration it belongs to unless a layer says otherwise.
            options.Rooms.Database = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", "parley.db");
            options.Tls.GeneratedCertificate = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", "parley-tls.pfx");
            Apply(options, ReadYaml(path), path);
            options.Auth.Users = Auth.UserAccountsYaml.ReadConfigUsers(path);
        }
        else if (configPath is not null)
        {
            throw new HubConfigurationException($"config file '{configPath}' not found. Give an existing YAML file or leave --config out to use the defaults.");
        }

        Apply(options, FromEnvironment(environment), "environment");
        Apply(options, overrides, "command line");
        CheckReachable(options);
        return options;
    }

    /// <summary>Flattens a YAML mapping of sections into "section.key" pairs.</summary>
    /// <exception cref="HubConfigurationException">The file is not YAML or not a mapping.</exception>
    public static IEnumerable<KeyValuePair<string, string>> ReadYaml(string path)
    {
        var yaml = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            yaml.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new HubConfigurationException($"{path}: not valid YAML at line {ex.Start.Line}: {ex.Message}", ex);
        }

        var result = new List<KeyValuePair<string, string>>();
        if (yaml.Documents.Count == 0)
        {
            return result;
        }

        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new HubConfigurationException($"{path}: expected a mapping of settings at the top level");
        }

        Flatten(root, "", result, path);
        return result;
    }

    private static void Flatten(YamlMappingNode node, string prefix, List<KeyValuePair<string, string>> result, string path)
    {
        foreach (var (keyNode, value) in node.Children)
        {
            string key = prefix + ((YamlScalarNode)keyNode).Value;
            switch (value)
            {
                case YamlMappingNode child:
                    Flatten(child, key + ".", result, path);
                    break;
                case YamlScalarNode scalar:
                    result.Add(new(key, scalar.Value ?? ""));
                    break;
                case YamlSequenceNode when string.Equals(key, "auth.users", StringComparison.OrdinalIgnoreCase):
                    // Structured; read by UserAccountsYaml.
                    break;
                case YamlSequenceNode list when list.All(n => n is YamlScalarNode):
                    // [a, b] is the same as "a,b" (allowedOrigins, allowFrom).
                    result.Add(new(key, string.Join(",", list.Select(n => ((YamlScalarNode)n).Value))));
                    break;
                default:
                    throw new HubConfigurationException($"{path}: '{key}' must be a single value");
            }
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        foreach (var (name, value) in environment)
        {
            if (!name.StartsWith("PARLEY_", StringComparison.OrdinalIgnoreCase) || name.Length == 7)
            {
                continue;
            }

            string rest = name[7..];
            int split = rest.IndexOf('_', StringComparison.Ordinal);
            string candidate = split < 0 ? rest.Replace("_", "", StringComparison.Ordinal)
                : rest[..split] + "." + rest[(split + 1)..].Replace("_", "", StringComparison.Ordinal);
            string? key = Setters.Keys.FirstOrDefault(k => string.Equals(k, candidate, StringComparison.OrdinalIgnoreCase))
                ?? Setters.Keys.FirstOrDefault(k => string.Equals(k, rest.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
            yield return new(key ?? candidate, value);
        }
    }

    private static void Apply(HubOptions options, IEnumerable<KeyValuePair<string, string>> values, string source)
    {
        foreach (var (key, value) in values)
        {
            if (!Setters.TryGetValue(key, out var setter))
            {
                throw new HubConfigurationException($"{source}: unknown setting '{key}'. Known settings: {string.Join(", ", Setters.Keys)}.");
            }

            try
            {
                setter(options, value.Trim());
            }
            catch (FormatException ex)
            {
                throw new HubConfigurationException($"{source}: '{key}' is '{value}', expected {ex.Message}.", ex);
            }
        }
    }

    // A protocol with its encrypted port off and its plain port closed to everyone would serve no one.
    private static void CheckReachable(HubOptions options)
    {
        if (!options.Rtsp.Tls && options.Rtsp.Plaintext == PlaintextMode.Off)
        {
            throw new HubConfigurationException("rtsp.tls is false and rtsp.plaintext is off: no client could use RTSP. Turn rtsp.tls on, or set rtsp.plaintext to loopback or allow.");
        }

        if (options.Http.Enabled && !options.Http.Tls && options.Http.Plaintext == PlaintextMode.Off)
        {
            throw new HubConfigurationException("http.tls is false and http.plaintext is off: no client could use the web UI. Turn http.tls on, set http.plaintext to loopback or allow, or set http.enabled to false.");
        }
    }

    private static FormatException Expected(string what) => new(what);

    private static PlaintextMode Plaintext(string value) =>
        PlaintextPolicy.TryParse(value, out var mode) ? mode : throw Expected("loopback (plain only for clients on this machine), allow (everyone) or off (no one)");

    private static int Int(string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw Expected($"a whole number from {min} to {max}");

    private static string[] Origins(string value)
    {
        string[] origins = value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string origin in origins)
        {
            if (origin != "*" && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/"
                || uri.Scheme is not ("http" or "https")))
            {
                throw Expected("a comma-separated list of origins such as https://example.org,http://localhost:3000, or *");
            }
        }

        return [.. origins.Select(o => o.TrimEnd('/'))];
    }

    private static IPNetwork[] Networks(string value)
    {
        var result = new List<IPNetwork>();
        foreach (string item in value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(item, out var network))
            {
                result.Add(network);
            }
            else if (IPAddress.TryParse(item, out var address))
            {
                result.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw Expected("a comma-separated list of networks such as 192.168.1.0/24,10.0.0.0/8,::1");
            }
        }

        return [.. result];
    }

    private static int Port(string value) => Int(value, 0, 65535);

    private static int Multiple8(int value) => value % 8 == 0 ? value : throw Expected("a multiple of 8");

    private static bool Bool(string value) => value.ToUpperInvariant() switch
    {
        "TRUE" or "YES" or "ON" or "1" => true,
        "FALSE" or "NO" or "OFF" or "0" => false,
        _ => throw Expected("true or false"),
    };

    private static string OneOf(string value, params string[] allowed) =>
        allowed.Contains(value, StringComparer.OrdinalIgnoreCase) ? string.Equals(value, "info", StringComparison.OrdinalIgnoreCase) ? "information" : value.ToLowerInvariant()
            : throw Expected("one of " + string.Join(", ", allowed));

    private static IPAddress[] Addresses(string value) =>
        [.. value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(item => IPAddress.TryParse(item, out var address) ? address : throw Expected("IP addresses separated by commas, such as 203.0.113.7"))];
}
