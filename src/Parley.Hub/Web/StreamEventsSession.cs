using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Parley.Hub.Paths;

namespace Parley.Hub.Web;

/// <summary>
/// <c>/api/events</c>: the stream list as Server-Sent Events (HTML Living Standard §9.2), an
/// <c>event: streams</c> with the same JSON as <c>/api/streams</c> at once, whenever a publisher comes or goes
/// (<see cref="PathManager.StreamChanged"/>), and every <see cref="RefreshInterval"/> for fresh bitrates.
/// </summary>
internal static class StreamEventsSession
{
    /// <summary>How often the list is sent when nothing came or went, for the live figures.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(HttpContext context, PathManager paths, StreamCatalog catalog, JsonSerializerOptions json, CancellationToken stopping,
        Func<string, bool>? visible = null)
    {
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnChanged(object? sender, StreamChangedEventArgs e) => changed.Writer.TryWrite(true);
        paths.StreamChanged += OnChanged;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = ended.Token;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        try
        {
            await response.StartAsync(cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                var streams = (await catalog.ListAsync()).Where(s => visible?.Invoke(s.Path) ?? true).ToArray();
                await response.WriteAsync("event: streams\ndata: ", cancellationToken);
                await JsonSerializer.SerializeAsync(response.Body, new { streams }, json, cancellationToken);
                await response.WriteAsync("\n\n", cancellationToken);
                await response.Body.FlushAsync(cancellationToken);

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(RefreshInterval);
                try
                {
                    await changed.Reader.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The refresh interval passed.
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The browser went away.
        }
        finally
        {
            paths.StreamChanged -= OnChanged;
        }
    }
}
