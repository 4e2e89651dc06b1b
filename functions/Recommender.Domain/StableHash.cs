using System.Text;

namespace Recommender.Domain;

/// <summary>A hash that is the same in every process and version (unlike <see cref="string.GetHashCode()"/>).</summary>
public static class StableHash
{
    public static uint Fnv1a(string value)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }
}
