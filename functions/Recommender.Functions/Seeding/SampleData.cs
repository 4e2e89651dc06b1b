using System.Globalization;
using System.Text.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;

namespace Recommender.Functions.Seeding;

/// <summary>
/// A generated store: a catalog of products in a few categories and a clickstream of customers
/// who each prefer one or two categories (views, carts, purchases, consent), deterministic for a
/// seed. Used by the local run and by the tests, which must not depend on outside data.
/// </summary>
public static class SampleData
{
    private static readonly string[] Categories = ["shoes", "jackets", "shirts", "bags", "watches", "outdoor", "kitchen", "books"];
    private static readonly string[] Brands = ["northwind", "contoso", "fabrikam", "adventureworks", "tailspin"];

    public static IReadOnlyList<Product> Catalog(int productsPerCategory = 10, int seed = 42)
    {
        var random = new Random(seed);
        return Categories.SelectMany((category, c) => Enumerable.Range(1, productsPerCategory).Select(i =>
        {
            var id = $"{category[..3].ToUpperInvariant()}-{i:D3}";
            var price = Math.Round((decimal)(5 + random.NextDouble() * 195), 2);
            return new Product(id, $"{CultureInfo.InvariantCulture.TextInfo.ToTitleCase(category)} {i}", category, price,
                InStock: i % 17 != 0, Brand: Brands[(c + i) % Brands.Length],
                ImageUrl: $"https://cdn.example.com/img/{id}.jpg", Url: $"https://shop.example.com/p/{id}");
        })).ToList();
    }

    /// <summary>Event bodies (JSON text, as a storefront sends them) spread over the <paramref name="days"/> before <paramref name="now"/>.</summary>
    /// <param name="runId">
    /// Put in every event and order id (<c>ev-{runId}0000001</c>): the seeded store uses none, so a replay
    /// against it must pass its own (see <see cref="NewRunId"/>), or its events are the seeded ones again (duplicates).
    /// </param>
    public static IReadOnlyList<string> Clickstream(IReadOnlyList<Product> catalog, DateTimeOffset now, int customers = 300, int days = 14, int seed = 7, string runId = "")
    {
        var random = new Random(seed);
        var byCategory = catalog.GroupBy(p => p.Category).ToDictionary(g => g.Key, g => g.ToList());
        var categories = byCategory.Keys.ToList();
        var events = new List<(DateTimeOffset At, string Body)>();
        var sequence = 0;
        for (var c = 1; c <= customers; c++)
        {
            var customerId = $"customer-{c:D4}";
            var liked = new[] { categories[random.Next(categories.Count)], categories[random.Next(categories.Count)] };
            var at = now - TimeSpan.FromDays(days) + TimeSpan.FromMinutes(random.Next(60 * 24 * days / 2));
            // Most visitors accept analytics on the cookie banner (without it, behaviour feeds only anonymous aggregates).
            if (random.NextDouble() < 0.85)
            {
                events.Add((at, Serialize(new { id = $"ev-{runId}{++sequence:D7}", type = "consent", customerId, occurredAt = at, channel = "analytics", granted = true, policyVersion = "2026-01", source = "cookie_banner" })));
            }

            if (random.NextDouble() < 0.6)
            {
                events.Add((at, Serialize(new { id = $"ev-{runId}{++sequence:D7}", type = "consent", customerId, occurredAt = at, channel = "email", granted = true, policyVersion = "2026-01", source = "signup_form" })));
            }

            var sessions = 1 + random.Next(4);
            for (var s = 0; s < sessions && at < now; s++)
            {
                var viewed = new List<Product>();
                for (var v = 0; v < 2 + random.Next(6); v++)
                {
                    var pool = random.NextDouble() < 0.8 ? byCategory[liked[random.Next(liked.Length)]] : catalog;
                    // Products early in a category are bestsellers: a skewed pick makes co-occurrence meaningful.
                    var product = pool[(int)(Math.Pow(random.NextDouble(), 2) * pool.Count)];
                    at += TimeSpan.FromSeconds(20 + random.Next(300));
                    viewed.Add(product);
                    events.Add((at, Serialize(new { id = $"ev-{runId}{++sequence:D7}", type = "view", customerId, productId = product.Id, occurredAt = at, price = product.Price })));
                }

                if (random.NextDouble() < 0.5)
                {
                    var pick = viewed[random.Next(viewed.Count)];
                    at += TimeSpan.FromMinutes(1);
                    events.Add((at, Serialize(new { id = $"ev-{runId}{++sequence:D7}", type = "add_to_cart", customerId, productId = pick.Id, quantity = 1, occurredAt = at, price = pick.Price })));
                    if (random.NextDouble() < 0.6)
                    {
                        at += TimeSpan.FromMinutes(3);
                        events.Add((at, Serialize(new
                        {
                            id = $"ev-{runId}{++sequence:D7}", type = "purchase", customerId, orderId = $"order-{runId}{sequence:D7}", occurredAt = at,
                            lines = new[] { new { productId = pick.Id, quantity = 1, price = pick.Price } },
                        })));
                    }
                }

                at += TimeSpan.FromHours(6 + random.Next(48));
            }
        }

        return events.Where(e => e.At <= now).OrderBy(e => e.At).Select(e => e.Body).ToList();
    }

    /// <summary>A run id no other run shares (12 random hex digits and a dash), for <see cref="Clickstream"/>.</summary>
    public static string NewRunId() => Guid.NewGuid().ToString("N")[..12] + "-";

    private static string Serialize(object value) => JsonSerializer.Serialize(value, Json.Options);
}
