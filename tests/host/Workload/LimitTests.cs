using System.Diagnostics;
using System.Text;
using NUnit.Framework;
using Osprey.Sched.Workload;
using Osprey.Sched.Analysis;
using Osprey.Sched;

namespace Osprey.Tests.Workload
{
    /// <summary>Numbers that do not fit, the file's limits (WorkloadLimits) and the floors (ParseOptions).</summary>
    [TestFixture]
    public class LimitTests
    {
        static ParseResult P(string text) { return WorkloadParser.ParseText(text); }

        static ParseResult Bad(string text, int line, string field, string contains)
        {
            ParseResult r = P(text);
            Assert.That(r.Ok, Is.False, "expected an error");
            Assert.That(r.Line, Is.EqualTo(line), r.Error);
            Assert.That(r.Field, Is.EqualTo(field), r.Error);
            Assert.That(r.Error, Does.StartWith("line " + line + ": field '" + field + "': "));
            Assert.That(r.Error, Does.Contain(contains));
            return r;
        }

        [TestCase("110680464442258309696ns")]
        [TestCase("9223372036854775808ns")]
        [TestCase("18446744073709551616ns")]
        [TestCase("1152921504606846977ns")]   // 2^60 + 1
        [TestCase("1152921504606847s")]
        [TestCase("99999999999999999999999999999999999999ms")]
        public void NumbersBeyond2To60AreRefusedNeverWrapped(string t)
        {
            long v;
            string e = WorkloadParser.ParseTime(t, out v);
            Assert.That(e, Does.Contain("too large"), t);
            Assert.That(v, Is.EqualTo(0));
            Bad("periodic name=a wcet=1ms period=" + t, 1, "period", "too large (at most 2^60 ns)");
            Bad("aperiodic name=a wcet=1ms arrivals=1ms, " + t, 1, "arrivals", "item 2: time");
        }

        [Test]
        public void TwoTo60IsTheLargestTime()
        {
            long v;
            Assert.That(WorkloadParser.ParseTime("1152921504606846976ns", out v), Is.Null);
            Assert.That(v, Is.EqualTo(1L << 60));
            Assert.That(WorkloadParser.ParseTime("0001152921504606846976 ns", out v), Is.Null);
            Assert.That(v, Is.EqualTo(1L << 60));
        }

        [Test]
        public void TaskLimit()
        {
            var sb = new StringBuilder();
            for (int i = 0; i < WorkloadLimits.MaxTasks; i++) sb.Append("periodic name=t" + i + " wcet=1us period=10ms priority=" + (i % 256) + "\n");
            Assert.That(P(sb.ToString()).Ok, Is.True, P(sb.ToString()).Error);
            sb.Append("background name=one-more\n");
            Bad(sb.ToString(), WorkloadLimits.MaxTasks + 1, "background", "more than 256 tasks");
        }

        [Test]
        public void TaskLimitCountsGuestTasksAndFailsTheFile()
        {
            var sb = new StringBuilder("guest name=g workload=periodic\n vcore period=100ms slice=50ms\n");
            for (int i = 0; i <= WorkloadLimits.MaxTasks; i++) sb.Append(" periodic name=t" + i + " wcet=1us period=10ms priority=1\n");
            sb.Append("end\n");
            Bad(sb.ToString(), WorkloadLimits.MaxTasks + 3, "periodic", "more than 256 tasks");
        }

        [Test]
        public void AutomaticPrioritiesNameTheLineOfTheTaskTooMany()
        {
            var sb = new StringBuilder();
            for (int i = 0; i < 246; i++) sb.Append("periodic name=t" + i + " wcet=1us period=10ms\n");
            Bad(sb.ToString(), 246, "priority", "too many periodic tasks (246, at most 245)");
        }

