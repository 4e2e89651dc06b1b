namespace Recommender.Adapters.Embedded;

/// <summary>
/// Another document store (in this process or another, e.g. a second app instance) holds the lock on
/// the database of the data folder. The message is one line a person can act on.
/// </summary>
public sealed class DataFolderInUseException : IOException
{
    public DataFolderInUseException()
    {
    }

    public DataFolderInUseException(string message)
        : base(message)
    {
    }

    public DataFolderInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
