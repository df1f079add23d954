using System.Globalization;
using System.Text;
using Parley.Hub.Configuration;
using Parley.Security.Auth;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Parley.Hub.Auth;

/// <summary>
/// Reads and writes user lists in YAML, the same shape in parley.yml (<c>auth.users</c>) and in the state file:
/// <code>
/// - name: cam1
///   password: pbkdf2-sha256$210000$...$...   # parley hash-password prints one
///   digest: 0123...abcd                         # optional, RTSP Digest HA1
///   publish: ["cam*"]
///   read: ["*"]
///   join: ["team-*"]
///   chat: ["team-*"]
///   admin: false
/// </code>
/// </summary>
public static class UserAccountsYaml
{
    /// <summary>Users under <c>auth.users</c> in a configuration file; empty when there are none.</summary>
    /// <exception cref="HubConfigurationException">A user entry is malformed (the message names it).</exception>
    public static IReadOnlyList<UserAccount> ReadConfigUsers(string path)
    {
        var root = Load(path);
        if (root is null || !TryChild(root, "auth", out var auth) || auth is not YamlMappingNode authMap
            || !TryChild(authMap, "users", out var users))
        {
            return [];
        }

        return ReadList(users, path + ": auth.users");
    }

    /// <summary>Parses a YAML sequence of user mappings; <paramref name="where"/> prefixes error messages.</summary>
    /// <exception cref="HubConfigurationException">An entry is malformed.</exception>
    public static IReadOnlyList<UserAccount> ReadList(YamlNode node, string where)
    {
        if (node is not YamlSequenceNode sequence)
        {
            throw new HubConfigurationException($"{where}: expected a list of users (- name: ..., password: ...)");
        }

        var result = new List<UserAccount>();
        foreach (var item in sequence)
        {
            if (item is not YamlMappingNode map)
            {
                throw new HubConfigurationException($"{where}: each user is a mapping with name and password");
            }

            string name = Scalar(map, "name") ?? throw new HubConfigurationException($"{where}: a user has no name");
            string hash = Scalar(map, "password") ?? "";
            if (!PasswordHash.IsWellFormed(hash))
            {
                throw new HubConfigurationException(
                    $"{where}: user '{name}' needs password: pbkdf2-sha256$<iterations>$<salt>$<hash>. Create one with 'parley hash-password'; plain passwords are not stored.");
            }

            string? digest = Scalar(map, "digest");
            if (digest is not null && (digest.Length != 32 || !digest.All(char.IsAsciiHexDigit)))
            {
                throw new HubConfigurationException($"{where}: user '{name}': digest is 32 hex digits (MD5 of name:Parley:password)");
            }

            var permissions = new Dictionary<AccessAction, IReadOnlyList<string>>();
            foreach (var action in Enum.GetValues<AccessAction>())
            {
                if (Globs(map, action, where, name) is { } globs)
                {
                    permissions[action] = globs;
                }
            }

            result.Add(new UserAccount(name, hash, digest?.ToLowerInvariant(), permissions));
        }

        return result;
    }

    /// <summary>Writes the state file: the token secret and users (hash, HA1, admin flag). Mode 0600 on Unix.</summary>
    public static void WriteState(string path, byte[] tokenSecret, IEnumerable<UserAccount> users)
    {
        var text = new StringBuilder();
        text.AppendLine("# Written by parley on first start: the join-token signing secret and the generated admin user.");
        text.AppendLine("# Keep it private. Delete it to start over with a new admin password and secret (issued tokens stop working).");
        text.Append("tokenSecret: ").AppendLine(Convert.ToBase64String(tokenSecret));
        text.AppendLine("users:");
        foreach (var user in users)
        {
            text.Append("  - name: ").AppendLine(user.Name);
            text.Append("    password: ").AppendLine(user.PasswordHash);
            if (user.DigestHa1 is not null)
            {
                text.Append("    digest: ").AppendLine(user.DigestHa1);
            }

            foreach (var (action, globs) in user.Permissions)
            {
                text.Append(CultureInfo.InvariantCulture, $"    {action.ToString().ToLowerInvariant()}: [")
                    .AppendJoin(", ", globs.Select(g => "\"" + g + "\"")).AppendLine("]");
            }
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write(text.ToString());
    }

    /// <summary>Reads the state file: (secret, users); null when the file does not exist.</summary>
    /// <exception cref="HubConfigurationException">The file exists but is malformed.</exception>
    public static (byte[] Secret, IReadOnlyList<UserAccount> Users)? ReadState(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var root = Load(path) ?? throw new HubConfigurationException($"{path}: empty; delete it to have the hub create a new one");
        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(Scalar(root, "tokenSecret") ?? "");
        }
        catch (FormatException ex)
        {
            throw new HubConfigurationException($"{path}: tokenSecret is not base64", ex);
        }

        if (secret.Length < JoinTokenSigner.MinSecretBytes)
        {
            throw new HubConfigurationException($"{path}: tokenSecret must be at least {JoinTokenSigner.MinSecretBytes} bytes (base64)");
        }

        var users = TryChild(root, "users", out var node) ? ReadList(node, path + ": users") : [];
        return (secret, users);
    }

    private static YamlMappingNode? Load(string path)
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

        return yaml.Documents.Count > 0 ? yaml.Documents[0].RootNode as YamlMappingNode : null;
    }

    private static bool TryChild(YamlMappingNode map, string key, out YamlNode node)
    {
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode s && string.Equals(s.Value, key, StringComparison.OrdinalIgnoreCase))
            {
                node = v;
                return true;
            }
        }

        node = null!;
        return false;
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        TryChild(map, key, out var node) && node is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;

    private static List<string>? Globs(YamlMappingNode map, AccessAction action, string where, string user)
    {
        if (!TryChild(map, action.ToString(), out var node))
        {
            return null;
        }

        switch (node)
        {
            case YamlSequenceNode sequence:
                return [.. sequence.Select(n => (n as YamlScalarNode)?.Value ?? throw new HubConfigurationException(
                    $"{where}: user '{user}': {action.ToString().ToLowerInvariant()} is a list of globs"))];
            case YamlScalarNode { Value: var value }:
                // "admin: true" and "read: cam*" are both natural to write.
                if (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
                {
                    return ["*"];
                }

                return string.Equals(value, "false", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(value) ? null : [value];
            default:
                throw new HubConfigurationException($"{where}: user '{user}': {action.ToString().ToLowerInvariant()} is a list of globs");
        }
    }
}
