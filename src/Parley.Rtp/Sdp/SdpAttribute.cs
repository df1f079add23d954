using System.Collections;

namespace Parley.Rtp.Sdp;

/// <summary>
/// One SDP attribute line, <c>a=name:value</c> or the property form <c>a=name</c> (RFC 8866 §5.13).
/// </summary>
/// <param name="Name">The attribute name, e.g. "rtpmap", "control", "recvonly".</param>
/// <param name="Value">Everything after the first colon, unmodified; null for a property attribute.</param>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming",
    "CA1711:Identifiers should not have incorrect suffix",
    Justification = "An SDP attribute (RFC 8866 §5.13), not a .NET attribute; the name is part of the shared API.")]
public readonly record struct SdpAttribute(string Name, string? Value)
{
    /// <summary>The attribute as it appears after "a=": "name" or "name:value".</summary>
    public override string ToString() => Value is null ? Name : Name + ":" + Value;
}

/// <summary>
/// The ordered attribute lines of a session or media description (RFC 8866 §5.13). Duplicates are allowed
/// (a=rtpmap appears once per payload type); lookups by name are ASCII case-insensitive and use the first match.
/// </summary>
public sealed class SdpAttributeList : IEnumerable<SdpAttribute>
{
    private readonly List<SdpAttribute> _items = [];

    /// <summary>The number of attribute lines.</summary>
    public int Count => _items.Count;

    /// <summary>The attribute at <paramref name="index"/> in line order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside 0..Count-1.</exception>
    public SdpAttribute this[int index] => _items[index];

    /// <summary>True when an attribute named <paramref name="name"/> is present.</summary>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>
    /// The value of the first attribute named <paramref name="name"/>; null when absent or when it is a property
    /// attribute (use <see cref="Contains"/> to tell those apart).
    /// </summary>
    public string? Get(string name)
    {
        int index = IndexOf(name);
        return index < 0 ? null : _items[index].Value;
    }

    /// <summary>The values of all attributes named <paramref name="name"/>, in order; a property attribute gives "".</summary>
    public IReadOnlyList<string> GetAll(string name)
    {
        var values = new List<string>();
        foreach (var item in _items)
        {
            if (NameEquals(item.Name, name))
            {
                values.Add(item.Value ?? string.Empty);
            }
        }

        return values;
    }

    /// <summary>
    /// Replaces the first attribute named <paramref name="name"/> in place and removes any later ones, or appends
    /// a new attribute when none exists.
    /// </summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="value">The value; null for a property attribute.</param>
    public void Set(string name, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        int index = IndexOf(name);
        if (index < 0)
        {
            _items.Add(new SdpAttribute(name, value));
            return;
        }

        _items[index] = new SdpAttribute(name, value);
        for (int i = _items.Count - 1; i > index; i--)
        {
            if (NameEquals(_items[i].Name, name))
            {
                _items.RemoveAt(i);
            }
        }
    }

    /// <summary>Appends an attribute line.</summary>
    /// <param name="name">The attribute name, non-empty.</param>
    /// <param name="value">The value; null for a property attribute.</param>
    public void Add(string name, string? value = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _items.Add(new SdpAttribute(name, value));
    }

    /// <summary>Appends an attribute line.</summary>
    public void Add(SdpAttribute attribute)
    {
        ArgumentException.ThrowIfNullOrEmpty(attribute.Name, nameof(attribute));
        _items.Add(attribute);
    }

    /// <summary>Inserts an attribute line at <paramref name="index"/>.</summary>
    public void Insert(int index, SdpAttribute attribute)
    {
        ArgumentException.ThrowIfNullOrEmpty(attribute.Name, nameof(attribute));
        _items.Insert(index, attribute);
    }

    /// <summary>Removes every attribute named <paramref name="name"/>.</summary>
    /// <returns>The number removed.</returns>
    public int Remove(string name) => _items.RemoveAll(item => NameEquals(item.Name, name));

    /// <summary>Removes every attribute matching <paramref name="predicate"/>.</summary>
    /// <returns>The number removed.</returns>
    public int RemoveAll(Predicate<SdpAttribute> predicate) => _items.RemoveAll(predicate);

    /// <summary>Removes all attributes.</summary>
    public void Clear() => _items.Clear();

    /// <summary>A copy of this list (attributes are immutable values).</summary>
    public SdpAttributeList Clone()
    {
        var clone = new SdpAttributeList();
        clone._items.AddRange(_items);
        return clone;
    }

    /// <summary>Enumerates the attributes in line order.</summary>
    public List<SdpAttribute>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<SdpAttribute> IEnumerable<SdpAttribute>.GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    private int IndexOf(string name) => _items.FindIndex(item => NameEquals(item.Name, name));

    private static bool NameEquals(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
