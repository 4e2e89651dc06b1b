namespace Recommender.Functions.Security;

/// <summary>The storefront client a request was authenticated as (an HTTP feature); absent when the routes are open.</summary>
public sealed record StorefrontClient(string Name);
