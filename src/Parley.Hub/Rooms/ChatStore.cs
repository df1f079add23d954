using Microsoft.Data.Sqlite;

namespace Parley.Hub.Rooms;

/// <summary>
/// Chat history in SQLite (rooms.database). A message is inserted and committed before anyone sees it, so a
/// message a sender saw echoed survives a hub restart. WAL journal with synchronous=FULL: each commit is on disk
/// when <see cref="Append"/> returns; readers never block the writer. One connection, shared by every room's
/// loop, serialised by a lock: chat is a few messages a second, and SQLite has one writer anyway.
/// </summary>
public sealed class ChatStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private bool _disposed;

    private ChatStore(SqliteConnection connection) => _connection = connection;

    /// <summary>The database file.</summary>
    public string Path { get; private init; } = "";

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">The file cannot be opened or is not a Parley database; the message says which and what to do.</exception>
    public static ChatStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = System.IO.Path.GetFullPath(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, "PRAGMA synchronous=FULL;");
            Execute(connection, """
                CREATE TABLE IF NOT EXISTS chat (
                    room TEXT NOT NULL,
                    id INTEGER NOT NULL,
                    sender_id TEXT NOT NULL,
                    sender_name TEXT NOT NULL,
                    time TEXT NOT NULL,
                    text TEXT NOT NULL,
                    PRIMARY KEY (room, id)
                ) WITHOUT ROWID;
                """);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new InvalidOperationException(
                $"cannot open the room database '{full}' ({ex.Message}). Set rooms.database to a writable file path.", ex);
        }

        return new ChatStore(connection) { Path = full };
    }

    /// <summary>The highest message id stored for <paramref name="room"/>, 0 when there is none.</summary>
    /// <exception cref="SqliteException">The database failed.</exception>
    public long LastId(string room)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT COALESCE(MAX(id), 0) FROM chat WHERE room = $room";
            command.Parameters.AddWithValue("$room", room);
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <summary>The newest <paramref name="count"/> messages of <paramref name="room"/>, oldest first.</summary>
    /// <exception cref="SqliteException">The database failed.</exception>
    public IReadOnlyList<ChatMessage> LoadRecent(string room, int count)
    {
        var messages = new List<ChatMessage>(Math.Min(count, 1024));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, sender_id, sender_name, time, text FROM chat WHERE room = $room ORDER BY id DESC LIMIT $count";
            command.Parameters.AddWithValue("$room", room);
            command.Parameters.AddWithValue("$count", count);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                messages.Add(new ChatMessage(reader.GetInt64(0), new ChatSender(reader.GetString(1), reader.GetString(2)), reader.GetString(3), reader.GetString(4)));
            }
        }

        messages.Reverse();
        return messages;
    }

    /// <summary>Stores <paramref name="message"/> and commits; returns once it is durable.</summary>
    /// <exception cref="SqliteException">The database failed (disk full, file removed); nothing was stored.</exception>
    public void Append(string room, ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO chat (room, id, sender_id, sender_name, time, text) VALUES ($room, $id, $senderId, $senderName, $time, $text)";
            command.Parameters.AddWithValue("$room", room);
            command.Parameters.AddWithValue("$id", message.Id);
            command.Parameters.AddWithValue("$senderId", message.From.Id);
            command.Parameters.AddWithValue("$senderName", message.From.Name);
            command.Parameters.AddWithValue("$time", message.Time);
            command.Parameters.AddWithValue("$text", message.Text);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Checkpoints the WAL into the database file and closes it.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE);");
            }
            catch (SqliteException)
            {
                // Everything is committed already; a failed checkpoint only leaves the WAL file for the next open.
            }

            _connection.Dispose();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
