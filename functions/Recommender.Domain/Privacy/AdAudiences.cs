using Recommender.Domain.Profiles;

namespace Recommender.Domain.Privacy;

/// <summary>Hashed contact lists for an ad platform's customer-match upload.</summary>
public sealed record AdAudienceExport(DateTimeOffset ExportedAt, int Customers, IReadOnlyList<string> EmailSha256, IReadOnlyList<string> PhoneSha256)
{
    /// <summary>A segment's audience: the segment, and the segmentation run whose members it holds.</summary>
    public string? Segment { get; init; }
    public string? SegmentationRunId { get; init; }
}

/// <summary>
/// Ad audiences: SHA-256-hashed, normalized emails and E.164 phone numbers of the customers who granted
/// <c>ad_audiences</c> consent — nobody else, and never a minor — read shard by shard through the
/// customer directory. A segment's audience (<see cref="ExportSegmentAsync"/>) holds the members of the
/// segment in the latest segmentation run who pass the same gates — and, being members, may be profiled.
/// </summary>
public sealed class AdAudiences(ProfileStore profiles, Segments.SegmentQueries segments, TimeProvider timeProvider)
{
    public const string ConsentChannel = "ad_audiences";

    /// <summary>Whether a customer's hashed contacts may go to an ad platform: <c>ad_audiences</c> consent, not possibly a minor, no objection.</summary>
    public static bool MayExport(CustomerProfile profile, DateTimeOffset now) =>
        profile.HasConsent(ConsentChannel) && !profile.IsPossiblyMinor(now) && !profile.ObjectedToProfiling;

    /// <summary>The audience of one segment (<see cref="Segments.SegmentNames.IsValid"/>); null before any segmentation run completed.</summary>
    public async Task<AdAudienceExport?> ExportSegmentAsync(string segment, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var emails = new SortedSet<string>(StringComparer.Ordinal);
        var phones = new SortedSet<string>(StringComparer.Ordinal);
        var customers = 0;
        string? runId = null;
        string? continuation = null;
        do
        {
            // Members are checked against their current scores and profiling gate page by page; memory holds one page and the hashes.
            var page = await segments.MembersAsync(segment, Segments.SegmentQueries.MaxPageSize, continuation, cancellationToken).ConfigureAwait(false);
            if (page is null)
            {
                return null;
            }

            runId = page.RunId;
            foreach (var member in page.Members)
            {
                if (await profiles.GetAsync(member.CustomerId, cancellationToken).ConfigureAwait(false) is { } profile && MayExport(profile, now))
                {
                    customers++;
                    Add(profile, emails, phones);
                }
            }

            continuation = page.Continuation;
        }
        while (continuation is not null);

        return new AdAudienceExport(now, customers, [.. emails], [.. phones]) { Segment = segment, SegmentationRunId = runId };
    }

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
                if (await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false) is not { } profile || !MayExport(profile, now))
                {
                    continue;
                }

                customers++;
                Add(profile, emails, phones);
            }
        }

        return new AdAudienceExport(now, customers, [.. emails], [.. phones]);
    }

    private static void Add(CustomerProfile profile, SortedSet<string> emails, SortedSet<string> phones)
    {
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
