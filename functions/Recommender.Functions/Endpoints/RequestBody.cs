using System.Text;

namespace Recommender.Functions.Endpoints;

public static class RequestBody
{
    /// <summary>Reads the body as UTF-8, at most <paramref name="maxBytes"/>; <c>null</c> when it is larger.</summary>
    public static async Task<(string? Text, bool TooLarge)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, true);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, true);
            }

            buffer.Write(chunk, 0, read);
        }

        return (Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), false);
    }
}
