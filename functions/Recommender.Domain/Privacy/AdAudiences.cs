using Recommender.Domain.Profiles;

namespace Recommender.Domain.Privacy;

/// <summary>Hashed contact lists for an ad platform's customer-match upload.</summary>
public sealed record AdAudienceExport(DateTimeOffset ExportedAt, int Customers, IReadOnlyList<string> EmailSha256, IReadOnlyList<string> PhoneSha256);

/// <summary>
/// Ad audiences: SHA-256-hashed, normalized emails and E.164 phone numbers of the customers who granted
/// <c>ad_audiences</c> consent — nobody else, and never a minor — read shard by shard through the
/// customer directory.
/// </summary>
public sealed class AdAudiences(ProfileStore profiles, TimeProvider timeProvider)
{
    public const string ConsentChannel = "ad_audiences";

    public async Task<AdAudienceExport> ExportAsync(CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var emails = new SortedSet<string>(StringComparer.Ordinal);
        var phones = new SortedSet<string>(StringComparer.Ordinal);
        var customers = 0;
        foreach (var shard in ProfileStore.AllShards)
        {
            await foreach (var customerId in profiles.CustomersInShardAsync(shard, cancellationToken).ConfigureAwait(false))
            {
                if (await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false) is not { } profile
                    || !profile.HasConsent(ConsentChannel) || profile.IsPossiblyMinor(now) || profile.ObjectedToProfiling)
                {
                    continue;
                }

                customers++;
                if (profile.EmailSha256 is { } email)
                {
                    emails.Add(email);
                }

                if (profile.PhoneSha256 is { } phone)
                {
                    phones.Add(phone);
                }
            }
        }

        return new AdAudienceExport(now, customers, [.. emails], [.. phones]);
    }
}
