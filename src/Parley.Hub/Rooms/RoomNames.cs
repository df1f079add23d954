using System.Text;

namespace Parley.Hub.Rooms;

/// <summary>
/// The names of docs/rooms-protocol.md: room names (the <c>&lt;room&gt;</c> of <c>/r/&lt;room&gt;</c> and of RTSP
/// paths), display names, and the participant ids made from display names.
/// </summary>
public static class RoomNames
{
    /// <summary>Longest room name, display name and participant id, in characters.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// True for 1 to 64 characters from <c>A-Z a-z 0-9 - _ .</c> not starting with <c>.</c>: safe as one segment of
    /// a URL and of an RTSP path, and never <c>.</c> or <c>..</c>.
    /// </summary>
    public static bool IsValidRoom(string? room)
    {
        if (string.IsNullOrEmpty(room) || room.Length > MaxLength || room[0] == '.')
        {
            return false;
        }

        foreach (char c in room)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Checks a display name and returns it trimmed: 1 to 64 characters after trimming white space, no control
    /// characters. Null when it is not acceptable (the protocol's <c>bad-name</c>).
    /// </summary>
    public static string? NormalizeDisplayName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string trimmed = name.Trim();
        if (trimmed.Length is 0 or > MaxLength || trimmed.Any(char.IsControl))
        {
            return null;
        }

        return trimmed;
    }

    /// <summary>
    /// The path-safe form of a display name: lower case, characters other than <c>a-z 0-9 _ -</c> become <c>-</c>,
    /// runs of <c>-</c> collapse and none is left at either end; "participant" when nothing is left ("日本" has
    /// no ASCII letter). Uniqueness suffixes (<c>-2</c>) are the room's business.
    /// </summary>
    public static string ParticipantId(string displayName)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        var id = new StringBuilder(displayName.Length);
        foreach (char c in displayName)
        {
            char lower = char.ToLowerInvariant(c);
            bool keep = char.IsAsciiLetterLower(lower) || char.IsAsciiDigit(lower) || lower == '_';
            if (keep)
            {
                id.Append(lower);
            }
            else if (id.Length > 0 && id[^1] != '-')
            {
                id.Append('-');
            }
        }

        while (id.Length > 0 && id[^1] == '-')
        {
            id.Length--;
        }

        return id.Length == 0 ? "participant" : id.ToString();
    }

    /// <summary>
    /// True for a string of the form <see cref="ParticipantId"/> makes (with a uniqueness suffix): 1 to 80 characters
    /// from <c>a-z 0-9 _ -</c>, which keeps <c>&lt;room&gt;/&lt;id&gt;</c> one path segment below the room.
    /// </summary>
    public static bool IsValidParticipantId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 80 && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');
}
