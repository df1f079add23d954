namespace Parley.Hub.Auth;

/// <summary>
/// Shell-style globs over paths and room names: <c>*</c> matches any run of characters (slashes included, so
/// <c>cam*</c> covers <c>cam1</c> and <c>cams/front</c>), <c>?</c> one character; everything else literally,
/// case-sensitive like paths.
/// </summary>
public static class PathGlob
{
    /// <summary>True when <paramref name="glob"/> matches the whole of <paramref name="value"/>.</summary>
    public static bool IsMatch(string glob, string value)
    {
        ArgumentNullException.ThrowIfNull(glob);
        ArgumentNullException.ThrowIfNull(value);
        // Iterative matcher with one backtrack point: linear in practice, no regex to build or to blow up.
        int g = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (g < glob.Length && (glob[g] == '?' || glob[g] == value[v]))
            {
                g++;
                v++;
            }
            else if (g < glob.Length && glob[g] == '*')
            {
                star = g++;
                mark = v;
            }
            else if (star >= 0)
            {
                g = star + 1;
                v = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (g < glob.Length && glob[g] == '*')
        {
            g++;
        }

        return g == glob.Length;
    }

    /// <summary>True when any of <paramref name="globs"/> matches <paramref name="value"/>.</summary>
    public static bool AnyMatch(IEnumerable<string> globs, string value) => globs.Any(g => IsMatch(g, value));
}
