using Recommender.Domain.Events;
using static Recommender.Domain.Tests.Events.EventExamples;

namespace Recommender.Domain.Tests.Events;

/// <summary>Product, cart, wishlist, compare, checkout, purchase, return and delivery events.</summary>
public class CommerceEventTests
{
    [Fact]
    public void View_KeepsProductPriceCurrencyCategoryAndBrand()
    {
        var e = Valid(Json("view"));

        Assert.Equal(EventType.View, e.Type);
        Assert.Equal("c1", e.CustomerId);
        Assert.Equal("c1", e.SubjectId);
        Assert.Equal(("SHO-001", 59.9m, "EUR", "shoes", "Acme"), (e.ProductId, e.Price, e.Currency, e.Category, e.Brand));
        Assert.Equal(["SHO-001"], e.AllProductIds);
    }

    [Theory]
    [InlineData("add_to_cart", EventType.AddToCart, 2)]
    [InlineData("remove_from_cart", EventType.RemoveFromCart, 1)]
    public void CartEvents_KeepProductAndQuantity(string type, EventType expected, int quantity)
    {
        var e = Valid(Json(type));

        Assert.Equal((expected, "SHO-001", quantity), (e.Type, e.ProductId, e.Quantity));
    }

    [Fact]
    public void AddToCart_WithoutQuantity_IsOne() =>
        Assert.Equal(1, Valid(With("add_to_cart", "quantity", null)).Quantity);

    [Theory]
    [InlineData("wishlist_add", EventType.WishlistAdd)]
    [InlineData("wishlist_remove", EventType.WishlistRemove)]
    public void WishlistEvents_KeepTheProduct(string type, EventType expected)
    {
        var e = Valid(Json(type));

        Assert.Equal((expected, "SHO-001"), (e.Type, e.ProductId));
    }

    [Fact]
    public void Compare_KeepsTheProductsInOrder()
    {
        var e = Valid(Json("compare"));

        Assert.Equal(["SHO-001", "SHO-002", "SHO-003"], e.ProductIds!);
        Assert.Equal(["SHO-001", "SHO-002", "SHO-003"], e.AllProductIds);
    }

    [Fact]
    public void Compare_MoreThanTenProducts_IsRefused()
    {
        var ids = string.Join(",", Enumerable.Range(1, 11).Select(i => $"\"p{i}\""));

        Assert.Contains("productIds must be an array of 2 to 10 ids", Validate(With("compare", "productIds", $"[{ids}]")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckoutStart_KeepsCartValueAndCurrency()
    {
        var e = Valid(Json("checkout_start"));

        Assert.Equal((EventType.CheckoutStart, 119.8m, "EUR"), (e.Type, e.CartValue, e.Currency));
    }

    [Fact]
    public void CheckoutStart_WithNothingButTheEnvelope_IsValid() =>
        Assert.Null(Valid(With("checkout_start", "cartValue", null)).CartValue);

    [Fact]
    public void Purchase_KeepsLinesAndAmounts()
    {
        var e = Valid(Json("purchase"));

        Assert.Equal("o-1", e.OrderId);
        Assert.Equal([new OrderLine("SHO-001", 2, 59.9m)], e.Lines!);
        Assert.Equal((119.8m, 20m, 4.9m, 10m, 134.7m, "EUR"), (e.Subtotal, e.Tax, e.Shipping, e.Discount, e.Total, e.Currency));
    }

    [Fact]
    public void Purchase_TotalOfZero_IsAccepted() =>
        Assert.Equal(0m, Valid(With("purchase", "total", "0")).Total);

    [Fact]
    public void Return_KeepsLinesWithoutPriceReasonAndRefund()
    {
        var e = Valid(Json("return"));

        Assert.Equal(EventType.Return, e.Type);
        Assert.Equal([new OrderLine("SHO-001", 1, null)], e.Lines!);
        Assert.Equal((ReturnReason.WrongItem, 59.9m, "EUR"), (e.Reason, e.RefundAmount, e.Currency));
    }

    [Fact]
    public void Return_LineFieldsOutsideTheSchema_AreDroppedAndReported()
    {
        var result = Validate(With("return", "lines", """[{"productId":"SHO-001","quantity":1,"note":"the box was wet"}]"""));

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(["lines[0].note"], result.DroppedFields);
    }

    [Fact]
    public void Delivery_KeepsOrderAndDeliveredProducts_AndIsAnOrderRecord()
    {
        var e = Valid(Json("delivery"));

        Assert.Equal((EventType.Delivery, "c1", "o-1"), (e.Type, e.CustomerId, e.OrderId));
        Assert.Equal(["SHO-001", "SHO-002"], e.AllProductIds);
        Assert.Equal(Retention.DataClass.Orders, Retention.RetentionOptions.ClassOf(e.Type));
    }

    [Fact]
    public void Delivery_WithoutProductIds_IsAccepted() =>
        Assert.Empty(Valid(With("delivery", "productIds", null)).AllProductIds);

    [Fact]
    public void Delivery_OfAnAnonymousVisitor_IsRefused() =>
        Assert.Contains("customerId is required for delivery", Validate(With("delivery", "customerId", null).Replace("\"type\"", "\"anonymousId\":\"v1\",\"type\"", StringComparison.Ordinal)).Error, StringComparison.Ordinal);

    [Fact]
    public void Delivery_LineFieldsAndPrivateDataOutsideTheSchema_AreDroppedAndReported()
    {
        var result = Validate(With("delivery", "address", "\"12 rue de la Paix\"").Replace("}", ",\"context\":{\"ip\":\"203.0.113.77\",\"latitude\":48.8}}", StringComparison.Ordinal));

        Assert.True(result.IsValid, result.Error);
        Assert.Equal("203.0.113.0", result.Event.Context!.Ip);
        Assert.Equal(["address", "context.latitude"], result.DroppedFields.Order(StringComparer.Ordinal));
    }
}
