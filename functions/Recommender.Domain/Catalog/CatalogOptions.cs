namespace Recommender.Domain.Catalog;

/// <summary>Configuration section <c>Recommender:Catalog</c>: guards on catalog replacement.</summary>
public sealed class CatalogOptions
{
    public const string Section = "Recommender:Catalog";

    /// <value>
    /// The largest share (0 to 1) of the current products a catalog replacement may remove without an
    /// explicit confirmation (<c>PUT /api/admin/catalog?confirmRemoval=true</c>). Default 0.5.
    /// </value>
    public double MaxRemovedShare { get; set; } = 0.5;

    public bool IsValid => MaxRemovedShare is >= 0 and <= 1;
}
