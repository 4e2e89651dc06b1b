namespace Recommender.Cli;

/// <summary>A malformed input file; the message names the file and, for a bad line, the line number.</summary>
public sealed class InputFormatException : Exception
{
    public InputFormatException()
    {
    }

    public InputFormatException(string message)
        : base(message)
    {
    }

    public InputFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