        static string Arrivals(int n, int from = 0)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < n; i++) { if (i > 0) sb.Append(", "); sb.Append((from + i) + "us"); }
            return sb.ToString();
        }

        [Test]
        public void ArrivalLimits()
        {
            Assert.That(P("aperiodic name=a wcet=1us arrivals=" + Arrivals(WorkloadLimits.MaxArrivalsPerTask)).Ok, Is.True);
            Bad("aperiodic name=a wcet=1us arrivals=" + Arrivals(WorkloadLimits.MaxArrivalsPerTask + 1), 1, "arrivals", "more than 10000 times");
            var sb = new StringBuilder();
            for (int i = 0; i < 5; i++) sb.Append("aperiodic name=a" + i + " wcet=1us arrivals=" + Arrivals(10000) + "\n");
            Assert.That(P(sb.ToString()).Ok, Is.True);
            sb.Append("aperiodic name=a5 wcet=1us arrivals=1ms\n");
            Bad(sb.ToString(), 6, "arrivals", "more than 50000 arrival times in the file (50000 before this line, 1 on it)");
        }

        /// <summary>Parsing is linear in the line: 10,000 arrivals spread over 50,000 space-separated tokens,
        /// and a line of 40,000 (over the limit, read once to say so) each take well under a second (a value
        /// rebuilt at every token, as quadratic code does, copies gigabytes here).</summary>
        [Test]
        public void ArrivalsParseInLinearTime()
        {
            string spaced = "aperiodic name=a wcet=1us arrivals=" + Arrivals(10000).Replace(", ", " , , ").Replace(", ,", " ,") + "\n";
            var sw = Stopwatch.StartNew();
            var r = P(spaced);
            Assert.That(r.Ok, Is.True, r.Error);
            Assert.That(r.Workload.Tasks[0].Arrivals.Length, Is.EqualTo(10000));
            Assert.That(sw.Elapsed.TotalMilliseconds, Is.LessThan(1000));
            string big = "aperiodic name=a wcet=1us arrivals=" + Arrivals(40000).Replace(",", " ,") + "\n";
            sw.Restart();
            Assert.That(P(big).Error, Does.Contain("more than 10000 times"));
            Assert.That(sw.Elapsed.TotalMilliseconds, Is.LessThan(1000));
        }

        [Test]
        public void FloorLineLowersTheFloorsForTheFileOnly()
        {
            Bad("periodic name=t wcet=100ns period=1us\n", 1, "period", "below the period floor 10us");
            var ok = P("floor 1ns\nperiodic name=t wcet=100ns period=1us budget=100ns\n");
            Assert.That(ok.Ok, Is.True, ok.Error);
            Assert.That(ok.Workload.FloorNs, Is.EqualTo(1));
            Assert.That(ok.Workload.FloorLine, Is.EqualTo(1));
            Assert.That(RunReport.Title("f", ok.Workload, SchedulerKind.Priority, 1000000), Does.Contain("floors lowered to 1ns (line 1)"));
            var mid = P("floor 500ns\nperiodic name=t wcet=100ns period=400ns\n");
            Assert.That(mid.Ok, Is.False);
            Assert.That(mid.Error, Does.Contain("below the period floor 500ns"));
            Bad("periodic name=t wcet=1ms period=10ms\nfloor 1ns\n", 2, "floor", "must come before the first task");
            Bad("floor 1ns\nfloor 1ns\n", 2, "floor", "given twice");
            Bad("floor 1s\n", 1, "floor", "can only lower the floors");
            Bad("floor 0ns\n", 1, "floor", "must be greater than 0");
        }

        [Test]
        public void GuestCoreLimitIsOneConstantNamedWithLineAndField()
        {
            var sb = new StringBuilder("share 100%\n");
            for (int i = 0; i < WorkloadLimits.MaxGuestCores; i++) sb.Append("guest name=g" + i + " workload=hog\n vcore period=100ms slice=1ms\nend\n");
            var ok = P(sb.ToString());
            Assert.That(ok.Ok, Is.True, ok.Error);
            Assert.That(ok.Workload.Guests.Length, Is.EqualTo(WorkloadLimits.MaxGuestCores));
            sb.Append("guest name=late workload=hog\n vcore period=100ms slice=1ms\nend\n");
            Bad(sb.ToString(), 2 + 3 * WorkloadLimits.MaxGuestCores, "guest", "more than " + WorkloadLimits.MaxGuestCores + " guests");
            var one = new StringBuilder("guest name=g workload=hog\n");
            for (int i = 0; i <= WorkloadLimits.MaxGuestCores; i++) one.Append(" vcore id=" + i + " period=100ms slice=1ms\n");
            one.Append("end\n");
            Bad(one.ToString(), 2 + WorkloadLimits.MaxGuestCores, "vcore", "more than " + WorkloadLimits.MaxGuestCores + " guest cores in the file");
        }

        [Test]
        public void CbsServerLimit()
        {
            var sb = new StringBuilder("scheduler cbs\n");
            for (int i = 0; i < WorkloadLimits.MaxCbsServers; i++) sb.Append("periodic name=t" + i + " wcet=1us period=10ms budget=2us\n");
            Assert.That(P(sb.ToString()).Ok, Is.True);
            sb.Append("periodic name=x wcet=1us period=10ms budget=2us\n");
            Bad(sb.ToString(), 66, "budget", "more than 64 tasks with a CBS budget on cpu 0");
            sb.Append("periodic name=y wcet=1us period=10ms budget=2us cpu=1\n");
        }

        [Test]
        public void PeriodAndBudgetFloorsNameLineFieldAndFloor()
        {
            Bad("periodic name=a wcet=1ns period=1ns", 1, "period", "below the period floor 10us, got '1ns'");
            Bad("\nperiodic name=a wcet=1ns period=200ns", 2, "period", "below the period floor 10us");
            Assert.That(P("periodic name=a wcet=1us period=10us").Ok, Is.True);
            Bad("aperiodic name=a wcet=1us arrivals=1ms budget=1us period=5us", 1, "period", "below the period floor 10us");
            Bad("periodic name=a wcet=1ms period=10ms budget=1ns", 1, "budget", "below the CBS budget floor 2us, got '1ns'");
            Bad("periodic name=a wcet=1ms period=10ms budget=100ns overrun=hard", 1, "budget", "below the CBS budget floor 2us");
            Assert.That(P("periodic name=a wcet=1ms period=10ms budget=2us").Ok, Is.True);
            // A guest's task period is guest time: at dilation 1000/1 a 1 ms guest period is 1 us of host time.
            var r = P("guest name=g workload=periodic dilation=1000/1\n vcore period=100ms slice=50ms\n periodic name=t wcet=1us period=1ms\nend\n");
            Assert.That(r.Ok, Is.True);
            Assert.That(r.Workload.GuestErrors[0], Does.StartWith("line 3: field 'period': below the period floor 10us (host time at dilation 1000/1)"));
        }

        [Test]
        public void FloorsAreParameters()
        {
            var o = new ParseOptions { MinPeriodNs = 1, MinBudgetNs = 1 };
            Assert.That(WorkloadParser.ParseText("periodic name=a wcet=1ns period=1ns budget=1ns", o).Ok, Is.True);
            o = new ParseOptions { MinPeriodNs = 1000000 };
            var r = WorkloadParser.ParseText("periodic name=a wcet=1us period=999us", o);
            Assert.That(r.Error, Is.EqualTo("line 1: field 'period': below the period floor 1ms, got '999us' (shorter periods cost more in timer interrupts and switches than they leave)"));
            Assert.That(ParseOptions.Defaults().MinPeriodNs, Is.EqualTo(ParseOptions.DefaultMinPeriodNs));
        }
    }
}
