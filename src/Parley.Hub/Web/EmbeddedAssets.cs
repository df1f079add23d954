using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Parley.Hub.Web;

/// <summary>
/// The web UI's files, embedded in the assembly from src/Parley.Hub/wwwroot (resource names "wwwroot/&lt;file&gt;"):
/// read once at start, served from memory with a content type and a strong ETag, so the single executable needs
/// nothing beside it.
/// </summary>
public sealed class EmbeddedAssets
{
    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".json"] = "application/json",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, Asset> _assets;

    /// <summary>Loads every embedded "wwwroot/..." resource of the hub assembly.</summary>
    public EmbeddedAssets()
    {
        var assembly = typeof(EmbeddedAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith("wwwroot/", StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            string etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8)) + "\"";
            string type = ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
            assets[name["wwwroot/".Length..]] = new Asset(bytes, type, etag);
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Names of the embedded files, relative to wwwroot ("index.html", "parley-player.js").</summary>
    public IEnumerable<string> Names => _assets.Keys;

    /// <summary>True when <paramref name="name"/> (relative to wwwroot) is embedded.</summary>
    public bool Contains(string name) => _assets.ContainsKey(name);

    /// <summary>
    /// Writes the file <paramref name="name"/> (relative to wwwroot) to the response, or 304 when the client's
    /// If-None-Match matches, or 404 when there is no such file.
    /// </summary>
    public async Task ServeAsync(HttpContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_assets.TryGetValue(name, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.Headers.ETag = asset.ETag;
        // Revalidate every time: a hub upgrade must not leave browsers on an old player.
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(asset.Bytes, context.RequestAborted);
        }
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
