using NUnit.Framework;
using Osprey.Sched.Analysis;

namespace Osprey.Tests.Analysis
{
    [TestFixture]
    public class AnalysisTests
    {
        const long Ms = 1000000;

        static AnalysisTask T(string name, long c, long t, long d = 0, int prio = 0)
        {
            return AnalysisTask.Make(name, c, t, d == 0 ? t : d, prio);
        }

        // ---------------------------------------------------------------- wide math

        [Test]
        public void MulDivAndProducts()
        {
            ulong q;
            Assert.That(WideMath.MulDiv(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, false, out q), Is.True);
            Assert.That(q, Is.EqualTo(ulong.MaxValue));
            Assert.That(WideMath.MulDiv(10, 10, 3, false, out q) && q == 33, Is.True);
            Assert.That(WideMath.MulDiv(10, 10, 3, true, out q) && q == 34, Is.True);
            Assert.That(WideMath.MulDiv(ulong.MaxValue, 2, 1, false, out q), Is.False);
            Assert.That(WideMath.MulDiv(1, 1, 0, false, out q), Is.False);
            Assert.That(WideMath.CompareProducts(1UL << 40, 1UL << 40, 1UL << 60, 1UL << 20), Is.EqualTo(0));
            Assert.That(WideMath.CompareProducts(3, 5, 2, 7), Is.EqualTo(1));
            ulong l;
            Assert.That(WideMath.Lcm(4, 6, 100, out l) && l == 12, Is.True);
            Assert.That(WideMath.Lcm(1UL << 40, 3UL << 30, 1UL << 41, out l), Is.False);
        }

        [Test]
        public void UtilizationExactAndBounds()
        {
            Utilization u = Utilization.Zero();
            u.Add(1, 3); u.Add(1, 3); u.Add(1, 3);
            Assert.That(u.Exact, Is.True);
            Assert.That(u.Num, Is.EqualTo(1UL));
            Assert.That(u.Den, Is.EqualTo(1UL));
            Assert.That(u.CompareTo(1, 1), Is.EqualTo(0));
            // Large coprime denominators leave exact arithmetic but still decide far from the bound.
            Utilization v = Utilization.Zero();
            ulong[] primes = { 1000000007, 1000000009, 1000000021, 1000000033, 1000000087 };
            foreach (ulong p in primes) v.Add(p / 10, p);
            Assert.That(v.Exact, Is.False);
            Assert.That(v.CompareTo(1, 1), Is.EqualTo(-1));
            Assert.That(v.CompareTo(1, 3), Is.EqualTo(1));
            Assert.That(v.Ppb(), Is.InRange(499999990L, 500000000L));
        }

        // ---------------------------------------------------------------- Liu-Layland

        [TestCase(1, 1000000000L)]
        [TestCase(2, 828427124L)]
        [TestCase(3, 779763149L)]
        [TestCase(4, 756828460L)]
        [TestCase(5, 743491774L)]
        [TestCase(10, 717734625L)]
        [TestCase(100, 695555005L)]
        public void LiuLaylandBound(int n, long ppb)
        {
            long got = FpAnalysis.LiuLaylandBoundPpb(n);
            // Rounded down, never above the true value; at most 1 ppb below it.
            Assert.That(got, Is.InRange(ppb - 1, ppb));
        }

