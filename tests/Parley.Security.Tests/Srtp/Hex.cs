namespace Parley.Security.Tests.Srtp;

/// <summary>Test vectors as the RFCs print them: hex with optional spaces and line breaks.</summary>
internal static class Hex
{
    public static byte[] Bytes(string text) =>
        Convert.FromHexString(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
}
