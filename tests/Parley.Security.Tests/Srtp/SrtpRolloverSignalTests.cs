using Parley.Security.Srtp;

namespace Parley.Security.Tests.Srtp;

/// <summary>
/// A relay protecting with the ROC it knows, and a receiver told that ROC by key management (MIKEY's crypto
/// session map), agree on the packet index; a receiver not told it cannot authenticate.
/// </summary>
public class SrtpRolloverSignalTests
{
    [Theory]
    [MemberData(nameof(SrtpContextTests.Profiles), MemberType = typeof(SrtpContextTests))]
    public void A_signalled_initial_rollover_counter_lets_a_late_joiner_unprotect(SrtpProtectionProfile profile)
    {
        var (sender, receiver) = SrtpContextTests.Pair(profile);
        var (_, uninformed) = SrtpContextTests.Pair(profile);
        using (sender)
        using (receiver)
        using (uninformed)
        {
            receiver.SetInitialRolloverCounter(0x11223344, 7);
            for (int i = 0; i < 5; i++)
            {
                byte[] plain = TestPackets.Rtp((ushort)(65534 + i), payloadLength: 60);
                byte[] buffer = TestPackets.WithRoom(plain);
                // Crosses the wrap: the relay's ROC goes from 7 to 8 with its extended sequence number.
                uint roc = (65534 + i) >= 65536 ? 8u : 7u;
                Assert.True(sender.TryProtectRtp(buffer, plain.Length, roc, out int protectedLength));
                byte[] copy = buffer[..protectedLength];

                Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(buffer, protectedLength, out int plainLength));
                Assert.Equal(plain, buffer[..plainLength]);
                if (i == 0)
                {
                    Assert.Equal(SrtpResult.AuthenticationFailed, uninformed.UnprotectRtp(copy, copy.Length, out _));
                }
            }
        }
    }
}