        [Test]
        public void LiuLaylandVerdicts()
        {
            var r = new AnalysisResult();
            // U = 0.75 <= 0.7797 for 3 tasks.
            FpAnalysis.LiuLaylandTest(new[] { T("a", 1, 4), T("b", 1, 4), T("c", 1, 4) }, 3, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable));
            // Buttazzo's set U = 0.883: above the bound, inconclusive (RTA accepts it).
            var s = new[] { T("t1", 1, 4, 0, 1), T("t2", 2, 6, 0, 2), T("t3", 3, 10, 0, 3) };
            FpAnalysis.LiuLaylandTest(s, 3, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Inconclusive));
            Assert.That(r.Describe(), Does.Contain("sufficient"));
            FpAnalysis.ResponseTimeTest(s, 3, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable));
        }

        // ---------------------------------------------------------------- response time

        [Test]
        public void ResponseTimesTextbook()
        {
            // Burns & Wellings: a(3,7) b(3,12) c(5,20): R = 3, 6, 20.
            var s = new[] { T("a", 3 * Ms, 7 * Ms, 0, 1), T("b", 3 * Ms, 12 * Ms, 0, 2), T("c", 5 * Ms, 20 * Ms, 0, 3) };
            var r = new AnalysisResult(3);
            FpAnalysis.ResponseTimeTest(s, 3, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable));
            Assert.That(r.ResponseTimes, Is.EqualTo(new[] { 3 * Ms, 6 * Ms, 20 * Ms }));
            Assert.That(r.ResponseTime, Is.EqualTo(20 * Ms));
        }

        [Test]
        public void ResponseTimeButtazzo()
        {
            var s = new[] { T("t1", 1, 4, 0, 1), T("t2", 2, 6, 0, 2), T("t3", 3, 10, 0, 3) };
            var r = new AnalysisResult(3);
            FpAnalysis.ResponseTimeTest(s, 3, r);
            Assert.That(r.ResponseTimes, Is.EqualTo(new long[] { 1, 3, 10 }));
        }

        [Test]
        public void ResponseTimeRejectionNamesTaskAndTime()
        {
            // t2: R = 4 + ceil(R/5)*2: 6 -> 8 > 7.
            var s = new[] { T("t1", 2 * Ms, 5 * Ms, 0, 1), T("t2", 4 * Ms, 7 * Ms, 0, 2), T("t3", 1 * Ms, 35 * Ms, 0, 3) };
            var r = new AnalysisResult(3);
            FpAnalysis.ResponseTimeTest(s, 3, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(r.FailingName, Is.EqualTo("t2"));
            Assert.That(r.FailingTask, Is.EqualTo(1));
            Assert.That(r.ResponseTime, Is.EqualTo(8 * Ms));
            Assert.That(r.Deadline, Is.EqualTo(7 * Ms));
            Assert.That(r.Describe(), Is.EqualTo("FP response-time analysis: NOT schedulable: task 't2' response time 8ms > deadline 7ms"));
            Assert.That(r.ResponseTimes[0], Is.EqualTo(2 * Ms));
            Assert.That(r.ResponseTimes[1], Is.EqualTo(-1));
        }

        [Test]
        public void ResponseTimeOrderIndependentOfArrayOrder()
        {
            var s = new[] { T("c", 5, 20, 0, 3), T("a", 3, 7, 0, 1), T("b", 3, 12, 0, 2) };
            var r = new AnalysisResult(3);
            FpAnalysis.ResponseTimeTest(s, 3, r);
            Assert.That(r.ResponseTimes, Is.EqualTo(new long[] { 20, 3, 6 }));
        }

        [Test]
        public void ResponseTimeConstrainedDeadline()
        {
            // c's R = 20 exceeds D = 18.
            var s = new[] { T("a", 3, 7, 0, 1), T("b", 3, 12, 0, 2), T("c", 5, 20, 18, 3) };
            var r = new AnalysisResult();
            FpAnalysis.ResponseTimeTest(s, 3, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(r.FailingName, Is.EqualTo("c"));
            Assert.That(r.ResponseTime, Is.GreaterThan(18));
        }

        [Test]
        public void EmptySetsAreSchedulable()
        {
            var r = new AnalysisResult();
            FpAnalysis.ResponseTimeTest(new AnalysisTask[0], 0, r);
            Assert.That(r.Accepted, Is.True);
            EdfAnalysis.Test(new AnalysisTask[0], 0, r);
            Assert.That(r.Accepted, Is.True);
            EdfAnalysis.DemandTest(new AnalysisTask[0], 0, r);
            Assert.That(r.Accepted, Is.True);
        }

        // ---------------------------------------------------------------- EDF

        [Test]
        public void EdfUtilizationExactAtOne()
        {
            var s = new[] { T("t1", 2 * Ms, 5 * Ms), T("t2", 4 * Ms, 7 * Ms), T("t3", 1 * Ms, 35 * Ms) };
            var r = new AnalysisResult();
            EdfAnalysis.UtilizationTest(s, 3, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable));
            Assert.That(r.UtilNum, Is.EqualTo(1UL));
            Assert.That(r.UtilDen, Is.EqualTo(1UL));
            Assert.That(r.Describe(), Does.StartWith("EDF utilization test: schedulable: U = 1"));
        }

        [Test]
        public void EdfUtilizationOverloadNamesFirstFailingDeadline()
        {
            // Demand at deadlines 4:2 6:5 8:7 12:13 > 12.
            var s = new[] { T("a", 2, 4), T("b", 3, 6), T("c", 1, 12) };
            var r = new AnalysisResult();
            EdfAnalysis.UtilizationTest(s, 3, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(r.TimePoint, Is.EqualTo(12));
            Assert.That(r.Demand, Is.EqualTo(13));
            Assert.That(r.FailingTask, Is.EqualTo(0));
            Assert.That(r.UtilNum, Is.EqualTo(13UL));
            Assert.That(r.UtilDen, Is.EqualTo(12UL));
        }

        [Test]
        public void DemandAtPoints()
        {
            // (C,T,D): (1,4,2) (2,6,4) (3,8,7)
            var s = new[] { T("a", 1, 4, 2), T("b", 2, 6, 4), T("c", 3, 8, 7) };
            Assert.That(EdfAnalysis.Demand(s, 3, 1), Is.EqualTo(0));
            Assert.That(EdfAnalysis.Demand(s, 3, 2), Is.EqualTo(1));
            Assert.That(EdfAnalysis.Demand(s, 3, 4), Is.EqualTo(3));
            Assert.That(EdfAnalysis.Demand(s, 3, 6), Is.EqualTo(4));
            Assert.That(EdfAnalysis.Demand(s, 3, 7), Is.EqualTo(7));
            Assert.That(EdfAnalysis.Demand(s, 3, 10), Is.EqualTo(10));
            Assert.That(EdfAnalysis.Demand(s, 3, 15), Is.EqualTo(4 + 4 + 6));
            Assert.That(EdfAnalysis.DeadlineBefore(s, 3, 7), Is.EqualTo(6));
            Assert.That(EdfAnalysis.DeadlineBefore(s, 3, 2), Is.EqualTo(-1));
            Assert.That(EdfAnalysis.DeadlineAfter(s, 3, 7), Is.EqualTo(10));
            var r = new AnalysisResult();
            EdfAnalysis.DemandTest(s, 3, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable), r.Describe());
            Assert.That(r.TestInterval, Is.GreaterThan(0));
        }

        [Test]
        public void DemandTestRejectsWhereUtilizationWouldAccept()
        {
            // U = 5/6 but h(3) = 4 > 3: b's first job misses at t = 3.
            var s = new[] { T("a", 2, 4, 2), T("b", 2, 6, 3) };
            var r = new AnalysisResult();
            EdfAnalysis.DemandTest(s, 2, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(r.TimePoint, Is.EqualTo(3));
            Assert.That(r.Demand, Is.EqualTo(4));
            Assert.That(r.FailingName, Is.EqualTo("b"));
            Assert.That(r.Describe(), Does.Contain("demand 4ns > 3ns at t = 3ns (deadline of task 'b')"));
            // Test() picks the demand test because deadlines are constrained.
            EdfAnalysis.Test(s, 2, r);
            Assert.That(r.Test, Is.EqualTo(AnalysisTest.EdfDemand));
        }

        [Test]
        public void DemandTestLateFailure()
        {
            // Fails only at t = 20 after many fine deadlines: (C,T,D) = (1,5,5) x3... use known set.
            // a(2,10,10) b(3,10,10) c(4,20,6): h(6)=4, h(10)=9, h(20)=14, h(26)=18 ... U = 0.7
            var s = new[] { T("a", 2, 10, 10), T("b", 3, 10, 10), T("c", 4, 20, 6) };
            var r = new AnalysisResult();
            EdfAnalysis.DemandTest(s, 3, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable));
            // Tighten c so that h(6) = 7 > 6.
            s[2] = T("c", 7, 20, 6);
            EdfAnalysis.DemandTest(s, 3, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(r.TimePoint, Is.EqualTo(6));
            Assert.That(r.FailingName, Is.EqualTo("c"));
        }

        [Test]
        public void DemandTestAtUtilizationOneUsesFallbackInterval()
        {
            // U = 1 with constrained deadlines that still work: (1,2,2) (1,4,3) (1,4,4).
            var s = new[] { T("a", 1, 2, 2), T("b", 1, 4, 3), T("c", 1, 4, 4) };
            var r = new AnalysisResult();
            EdfAnalysis.DemandTest(s, 3, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable), r.Describe());
            Assert.That(r.TestInterval, Is.GreaterThanOrEqualTo(4));
            // U = 1 failing: (1,2,1) (1,2,1): two jobs due at t = 1.
            var f = new[] { T("a", 1, 2, 1), T("b", 1, 2, 1) };
            EdfAnalysis.DemandTest(f, 2, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(r.TimePoint, Is.EqualTo(1));
            Assert.That(r.Demand, Is.EqualTo(2));
        }

        [Test]
        public void BusyPeriodAndHyperperiod()
        {
            var s = new[] { T("a", 1, 4), T("b", 2, 6), T("c", 3, 10) };
            int steps;
            Assert.That(EdfAnalysis.BusyPeriod(s, 3, 1000, out steps), Is.EqualTo(10));
            Assert.That(EdfAnalysis.Hyperperiod(s, 3, 1000), Is.EqualTo(60));
            Assert.That(EdfAnalysis.Hyperperiod(s, 3, 59), Is.EqualTo(-1));
            var over = new[] { T("a", 3, 4), T("b", 3, 6) };
            Assert.That(EdfAnalysis.BusyPeriod(over, 2, 1000, out steps), Is.EqualTo(-1));
        }

        [Test]
        public void BadParametersAreInconclusiveNotCrashes()
        {
            var r = new AnalysisResult();
            EdfAnalysis.Test(new[] { T("z", 1, 0, 1) }, 1, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Inconclusive));
            Assert.That(r.FailingName, Is.EqualTo("z"));
            FpAnalysis.ResponseTimeTest(new[] { T("z", 1, 0, 1) }, 1, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Inconclusive));
        }

        // ---------------------------------------------------------------- CBS

        [Test]
        public void CbsBandwidth()
        {
            var s = new[] { T("s1", 2 * Ms, 10 * Ms), T("s2", 3 * Ms, 10 * Ms), T("s3", 4 * Ms, 6 * Ms) };
            var r = new AnalysisResult();
            CbsAnalysis.BandwidthTest(s, 3, 1, 1, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(r.FailingName, Is.EqualTo("s3"));
            Assert.That(r.UtilPpb, Is.EqualTo(1166666666L));
            // exactly 1.0 is within a bound of 1
            s[2] = T("s3", 3 * Ms, 6 * Ms);
            CbsAnalysis.BandwidthTest(s, 3, 1, 1, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable));
            CbsAnalysis.BandwidthTest(s, 2, 1, 2, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable));
            Assert.That(r.Describe(), Is.EqualTo("CBS bandwidth check: schedulable: bandwidth 0.5 <= 0.5"));
            CbsAnalysis.BandwidthTest(s, 3, 9, 10, r);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(r.FailingName, Is.EqualTo("s3"));
        }

        [Test]
        public void CbsIncrementalAdmission()
        {
            Utilization u = Utilization.Zero();
            Assert.That(CbsAnalysis.Admit(ref u, 30, 100, 9, 10), Is.True);
            Assert.That(CbsAnalysis.Admit(ref u, 60, 100, 9, 10), Is.True);
            Assert.That(CbsAnalysis.Admit(ref u, 1, 100, 9, 10), Is.False);
            Assert.That(u.Num, Is.EqualTo(9UL));
            Assert.That(u.Den, Is.EqualTo(10UL));
        }

        [Test]
        public void AnalysisDoesNotAllocate()
        {
            var s = new[] { T("a", 1, 4, 2), T("b", 2, 6, 4), T("c", 3, 8, 7) };
            var r = new AnalysisResult(3);
            EdfAnalysis.DemandTest(s, 3, r);
            FpAnalysis.ResponseTimeTest(s, 3, r);
            long before = System.GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                EdfAnalysis.DemandTest(s, 3, r);
                EdfAnalysis.UtilizationTest(s, 3, r);
                FpAnalysis.ResponseTimeTest(s, 3, r);
                FpAnalysis.LiuLaylandTest(s, 3, r);
                CbsAnalysis.BandwidthTest(s, 3, 1, 1, r);
            }
            Assert.That(System.GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        }

        [Test]
        public void FormatHelpers()
        {
            Assert.That(Format.Time(1500000), Is.EqualTo("1.5ms"));
            Assert.That(Format.Time(7), Is.EqualTo("7ns"));
            Assert.That(Format.Time(2000000000), Is.EqualTo("2s"));
            Assert.That(Format.Time(1001), Is.EqualTo("1.001us"));
            Assert.That(Format.Ppb(950000000), Is.EqualTo("0.95"));
            Assert.That(Format.Ppb(1000000000), Is.EqualTo("1"));
        }
    }
}
