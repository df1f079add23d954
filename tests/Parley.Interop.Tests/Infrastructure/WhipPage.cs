namespace Parley.Interop.Tests.Infrastructure;

/// <summary>Page scripts for publishing Chromium's fake camera and microphone over WHIP (RFC 9725) to the hub.</summary>
internal static class WhipPage
{
    /// <summary>
    /// An async function of the stream path: captures width x height video and audio, offers them sendonly to
    /// POST /&lt;path&gt;/whip, applies the answer, and returns { status, body }; the connection is window.whipPc.
    /// </summary>
    public static string Publish(int width, int height) => $$"""
        async (path) => {
          const media = await navigator.mediaDevices.getUserMedia({ video: { width: {{width}}, height: {{height}} }, audio: true });
          const pc = new RTCPeerConnection(); window.whipPc = pc;
          for (const track of media.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' });
          await pc.setLocalDescription(await pc.createOffer());
          const response = await fetch('/' + path + '/whip', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
          const answer = await response.text();
          if (response.status !== 201) return { status: response.status, body: answer };
          await pc.setRemoteDescription({ type: 'answer', sdp: answer });
          return { status: response.status, body: answer };
        }
        """;
}
