using System.Net;
using Azure;

namespace Recommender.Adapters.Azure;

internal static class StorageErrors
{
    public static bool IsConflict(RequestFailedException exception) =>
        exception.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed;

    public static bool IsNotFound(RequestFailedException exception) => exception.Status == (int)HttpStatusCode.NotFound;
}
