using System.Collections;

namespace Parley.Rtsp;

/// <summary>
/// The header fields of one RTSP message (RFC 2326 §4.2, §12): an ordered list of name/value pairs.
/// Names compare case-insensitively (ASCII), duplicates are allowed and kept in arrival order, so a
/// message written back with <see cref="RtspRequest.WriteTo"/> keeps its header order.
/// </summary>
/// <remarks>
/// Names and values are stored without the colon and without leading/trailing whitespace. Values set
/// from code are validated so that a header can never inject a line break into the wire form.
/// Not thread-safe.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix",
    Justification = "RTSP calls these headers; the name is part of the shared RTSP API.")]
public sealed class RtspHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _items = [];

    /// <summary>Number of header lines, duplicates counted separately.</summary>
    public int Count => _items.Count;

    /// <summary>
    /// Gets the value of the first header named <paramref name="name"/> (case-insensitive), or null when absent.
    /// Setting replaces the first occurrence in place and removes later duplicates; setting null removes all.
    /// </summary>
    /// <param name="name">Header name, e.g. "CSeq".</param>
    /// <exception cref="ArgumentException">The name is not an RFC 2616 token or the value contains CR, LF or NUL.</exception>
    public string? this[string name]
    {
        get => TryGetValue(name, out var value) ? value : null;
        set
        {
            if (value is null)
            {
                Remove(name);
                return;
            }

            ValidateName(name);
            ValidateValue(value);
            var index = IndexOf(name);
            if (index < 0)
            {
                _items.Add(new(name, value));
                return;
            }

            _items[index] = new(_items[index].Key, value);
            for (var i = _items.Count - 1; i > index; i--)
            {
                if (NameEquals(_items[i].Key, name))
                {
                    _items.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Appends a header line, keeping any existing header of the same name.</summary>
    /// <param name="name">Header name (an RFC 2616 §2.2 token).</param>
    /// <param name="value">Header value; surrounding whitespace is trimmed.</param>
    /// <exception cref="ArgumentException">The name is not a token or the value contains CR, LF or NUL.</exception>
    public void Add(string name, string value)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(value);
        ValidateValue(value);
        _items.Add(new(name, value.Trim()));
    }

    /// <summary>Adds a header already validated by the parser (no checks, no trimming).</summary>
    internal void AddTrusted(string name, string value) => _items.Add(new(name, value));

    /// <summary>Gets the value of the first header named <paramref name="name"/> (case-insensitive).</summary>
    /// <returns>True when the header is present.</returns>
    public bool TryGetValue(string name, out string value)
    {
        var index = IndexOf(name);
        value = index >= 0 ? _items[index].Value : string.Empty;
        return index >= 0;
    }

    /// <summary>Removes every header named <paramref name="name"/>.</summary>
    /// <returns>True when at least one header was removed.</returns>
    public bool Remove(string name) => _items.RemoveAll(kv => NameEquals(kv.Key, name)) > 0;

    /// <summary>All values of headers named <paramref name="name"/>, in arrival order.</summary>
    public IEnumerable<string> GetAll(string name)
    {
        foreach (var item in _items)
        {
            if (NameEquals(item.Key, name))
            {
                yield return item.Value;
            }
        }
    }

    /// <summary>Returns true when a header with this name is present.</summary>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>Removes all headers.</summary>
    public void Clear() => _items.Clear();

    /// <summary>Enumerates the headers in order.</summary>
    public List<KeyValuePair<string, string>>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    private int IndexOf(string name)
    {
        for (var i = 0; i < _items.Count; i++)
        {
            if (NameEquals(_items[i].Key, name))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool NameEquals(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var c in name)
        {
            if (!RtspSyntax.IsTokenChar(c))
            {
                throw new ArgumentException($"RTSP header name '{name}' contains '{c}', which is not allowed in a token (RFC 2616 §2.2).", nameof(name));
            }
        }
    }

    private static void ValidateValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw new ArgumentException("RTSP header values must not contain CR, LF or NUL (they would split the message).", nameof(value));
        }
    }
}
