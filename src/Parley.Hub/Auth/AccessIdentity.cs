using Parley.Security.Auth;

namespace Parley.Hub.Auth;

/// <summary>
/// Who a client turned out to be: a trusted loopback client, a user, or the holder of a join token. Cheap to
/// ask many times (filtering a stream list), since authentication already happened.
/// </summary>
public sealed class AccessIdentity
{
    private AccessIdentity(string description, UserAccount? user, JoinToken? token, bool trusted)
    {
        Description = description;
        User = user;
        Token = token;
        IsTrusted = trusted;
    }

    /// <summary>A loopback client under auth.trustLoopback (or the hub's own components).</summary>
    public static AccessIdentity Trusted { get; } = new("trusted loopback client", null, null, trusted: true);

    /// <summary>For logs: "user 'cam1'", "token for room 'team'", ...</summary>
    public string Description { get; }

    /// <summary>The user, when authenticated by name and password.</summary>
    public UserAccount? User { get; }

    /// <summary>The join token, when authenticated by one.</summary>
    public JoinToken? Token { get; }

    /// <summary>True for a trusted client, which may do everything.</summary>
    public bool IsTrusted { get; }

    /// <summary>An authenticated user.</summary>
    public static AccessIdentity ForUser(UserAccount user) => new($"user '{user.Name}'", user, null, trusted: false);

    /// <summary>The holder of a valid join token.</summary>
    public static AccessIdentity ForToken(JoinToken token) =>
        new($"token for room '{token.Room}'{(token.Name is null ? "" : $" ({token.Name})")}", null, token, trusted: false);

    /// <summary>
    /// True when this identity may do <paramref name="action"/> on <paramref name="target"/>. A token's room grants
    /// join and chat on the room, publish and read on its paths (&lt;room&gt;/...).
    /// </summary>
    public bool Permits(AccessAction action, string target)
    {
        if (IsTrusted)
        {
            return true;
        }

        if (User is not null)
        {
            return User.Permits(action, target);
        }

        if (Token is null || !Token.Allows(action.ToString()))
        {
            return false;
        }

        return action is AccessAction.Join or AccessAction.Chat
            ? PathGlob.IsMatch(Token.Room, target)
            : PathGlob.IsMatch(Token.Room + "/*", target);
    }
}
