using System.Diagnostics;
using NUnit.Framework;
using Osprey.Sched.Analysis;

namespace Osprey.Tests.Analysis
{
    /// <summary>Every analysis answers in bounded time whatever the numbers (AnalysisLimits).</summary>
    [TestFixture]
    public class BoundedAnalysisTests
    {
        const long Us = 1000, Ms = 1000000, S = 1000000000;

        static AnalysisTask T(string name, long c, long t, long d = 0, int prio = 0)
        {
            return AnalysisTask.Make(name, c, t, d == 0 ? t : d, prio);
        }

        static AnalysisResult Timed(System.Action<AnalysisResult> test, int n)
        {
            var r = new AnalysisResult(n);
            var sw = Stopwatch.StartNew();
            test(r);
            Assert.That(sw.Elapsed.TotalMilliseconds, Is.LessThan(1000), r.Describe());
            return r;
        }

        [Test]
        public void MoreUrgentLoadOfExactly100PercentIsRejectedAtOnce()
        {
            // A 1 ms task using all of the CPU beside a 1,000,000 s one: without a bound the iteration
            // climbs 1 ms per step towards the 10^6 s deadline.
            var set = new[] { T("fast", 1 * Ms, 1 * Ms, 0, 1), T("slow", 1 * Ms, 1000000 * S, 0, 2) };
            var r = Timed(x => FpAnalysis.ResponseTimeTest(set, 2, x), 2);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.NotSchedulable));
            Assert.That(r.FailingName, Is.EqualTo("slow"));
            Assert.That(r.Describe(), Does.Contain("never completes"));
            Assert.That(r.Steps, Is.LessThan(10));
        }

        [Test]
        public void LongIterationsStopAtTheStepLimitAndUseTheClosedFormBound()
        {
            // h leaves 1 ns of every 10 ms: l (2^30 ns of work) needs 2^30 periods of h, one iteration
            // step each. The closed-form bound (C_l + C_h) / (1 - U_h) is about 1.08e16 ns < D = 2^59.
            var set = new[] { T("h", 10 * Ms - 1, 10 * Ms, 0, 1), T("l", 1L << 30, 1L << 59, 0, 2) };
            var r = Timed(x => FpAnalysis.ResponseTimeTest(set, 2, x), 2);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable), r.Describe());
            Assert.That(r.Bounded, Is.True);
            Assert.That(r.Describe(), Does.Contain("worst R = at most"));
            long exact = (1L << 30) * 10 * Ms + (1L << 30);   // k = 2^30 periods of h, plus l's own work
            Assert.That(r.ResponseTimes[1], Is.GreaterThanOrEqualTo(exact - 10 * Ms));
            Assert.That(r.ResponseTimes[1], Is.LessThan(exact + exact / 100));
            Assert.That(r.Steps, Is.LessThanOrEqualTo((int)AnalysisLimits.MaxWork));

            // The same with a deadline below the bound but far above the first iterates: inconclusive, and why.
            var tight = new[] { T("h", 10 * Ms - 1, 10 * Ms, 0, 1), T("l", 1L << 30, 1L << 59, 1L << 50, 2) };
            var r2 = Timed(x => FpAnalysis.ResponseTimeTest(tight, 2, x), 2);
            Assert.That(r2.Verdict, Is.EqualTo(AnalysisVerdict.Inconclusive), r2.Describe());
            Assert.That(r2.Reason, Does.StartWith("because the response-time iteration reached its step limit"));
            Assert.That(r2.FailingName, Is.EqualTo("l"));
            Assert.That(r2.Describe(), Does.StartWith("FP response-time analysis: inconclusive: task 'l': "));
        }

        [Test]
        public void BoundedAnswerAgreesWithTheExactOneWhereBothExist()
        {
            // Small enough to converge: Bounded is false and R is exact.
            var set = new[] { T("a", 1 * Ms, 4 * Ms, 0, 1), T("b", 2 * Ms, 8 * Ms, 0, 2), T("c", 1 * Ms, 10 * Ms, 0, 3) };
            var r = Timed(x => FpAnalysis.ResponseTimeTest(set, 3, x), 3);
            Assert.That(r.Verdict, Is.EqualTo(AnalysisVerdict.Schedulable));
            Assert.That(r.Bounded, Is.False);
            Assert.That(r.ResponseTimes, Is.EqualTo(new long[] { 1 * Ms, 3 * Ms, 4 * Ms }));
            // The closed-form bound is above the exact response time.
            Assert.That(FpAnalysis.ResponseTimeUpperBound(set, 3, 2), Is.GreaterThanOrEqualTo(4 * Ms));
        }

        [Test]
        public void HugePhasedTaskBesideAnOrdinarySet()
        {
            long huge = 1L << 60;
            var set = new[] { T("a", 1 * Ms, 4 * Ms, 0, 1), T("b", 2 * Ms, 8 * Ms, 3 * Ms, 2), T("c", 1 * Ms, 10 * Ms, 0, 3), T("d", 1 * Ms, huge, huge - 1, 4) };
            Timed(x => FpAnalysis.ResponseTimeTest(set, 4, x), 4);
            Timed(x => EdfAnalysis.Test(set, 4, x), 4);
            Timed(x => EdfAnalysis.DemandTest(set, 4, x), 4);
            Timed(x => FpAnalysis.LiuLaylandTest(set, 4, x), 4);
        }

        [Test]
        public void DemandTestNearUtilizationOneIsInconclusiveInBoundedTime()
        {
            // U = 1 - 2^-40 with co-prime huge periods: no short test interval exists.
            long t1 = (1L << 40) + 1, t2 = (1L << 41) - 1;
            var set = new[] { T("a", t1 / 2, t1, t1 - 5, 1), T("b", t2 / 2, t2, t2 / 3, 2), T("c", 1, 1L << 50, 1L << 30, 3) };
            var r = Timed(x => EdfAnalysis.DemandTest(set, 3, x), 3);
            if (r.Verdict == AnalysisVerdict.Inconclusive) Assert.That(r.Reason, Does.StartWith("because"));
            Assert.That(r.Steps, Is.LessThanOrEqualTo(3 * EdfAnalysis.StepsFor(3, EdfAnalysis.DefaultMaxSteps) + 10));
        }

        [Test]
        public void StepLimitScalesWithTheNumberOfTasks()
        {
            Assert.That(EdfAnalysis.StepsFor(1, EdfAnalysis.DefaultMaxSteps), Is.EqualTo((int)System.Math.Min(EdfAnalysis.DefaultMaxSteps, AnalysisLimits.MaxWork / 2)));
            Assert.That(EdfAnalysis.StepsFor(1, 50), Is.EqualTo(50));
            Assert.That(EdfAnalysis.StepsFor(256, EdfAnalysis.DefaultMaxSteps), Is.EqualTo((int)(AnalysisLimits.MaxWork / 512)));
            // 256 tasks with U just below 1 and constrained deadlines: bounded.
            var set = new AnalysisTask[256];
            for (int i = 0; i < 256; i++) set[i] = T("t" + i, 3 * Us + i, 1 * S - 7 * i, 500 * Ms + i, i);
            Timed(x => EdfAnalysis.DemandTest(set, 256, x), 256);
            Timed(x => FpAnalysis.ResponseTimeTest(set, 256, x), 256);
        }
    }
}
