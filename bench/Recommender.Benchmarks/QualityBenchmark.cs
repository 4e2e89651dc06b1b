using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Cli;
using Recommender.Models;
using Recommender.Models.Evaluation;

namespace Recommender.Benchmarks;

/// <summary>The arguments of <c>quality</c>.</summary>
public sealed record QualityOptions(string Input, string Format, IReadOnlyList<string> Protocols, string EventType, int K, TimeSpan TuningBudget, TimeSpan Timeout, string? Home = null, int Rounds = 1, double WarmUp = 0, string Holdout = "latest")
{
    public const string Usage =
        """
        quality --input FILE [--format tsv|csv] [--protocol random|latest|both] [--as purchase|view] [--k N] [--tuning-budget S] [--timeout S] [--home ALGORITHM] [--rounds N] [--warm-up SHARE] [--holdout latest|random]
          Served quality: for each protocol (random: 75/25 per customer, seed 42; latest: each customer's latest 25 %),
          starts the app (embedded, empty store), puts the catalog, grants consents and replays the training part through
          POST /api/events (as purchases by default), runs a retraining (POST /api/admin/retrain), fetches every customer's
          home list over HTTP and scores it on the held-out part, next to popularity, SAR, EASE, ALS and
          user-kNN (cosine, Jaccard) offline on the same split, and each gate candidate's nDCG@10. --home serves the home
          list from that training candidate (Recommender:Serving:PlacementAlgorithms:home) instead of the promoted model.
          --rounds 2 runs the retraining twice: the second run's gate compares its best candidate with the algorithm the first
          promoted (the paired interval), as in a store that already serves a model; the first round trains without the
          re-ranker candidate (Recommender:Training:ReRank), so the second judges adding it to a store serving a plain model.
          --warm-up 0.2 gives the bandit the feedback a live store gives it: the training part's first 80 % by time is
          replayed, the app trains, every customer's home list is fetched and its impression sent, then the last 20 % is
          replayed with each purchase line carrying the recommendation id of the list that showed the product (as a
          storefront echoes it); the usual retraining and scoring follow. Nothing of the held-out part is sent. Default 0.
          --holdout random sets Recommender:Training:Holdout: the app's gate and tuner hold out interactions drawn at random
          from each customer's history (the customer's whole taste) instead of their latest ones (what comes next, the default).
        """;

    public static QualityOptions Parse(ReadOnlySpan<string> args)
    {
        string? input = null;
        string format = "tsv", protocol = "both", type = "purchase";
        string? home = null;
        var holdout = "latest";
        int k = 10, budget = 30, timeout = 1800, rounds = 1;
        var warmUp = 0.0;
        for (var n = 0; n < args.Length; n++)
        {
            if (n + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[n]} needs a value");
            }

            var value = args[n + 1];
            switch (args[n])
            {
                case "--input": input = value; break;
                case "--format": format = value; break;
                case "--protocol": protocol = value; break;
                case "--as": type = value; break;
                case "--k": k = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--tuning-budget": budget = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--timeout": timeout = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--home": home = value; break;
                case "--rounds": rounds = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--warm-up": warmUp = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--holdout": holdout = value; break;
                default: throw new ArgumentException($"unknown option '{args[n]}'");
            }

            n++;
        }

        if (input is null || protocol is not ("random" or "latest" or "both") || type is not ("purchase" or "view") || format is not ("tsv" or "csv")
            || warmUp is < 0 or >= 1 || holdout is not ("latest" or "random"))
        {
            throw new ArgumentException("--input is required; --protocol is random, latest or both; --as is purchase or view; --format is tsv or csv; --warm-up is at least 0, below 1; --holdout is latest or random");
        }

        return new QualityOptions(input, format, protocol == "both" ? ["random", "latest"] : [protocol], type, k, TimeSpan.FromSeconds(budget), TimeSpan.FromSeconds(timeout), home, Math.Max(1, rounds), warmUp, holdout);
    }
}

