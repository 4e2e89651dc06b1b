using Recommender.Domain.Experiments;

namespace Recommender.Domain.Tests.Experiments;

public class ExperimentReportTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static ExperimentDefinition Experiment(double controlWeight = 1, double treatmentWeight = 1) => new()
    {
        Id = "exp-1",
        Placement = "home",
        Variants = [new ExperimentVariant("control", controlWeight), new ExperimentVariant("treatment", treatmentWeight)],
        StartsAt = Start,
        EndsAt = Start.AddDays(14),
    };

    private static ExperimentReport Report(ExperimentDefinition experiment, long controlUsers, long treatmentUsers) =>
        ExperimentReport.Create(experiment, new Dictionary<string, VariantCounters>
        {
            ["control"] = new() { Variant = "control", Users = controlUsers },
            ["treatment"] = new() { Variant = "treatment", Users = treatmentUsers },
        }, new Dictionary<string, RevenueMoments>(), Start.AddDays(1));

    [Fact]
    public void Srm_FiftyFifty_5000Vs4500_IsFlagged()
    {
        var report = Report(Experiment(), 5000, 4500);

        Assert.True(report.Srm);
        Assert.InRange(report.SrmPValue!.Value, 0, ExperimentReport.SrmThreshold);
        Assert.Equal(26.3158, report.SrmChiSquare!.Value, 1e-4);
    }

    [Fact]
    public void Srm_FiftyFifty_5000Vs4950_IsNotFlagged()
    {
        var report = Report(Experiment(), 5000, 4950);

        Assert.False(report.Srm);
        Assert.Equal(0.6163, report.SrmPValue!.Value, 1e-3);
    }

    [Fact]
    public void Srm_UsesTheConfiguredWeights()
    {
        Assert.False(Report(Experiment(90, 10), 9000, 1010).Srm);
        Assert.True(Report(Experiment(1, 1), 9000, 1010).Srm);
    }

    [Fact]
    public void Create_NoUsersYet_HasNoRatesAndNoSrm()
    {
        var report = Report(Experiment(), 0, 0);

        Assert.False(report.Srm);
        Assert.Null(report.SrmPValue);
        Assert.All(report.Variants, v => Assert.Null(v.Conversion));
        Assert.Equal("running", report.Status);
    }

    [Fact]
    public void Create_ComputesRatesIntervalsAndComparisonWithControl()
    {
        var counters = new Dictionary<string, VariantCounters>
        {
            ["control"] = new() { Variant = "control", Users = 100, Impressions = 400, Clicks = 40, Conversions = 10, Orders = 12, Revenue = 600 },
            ["treatment"] = new() { Variant = "treatment", Users = 100, Impressions = 400, Clicks = 60, Conversions = 20, Orders = 20, Revenue = 1000 },
        };
        // control: 10 users bought 60 each, 90 nothing; treatment: 20 users bought 50 each, 80 nothing
        var revenue = new Dictionary<string, RevenueMoments>
        {
            ["control"] = new(100, 600, 10 * 60.0 * 60),
            ["treatment"] = new(100, 1000, 20 * 50.0 * 50),
        };

        var report = ExperimentReport.Create(Experiment(), counters, revenue, Start.AddDays(20));

        Assert.Equal("ended", report.Status);
        var control = report.Variants[0];
        var treatment = report.Variants[1];
        Assert.Null(control.VsControl);
        Assert.Equal(0.1, control.Ctr!.Value, 12);
        Assert.Equal(ExperimentStatistics.Wilson(40, 400).Low, control.Ctr.Low!.Value, 12);
        Assert.Equal(0.2, treatment.Conversion!.Value, 12);
        Assert.Equal(ExperimentStatistics.Wilson(20, 100).High, treatment.Conversion.High!.Value, 12);
        Assert.Equal(6, control.RevenuePerUser!.Value, 12);
        var variance = ((10 * 3600.0) - (600.0 * 600 / 100)) / 99;
        Assert.Equal(6 - (ExperimentStatistics.Z95 * Math.Sqrt(variance / 100)), control.RevenuePerUser.Low!.Value, 9);
        Assert.Equal(0.1, treatment.VsControl!.ConversionDifference, 12);
        Assert.Equal(ExperimentStatistics.TwoProportionPValue(20, 100, 10, 100), treatment.VsControl.ConversionPValue);
        Assert.Equal(4, treatment.VsControl.RevenuePerUserDifference.Value, 12);
        Assert.Equal(0.5, control.ExpectedShare);
        Assert.Equal(0.5, control.ObservedShare);
    }
}