/// <summary>
/// Measures what the HTTP API serves: the data set's training part goes in through the public API
/// exactly as a store would send it, the app trains (its own gate, tuning and refresh), and every
/// evaluated customer's home list is fetched over HTTP and scored with <see cref="ServedListScoring"/>
/// — the same metrics and users as the CLI's offline figures printed next to it.
/// </summary>
public sealed class QualityBenchmark(QualityOptions options, TextWriter progress)
{
    private const string CustomerPrefix = "q-";
    private const string ProductPrefix = "p-";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var data = InteractionFileReader.Read(options.Input, options.Format);
        progress.WriteLine($"{options.Input}: {data.Count:N0} interactions, {data.Select(i => i.User).Distinct().Count():N0} users, {data.Select(i => i.Item).Distinct().Count():N0} items");
        foreach (var protocol in options.Protocols)
        {
            IDataSplitter splitter = protocol == "random" ? new RandomSplitter(0.75, 42) : new LatestFractionSplitter(0.25);
            var split = splitter.Split(data);
            var set = EvaluationSet.Create(split, excludeSeen: true);
            var context = new TrainingContext(42, Task: protocol == "random" ? PredictionTask.HeldOutItems : PredictionTask.Next);
            var offline = new[] { "popularity", "sar", "ease", "als", "userknn-cosine", "userknn-jaccard", "sequential" }
                .Select(name => Evaluator.Evaluate(AlgorithmRegistry.Default.Create(name), set, options.K, context)).ToList();
            var clock = Stopwatch.StartNew();
            var (served, run) = await ServeAsync(split, set, cancellationToken);
            var sar = offline.Single(o => o.Algorithm == "sar");
            var best = offline.MaxBy(o => o.Ndcg)!;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{protocol}: {set.Users.Count} customers; served nDCG@{options.K} {served.Ndcg:F4} MAP@{options.K} {served.MapAtK:F4} ({served.Ndcg / sar.Ndcg:F2}× SAR, {served.Ndcg / best.Ndcg:P0} of best offline); " +
                $"offline: {string.Join(", ", offline.Select(o => $"{o.Algorithm} {o.Ndcg:F4}/{o.MapAtK:F4}"))} (nDCG/MAP@{options.K}); " +
                $"served model {run}; {served.Missing} lists missing; {clock.Elapsed.TotalSeconds:F0} s"));
        }

        return 0;
    }

    /// <summary>"; chosen settings k=v … (n trials)" of the promoted candidate, when the run tuned it.</summary>
    private static string ChosenSettings(JsonElement run, string? chosen)
    {
        if (chosen is null || !run.TryGetProperty("candidates", out var candidates))
        {
            return string.Empty;
        }

        var candidate = candidates.EnumerateArray().FirstOrDefault(c => c.GetProperty("algorithm").GetString() == chosen);
        if (candidate.ValueKind != JsonValueKind.Object || !candidate.TryGetProperty("settings", out var settings) || settings.ValueKind != JsonValueKind.Object)
        {
            return string.Empty;
        }

        var trials = candidate.TryGetProperty("tuning", out var tuning) && tuning.ValueKind == JsonValueKind.Object && tuning.TryGetProperty("trials", out var list)
            ? $" ({list.GetArrayLength()} trials)"
            : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"; {chosen} settings {string.Join(' ', settings.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetDouble():0.###}"))}{trials}");
    }

    private async Task<(ServedScore Score, string Run)> ServeAsync(DataSplit split, EvaluationSet set, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Recommender:QueuePump:Enabled"] = "true",
            ["Recommender:Scheduler:Enabled"] = "false",
            ["Recommender:Storefront:RequestsPerSecond"] = "10000000",
            ["Recommender:Training:TuningBudget"] = options.TuningBudget.ToString("c", CultureInfo.InvariantCulture),
            ["Recommender:Training:Holdout"] = options.Holdout,
        };
        if (options.Home is { } home)
        {
            settings["Recommender:Serving:PlacementAlgorithms:home"] = home;
        }

        await using var app = await BenchApp.StartAsync(StoreKind.Embedded, cancellationToken, extraSettings: settings);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };

        var items = split.Train.Select(i => i.Item).Concat(split.Test.Select(i => i.Item)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var catalog = items.Select(i => new { id = ProductPrefix + i, name = "item " + i, category = "all", price = 10m }).ToList();
        (await http.PutAsJsonAsync("/api/admin/catalog", catalog, cancellationToken)).EnsureSuccessStatusCode();

        var customers = split.Train.Select(i => i.User).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(customers, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (customer, ct) =>
        {
            foreach (var channel in new[] { "analytics", "personalization" })
            {
                (await http.PostAsJsonAsync($"/api/privacy/consents/{CustomerPrefix}{customer}",
                    new { channel, granted = true, policyVersion = "2026-01", source = "signup_form" }, ct)).EnsureSuccessStatusCode();
            }
        });

        // The data set's time span is moved into the last four weeks (the API refuses events older than 30 days); order is kept.
        var now = DateTimeOffset.UtcNow;
        var replay = ServedListScoring.Rescale(split.Train, now.AddDays(-28), now.AddMinutes(-5));
        var n = 0;
        var (first, rest) = options.WarmUp > 0 ? ServedListScoring.SplitByTime(replay, 1 - options.WarmUp) : (replay, []);
        await ReplayAsync(http, first, null, () => n++, cancellationToken);
        var summary = string.Empty;
        var reRank = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Recommender.Domain.Training.ReRankOptions>>().Value;
        var reRankEnabled = reRank.Enabled;
        if (rest.Count > 0)
        {
            // The bandit's feedback from a store that already serves: lists fetched after the first part, their impressions,
            // then the rest of the training part, each purchase line carrying the id of the list that showed the product.
            await RetrainAsync(http, "warm-up", cancellationToken);
            var active = first.Select(i => i.User).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            await WaitForCacheAsync(http, CustomerPrefix + active[^1], cancellationToken);
            var shown = await FetchAsync(http, active, cancellationToken);
            var at = first.Max(i => i.At).AddSeconds(1);
            var impressions = shown.Where(s => s.Value.Items.Count > 0).Select(s => (object)new
            {
                id = $"imp-{s.Key}",
                type = "recommendation_impression",
                customerId = CustomerPrefix + s.Key,
                recommendationId = s.Value.RecommendationId,
                placement = "home",
                productIds = s.Value.Items.Select(i => ProductPrefix + i).ToArray(),
                occurredAt = at,
            }).ToList();
            await PostAsync(http, impressions, "posted", "impressions", cancellationToken);

            string? ShownIn(Interaction i) => shown.TryGetValue(i.User, out var list) && list.Items.Contains(i.Item) ? list.RecommendationId : null;
            var attributed = rest.Where(i => ShownIn(i) is not null).GroupBy(i => shown[i.User].How, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            await ReplayAsync(http, rest, ShownIn, () => n++, cancellationToken);
            progress.WriteLine($"warm-up: {impressions.Count:N0} impressions ({string.Join(", ", shown.Values.GroupBy(s => s.How).Select(g => $"{g.Count()} × {g.Key}"))}); " +
                $"{attributed.Values.Sum():N0} of {rest.Count:N0} later purchase lines were in the list shown ({string.Join(", ", attributed.Select(a => $"{a.Value} from {a.Key}"))})");
        }

        for (var round = 1; round <= options.Rounds; round++)
        {
            reRank.Enabled = reRankEnabled && round == options.Rounds;
            summary = await RetrainAsync(http, round.ToString(CultureInfo.InvariantCulture), cancellationToken);
        }

        // The cache refresh fans out on the queue: wait until the last evaluated customer's list comes from the cache.
        await WaitForCacheAsync(http, CustomerPrefix + set.Users[^1].User, cancellationToken);
        var served = await FetchAsync(http, set.Users.Select(u => u.User).ToList(), cancellationToken);
        var lists = served.ToDictionary(s => s.Key, s => s.Value.Items, StringComparer.Ordinal);
        var madeBy = served.ToDictionary(s => s.Key, s => s.Value.How, StringComparer.Ordinal);
        // Each kind of list scored on its own customers: what the model's lists earn apart from the bandit's explorations.
        var byHow = ServedListScoring.ScoreBy(lists, madeBy, set, options.K);
        var sources = madeBy.Values.GroupBy(how => how, StringComparer.Ordinal).Select(g => (How: g.Key, Lists: g.Count())).OrderByDescending(s => s.Lists);
        progress.WriteLine($"served lists by source/strategy: {string.Join(", ", sources.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Lists} × {s.How} (nDCG@{options.K} {(byHow.TryGetValue(s.How, out var g) ? g.Ndcg : double.NaN):F4})")))}");
        // Served items the customer already interacted with in the replayed part (views are excluded from home lists for 30 days; the replay spans 28).
        var touched = split.Train.GroupBy(i => i.User, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(i => i.Item).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var servedItems = lists.Sum(l => l.Value.Count);
        var alreadyTouched = lists.Sum(l => touched.TryGetValue(l.Key, out var own) ? l.Value.Count(own.Contains) : 0);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"served items the customer already {(options.EventType == "view" ? "viewed" : "bought")} in the replayed part: {alreadyTouched:N0} of {servedItems:N0}"));
        return (ServedListScoring.Score(lists, set, options.K), summary);
    }

    /// <summary>A home list as served: its products (without the prefix), how it was made (source/strategy, explored) and its recommendation id.</summary>
    private sealed record Shown(IReadOnlyList<string> Items, string How, string RecommendationId);

    /// <summary>Replays <paramref name="interactions"/> through POST /api/events, each line attributed to <paramref name="shownIn"/>'s list id.</summary>
    private Task ReplayAsync(HttpClient http, IReadOnlyList<Interaction> interactions, Func<Interaction, string?>? shownIn, Func<int> next, CancellationToken cancellationToken) =>
        PostAsync(http, interactions.Select(i => Event(i, next(), shownIn?.Invoke(i))).ToList(), "replayed", $"training interactions as {options.EventType} events", cancellationToken);

    /// <summary>Posts <paramref name="events"/> through POST /api/events in batches of 100 and prints how many were accepted and why any were refused.</summary>
    private async Task PostAsync(HttpClient http, IReadOnlyList<object> events, string verb, string what, CancellationToken cancellationToken)
    {
        var accepted = 0;
        var rejected = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var batch in events.Chunk(100))
        {
            var response = await http.PostAsJsonAsync("/api/events", batch, cancellationToken);
            response.EnsureSuccessStatusCode();
            foreach (var result in (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("results").EnumerateArray())
            {
                if (result.GetProperty("accepted").GetBoolean())
                {
                    accepted++;
                }
                else
                {
                    var reason = result.TryGetProperty("error", out var e) ? e.ToString() : result.ToString();
                    rejected[reason] = rejected.GetValueOrDefault(reason) + 1;
                }
            }
        }

        progress.WriteLine($"{verb} {accepted:N0} of {events.Count:N0} {what}" +
            (rejected.Count > 0 ? $"; rejected: {string.Join("; ", rejected.Select(r => $"{r.Value} × {r.Key}"))}" : string.Empty));
    }

    /// <summary>Runs one retraining (POST /api/admin/retrain), waits for its end and returns the bench's one-line summary of it.</summary>
    private async Task<string> RetrainAsync(HttpClient http, string label, CancellationToken cancellationToken)
    {
        var started = await http.PostAsync("/api/admin/retrain", null, cancellationToken);
        started.EnsureSuccessStatusCode();
        var location = started.Headers.Location!;
        var runClock = Stopwatch.StartNew();
        JsonElement run;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            run = await http.GetFromJsonAsync<JsonElement>(location, cancellationToken);
        }
        while (run.GetProperty("status").GetString() is "queued" or "running" or "failed" && runClock.Elapsed < options.Timeout);

        var gate = run.TryGetProperty("candidates", out var candidates)
            ? string.Join(", ", candidates.EnumerateArray().Select(c => c.TryGetProperty("skipped", out var skipped) && skipped.ValueKind == JsonValueKind.String
                ? $"{c.GetProperty("algorithm").GetString()} skipped ({skipped.GetString()})"
                : string.Create(CultureInfo.InvariantCulture,
                    $"{c.GetProperty("algorithm").GetString()} {(c.GetProperty("metrics").TryGetProperty("ndcg@10", out var ndcg) ? ndcg.GetDouble() : double.NaN):F4}")))
            : "?";
        var chosenName = run.TryGetProperty("chosen", out var chosen) ? chosen.GetString() : null;
        var summary = $"{run.GetProperty("status").GetString()} {chosenName ?? "?"}: {(run.TryGetProperty("decision", out var decision) ? decision.GetString() : "")}; gate nDCG@10: {gate}" +
            ChosenSettings(run, chosenName) +
            (options.Home is { } served ? $"; home served by {served}{ChosenSettings(run, served)}" : string.Empty) +
            (run.TryGetProperty("holdout", out var holdout) ? $"; holdout {holdout.GetString()}" : string.Empty);
        progress.WriteLine($"training run {label} {summary} after {runClock.Elapsed.TotalSeconds:F0} s");
        return summary;
    }

    /// <summary>The cache refresh fans out on the queue: waits until <paramref name="customer"/>'s home list comes from the cache.</summary>
    private async Task WaitForCacheAsync(HttpClient http, string customer, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < options.Timeout)
        {
            var list = await http.GetFromJsonAsync<JsonElement>($"/api/recommendations/{customer}?placement=home&count={options.K}", cancellationToken);
            if (list.GetProperty("source").GetString() == "cache")
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>Every customer's home list over HTTP (four at a time); failed requests are counted and printed.</summary>
    private async Task<Dictionary<string, Shown>> FetchAsync(HttpClient http, IReadOnlyList<string> customers, CancellationToken cancellationToken)
    {
        var lists = new System.Collections.Concurrent.ConcurrentDictionary<string, Shown>(StringComparer.Ordinal);
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        await Parallel.ForEachAsync(customers, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (customer, ct) =>
        {
            var response = await http.GetAsync($"/api/recommendations/{CustomerPrefix}{customer}?placement=home&count={options.K}", ct);
            if (response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                var how = $"{body.GetProperty("source").GetString()}/{(body.TryGetProperty("strategy", out var strategy) ? strategy.GetString() : "-")}{(body.TryGetProperty("explored", out var explored) && explored.GetBoolean() ? " explored" : "")}";
                var items = body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("productId").GetString()![ProductPrefix.Length..]).ToList();
                lists[customer] = new Shown(items, how, body.GetProperty("recommendationId").GetString()!);
            }
            else
            {
                failures.AddOrUpdate((int)response.StatusCode, 1, (_, c) => c + 1);
            }
        });

        if (!failures.IsEmpty)
        {
            progress.WriteLine($"failed list requests: {string.Join(", ", failures.Select(f => $"{f.Value} × HTTP {f.Key}"))}");
        }

        return new Dictionary<string, Shown>(lists, StringComparer.Ordinal);
    }

    private object Event(Interaction interaction, int n, string? recommendationId) => options.EventType == "view"
        ? new { id = $"q{n}", type = "view", customerId = CustomerPrefix + interaction.User, productId = ProductPrefix + interaction.Item, occurredAt = interaction.At }
        : new
        {
            id = $"q{n}",
            type = "purchase",
            customerId = CustomerPrefix + interaction.User,
            orderId = $"o{n}",
            lines = new[] { new { productId = ProductPrefix + interaction.Item, quantity = 1, price = 10m, recommendationId } },
            currency = "EUR",
            occurredAt = interaction.At,
        };
}
