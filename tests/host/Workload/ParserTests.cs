using NUnit.Framework;
using Osprey.Sched.Workload;

namespace Osprey.Tests.Workload
{
    [TestFixture]
    public class ParserTests
    {
        const long Ms = 1000000;

        static ParseResult P(string text) { return WorkloadParser.ParseText(text); }

        static WorkloadSpec Ok(string text)
        {
            ParseResult r = P(text);
            Assert.That(r.Ok, Is.True, r.Error);
            return r.Workload;
        }

        static ParseResult Bad(string text, int line, string field)
        {
            ParseResult r = P(text);
            Assert.That(r.Ok, Is.False, "expected an error");
            Assert.That(r.Workload, Is.Null);
            Assert.That(r.Line, Is.EqualTo(line), r.Error);
            Assert.That(r.Field, Is.EqualTo(field), r.Error);
            Assert.That(r.Error, Does.StartWith(line > 0 ? "line " + line + ": " : ""));
            if (field.Length > 0) Assert.That(r.Error, Does.Contain("field '" + field + "'"));
            return r;
        }

        /// <summary>The whole line is at fault: Field is the line's directive word, the message names it.</summary>
        static ParseResult BadLine(string text, int line, string directive)
        {
            ParseResult r = P(text);
            Assert.That(r.Ok, Is.False, "expected an error");
            Assert.That(r.Line, Is.EqualTo(line), r.Error);
            Assert.That(r.Field, Is.EqualTo(directive), r.Error);
            Assert.That(r.Error, Does.StartWith("line " + line + ": "));
            Assert.That(r.Error, Does.Contain("'" + directive), r.Error);
            return r;
        }

        [Test]
        public void FullFile()
        {
            var w = Ok(@"# demo
scheduler edf
duration 2s
seed 42
share 87.5%

periodic name=t1 wcet=1ms period=4ms deadline=3ms phase=500us priority=3 jitter=100us work=wall
periodic name=t2 wcet=2 ms period=10 ms priority=4     # spaces before units are fine
aperiodic name=a1 wcet=300us arrivals=5ms, 20ms,33.5ms deadline=2ms priority=20
aperiodic name=srv wcet=1ms arrivals=1ms budget=500us period=5ms overrun=soft
background name=bg priority=254 cpu=1
guest name=g1 dilation=2/1 workload=periodic scheduler=priority
  vcore id=0 period=100ms slice=20ms extra=yes cpu=0
  vcore id=3 period=50ms slice=5ms
  periodic name=gt1 wcet=1ms period=10ms
  periodic name=gt2 wcet=2ms period=20ms deadline=15ms
end
guest name=hog workload=hog
  vcore period=10ms slice=2ms
end
");
            Assert.That(w.Scheduler, Is.EqualTo(SchedulerKind.Edf));
            Assert.That(w.SchedulerGiven, Is.True);
            Assert.That(w.Duration, Is.EqualTo(2000000000L));
            Assert.That(w.Seed, Is.EqualTo(42UL));
            Assert.That(w.ShareNum * 1000 / w.ShareDen, Is.EqualTo(875));
            Assert.That(w.Tasks.Length, Is.EqualTo(5));
            TaskSpec t1 = w.Tasks[0];
            Assert.That(t1.Name, Is.EqualTo("t1"));
            Assert.That(t1.Kind, Is.EqualTo(TaskKind.Periodic));
            Assert.That(t1.Wcet, Is.EqualTo(1 * Ms));
            Assert.That(t1.Period, Is.EqualTo(4 * Ms));
            Assert.That(t1.Deadline, Is.EqualTo(3 * Ms));
            Assert.That(t1.Phase, Is.EqualTo(500000));
            Assert.That(t1.Priority, Is.EqualTo(3));
            Assert.That(t1.Jitter, Is.EqualTo(100000));
            Assert.That(t1.Work, Is.EqualTo(WorkKind.Wall));
            Assert.That(t1.Line, Is.EqualTo(7));
            Assert.That(w.Tasks[1].Deadline, Is.EqualTo(10 * Ms));
            Assert.That(w.Tasks[1].Work, Is.EqualTo(WorkKind.Cpu));
            TaskSpec a1 = w.Tasks[2];
            Assert.That(a1.Kind, Is.EqualTo(TaskKind.Aperiodic));
            Assert.That(a1.Arrivals, Is.EqualTo(new long[] { 5 * Ms, 20 * Ms, 33500000 }));
            Assert.That(a1.Deadline, Is.EqualTo(2 * Ms));
            Assert.That(w.Tasks[3].Budget, Is.EqualTo(500000));
            Assert.That(w.Tasks[3].Period, Is.EqualTo(5 * Ms));
            Assert.That(w.Tasks[3].Overrun, Is.EqualTo(OverrunMode.Soft));
            Assert.That(w.Tasks[4].Kind, Is.EqualTo(TaskKind.Background));
            Assert.That(w.Tasks[4].Cpu, Is.EqualTo(1));
            Assert.That(w.Tasks[4].Wcet, Is.EqualTo(0));
            Assert.That(w.Guests.Length, Is.EqualTo(2));
            GuestSpec g = w.Guests[0];
            Assert.That(g.Name, Is.EqualTo("g1"));
            Assert.That(g.DilationNum, Is.EqualTo(2));
            Assert.That(g.DilationDen, Is.EqualTo(1));
            Assert.That(g.Workload, Is.EqualTo(GuestKind.Periodic));
            Assert.That(g.Scheduler, Is.EqualTo(SchedulerKind.Priority));
            Assert.That(g.Vcores.Length, Is.EqualTo(2));
            Assert.That(g.Vcores[0].ExtraTime, Is.True);
            Assert.That(g.Vcores[1].VcpuId, Is.EqualTo(3));
            Assert.That(g.Vcores[1].ExtraTime, Is.False);
            Assert.That(g.Tasks.Length, Is.EqualTo(2));
            Assert.That(g.Tasks[0].Priority, Is.EqualTo(WorkloadParser.AutoPriorityBase));
            Assert.That(g.Tasks[1].Priority, Is.EqualTo(WorkloadParser.AutoPriorityBase + 1));
            Assert.That(w.Guests[1].Workload, Is.EqualTo(GuestKind.Hog));
            Assert.That(w.Guests[1].Tasks.Length, Is.EqualTo(0));
            Assert.That(w.Guests[1].Vcores[0].VcpuId, Is.EqualTo(0));
            Assert.That(w.Guests[1].DilationNum, Is.EqualTo(1));
        }

        [Test]
        public void Defaults()
        {
            var w = Ok("periodic name=a wcet=1ms period=10ms\r\n");
            Assert.That(w.SchedulerGiven, Is.False);
            Assert.That(w.Scheduler, Is.EqualTo(SchedulerKind.Priority));
            Assert.That(w.Duration, Is.EqualTo(0));
            Assert.That(w.Seed, Is.EqualTo(1UL));
            Assert.That(w.ShareNum, Is.EqualTo(w.ShareDen));
            Assert.That(w.Guests.Length, Is.EqualTo(0));
            Assert.That(w.Tasks[0].Deadline, Is.EqualTo(10 * Ms));
            Assert.That(w.Tasks[0].Phase, Is.EqualTo(0));
            Assert.That(Ok("").Tasks.Length, Is.EqualTo(0));
            Assert.That(Ok("# only a comment\n\n   \n").Tasks.Length, Is.EqualTo(0));
            var d = Ok("aperiodic name=x wcet=1ms arrivals=0\nbackground name=b\n");
            Assert.That(d.Tasks[0].Priority, Is.EqualTo(WorkloadParser.DefaultAperiodicPriority));
            Assert.That(d.Tasks[1].Priority, Is.EqualTo(WorkloadParser.DefaultBackgroundPriority));
        }

        [Test]
        public void DeadlineMonotonicPriorities()
        {
            var w = Ok("periodic name=slow wcet=1ms period=20ms\nperiodic name=fast wcet=1ms period=5ms\nperiodic name=mid wcet=1ms period=20ms deadline=8ms\nperiodic name=slow2 wcet=1ms period=20ms\n");
            Assert.That(w.Tasks[1].Priority, Is.EqualTo(10));
            Assert.That(w.Tasks[2].Priority, Is.EqualTo(11));
            Assert.That(w.Tasks[0].Priority, Is.EqualTo(12));
            Assert.That(w.Tasks[3].Priority, Is.EqualTo(13));
            Assert.That(w.Tasks[0].PriorityGiven, Is.False);
        }

        [Test]
        public void SchedulerEqualsForm()
        {
            Assert.That(Ok("scheduler=cbs").Scheduler, Is.EqualTo(SchedulerKind.Cbs));
            Assert.That(Ok("scheduler   priority  ").Scheduler, Is.EqualTo(SchedulerKind.Priority));
        }

        [TestCase("0", 0L)]
        [TestCase("1ns", 1L)]
        [TestCase("10ms", 10000000L)]
        [TestCase("10 ms", 10000000L)]
        [TestCase("1.5s", 1500000000L)]
        [TestCase("0.25us", 250L)]
        [TestCase("250us", 250000L)]
        [TestCase("3s", 3000000000L)]
        public void Times(string text, long ns)
        {
            long v;
            Assert.That(WorkloadParser.ParseTime(text, out v), Is.Null);
            Assert.That(v, Is.EqualTo(ns));
        }

        [TestCase("10")]
        [TestCase("10 parsecs")]
        [TestCase("ms")]
        [TestCase("-5ms")]
        [TestCase("1.ms")]
        [TestCase("1.5ns")]
        [TestCase("10MS")]
        [TestCase("99999999999999999999s")]
        [TestCase("2000000000s")]
        public void BadTimes(string text)
        {
            long v;
            Assert.That(WorkloadParser.ParseTime(text, out v), Is.Not.Null);
        }

        // ------------------------------------------------------------ errors, one per field

        [Test]
        public void ExampleErrorMessage()
        {
            var r = Bad("scheduler edf\n\n# c\n\n\n\nperiodic name=t1 wcet=1ms period=10 parsecs\n", 7, "period");
            Assert.That(r.Error, Is.EqualTo("line 7: field 'period': expected a time like 10ms, got '10 parsecs'"));
        }

        [Test]
        public void SchedulerErrors()
        {
            var r = Bad("scheduler rms", 1, "scheduler");
            Assert.That(r.Error, Is.EqualTo("line 1: field 'scheduler': expected priority, edf, cbs or gedf, got 'rms'"));
            Bad("scheduler", 1, "scheduler");
            Bad("scheduler edf\nscheduler edf", 2, "scheduler");
        }

        [Test]
        public void DurationSeedShareErrors()
        {
            Bad("duration forever", 1, "duration");
            Bad("duration 0", 1, "duration");
            Bad("duration 1s\nduration 2s", 2, "duration");
            Bad("seed -1", 1, "seed");
            Bad("seed 99999999999999999999999", 1, "seed");
            Bad("share 120%", 1, "share");
            Bad("share 0%", 1, "share");
            Bad("share 90", 1, "share");
        }

        [Test]
        public void UnknownDirectiveAndStrayWords()
        {
            var r = BadLine("\nperiodc name=a", 2, "periodc");
            Assert.That(r.Error, Does.StartWith("line 2: unknown directive 'periodc'"));
            r = BadLine("periodic t1 wcet=1ms period=2ms", 1, "periodic");
            Assert.That(r.Error, Does.Contain("expected key=value after 'periodic', got 't1'"));
            BadLine("periodic =x", 1, "periodic");
            BadLine("periodic=x", 1, "periodic");
            r = P("periodic name=a wcet=1ms period=2ms\x01");
            Assert.That(r.Ok, Is.False);
            Assert.That(r.Field, Is.EqualTo("column 36"));
            Assert.That(r.Error, Is.EqualTo("line 1: byte 1 at column 36 is not printable ASCII"));
            var nonAscii = WorkloadParser.Parse(new byte[] { (byte)'s', 0xC3, 0xA9 });
            Assert.That(nonAscii.Ok, Is.False);
            Assert.That(nonAscii.Error, Does.Contain("not printable ASCII"));
        }

        [Test]
        public void NameErrors()
        {
            Bad("periodic wcet=1ms period=2ms", 1, "name");
            Bad("periodic name= wcet=1ms period=2ms", 1, "name");
            Bad("periodic name=a/b wcet=1ms period=2ms", 1, "name");
            Bad("periodic name=abcdefghijabcdefghijabcdefghijabc wcet=1ms period=2ms", 1, "name");
            var r = Bad("periodic name=a wcet=1ms period=2ms\nbackground name=a", 2, "name");
            Assert.That(r.Error, Does.Contain("already declared on line 1"));
        }

        [Test]
        public void PeriodicFieldErrors()
        {
            Bad("periodic name=a period=2ms", 1, "wcet");
            Bad("periodic name=a wcet=0 period=2ms", 1, "wcet");
            Bad("periodic name=a wcet=x period=2ms", 1, "wcet");
            Bad("periodic name=a wcet=1ms", 1, "period");
            Bad("periodic name=a wcet=1ms period=0", 1, "period");
            var r = Bad("periodic name=a wcet=1ms period=2ms deadline=3ms", 1, "deadline");
            Assert.That(r.Error, Does.Contain("must not exceed the period"));
            Bad("periodic name=a wcet=1ms period=2ms deadline=soon", 1, "deadline");
            Bad("periodic name=a wcet=1ms period=2ms phase=-1ms", 1, "phase");
            Bad("periodic name=a wcet=1ms period=2ms priority=256", 1, "priority");
            Bad("periodic name=a wcet=1ms period=2ms priority=high", 1, "priority");
            Bad("periodic name=a wcet=1ms period=2ms budget=3ms", 1, "budget");
            Bad("periodic name=a wcet=1ms period=2ms budget=1ms overrun=maybe", 1, "overrun");
            Bad("periodic name=a wcet=1ms period=2ms overrun=hard", 1, "overrun");
            Bad("periodic name=a wcet=1ms period=2ms jitter=2ms", 1, "jitter");
            Bad("periodic name=a wcet=1ms period=2ms work=gpu", 1, "work");
            Bad("periodic name=a wcet=1ms period=2ms cpu=300", 1, "cpu");
            r = Bad("periodic name=a wcet=1ms period=2ms perod=3ms", 1, "perod");
            Assert.That(r.Error, Does.Contain("unknown field for 'periodic' (known: name, wcet, period"));
            Bad("periodic name=a wcet=1ms wcet=2ms period=2ms", 1, "wcet");
        }

        [Test]
        public void MixedPriorities()
        {
            var r = Bad("periodic name=a wcet=1ms period=2ms priority=3\n\nperiodic name=b wcet=1ms period=4ms", 3, "priority");
            Assert.That(r.Error, Does.Contain("task 'a' (line 1) gives one"));
        }

        [Test]
        public void AperiodicFieldErrors()
        {
            Bad("aperiodic name=a wcet=1ms", 1, "arrivals");
            var r = Bad("aperiodic name=a wcet=1ms arrivals=1ms,2 parsecs", 1, "arrivals");
            Assert.That(r.Error, Does.Contain("item 2: expected a time like 10ms, got '2 parsecs'"));
            Bad("aperiodic name=a wcet=1ms arrivals=5ms,1ms", 1, "arrivals");
            Bad("aperiodic name=a wcet=1ms arrivals=1ms,", 1, "arrivals");
            Bad("aperiodic name=a wcet=1ms arrivals=1ms budget=1ms", 1, "period");
            Bad("aperiodic name=a wcet=1ms arrivals=1ms period=1ms", 1, "budget");
            Bad("aperiodic name=a wcet=1ms arrivals=1ms phase=1ms", 1, "phase");
            Bad("aperiodic name=a arrivals=1ms", 1, "wcet");
        }

        [Test]
        public void BackgroundFieldErrors()
        {
            Bad("background name=b period=1ms", 1, "period");
            Bad("background name=b priority=-1", 1, "priority");
            Bad("background name=b wcet=0", 1, "wcet");
        }

        /// <summary>An error inside a guest block drops that guest only: the file parses, the error
        /// (line and field) is kept in GuestErrors, and `guestsLeft` other guests remain.</summary>
        static string GuestBad(string text, int line, string field, int guestsLeft = 0)
        {
            ParseResult r = P(text);
            Assert.That(r.Ok, Is.True, "a bad guest must not fail the file: " + r.Error);
            Assert.That(r.Workload.GuestErrors.Length, Is.EqualTo(1), string.Join(" | ", r.Workload.GuestErrors));
            string e = r.Workload.GuestErrors[0];
            Assert.That(e, Does.StartWith("line " + line + ": "), e);
            if (field.Length > 0) Assert.That(e, Does.Contain("field '" + field + "'"), e);
            Assert.That(r.Workload.Guests.Length, Is.EqualTo(guestsLeft), e);
            return e;
        }

        [Test]
        public void BadGuestIsDroppedTheRestKept()
        {
            var r = P("periodic name=t wcet=1ms period=10ms\nguest name=a workload=hog\nvcore period=100ms slice=20ms\nend\n"
                + "guest name=b workload=hog\nvcore period=100ms slice=lots\nperiodic name=x wcet=1ms period=2ms\nend\n"
                + "guest name=c workload=idle\nvcore period=100ms slice=10ms\nend\nbackground name=bg\n");
            Assert.That(r.Ok, Is.True, r.Error);
            var w = r.Workload;
            Assert.That(w.Guests.Length, Is.EqualTo(2));
            Assert.That(w.Guests[0].Name, Is.EqualTo("a"));
            Assert.That(w.Guests[1].Name, Is.EqualTo("c"));
            Assert.That(w.GuestErrors, Is.EqualTo(new[] { "line 6: field 'slice': expected a time like 10ms, got 'lots'" }));
            Assert.That(w.Tasks.Length, Is.EqualTo(2), "host lines after the bad guest are kept");
            Assert.That(w.Tasks[1].Name, Is.EqualTo("bg"));
        }

        [Test]
        public void ErrorsOutsideGuestsStillFailTheFile()
        {
            Bad("guest name=a workload=hog\nvcore period=100ms slice=20ms\nend\nperiodic name=t wcet=1ms", 4, "period");
            Bad("end", 1, "end");
            BadLine("vcore period=10ms slice=1ms", 1, "vcore");
        }

        [Test]
        public void GuestErrors()
        {
            GuestBad("guest name=g", 1, "workload");
            GuestBad("guest workload=hog\nvcore period=1ms slice=1ms\nend", 1, "name");
            GuestBad("guest name=g workload=spin", 1, "workload");
            GuestBad("guest name=g workload=hog dilation=2:1", 1, "dilation");
            GuestBad("guest name=g workload=hog dilation=0/1", 1, "dilation");
            GuestBad("guest name=g workload=hog scheduler=edf", 1, "scheduler");
            GuestBad("guest name=g workload=periodic scheduler=cbs", 1, "scheduler");
            GuestBad("guest name=g workload=hog color=red", 1, "color");
            var e = GuestBad("guest name=g workload=hog\nvcore period=10ms slice=1ms\n", 1, "guest");
            Assert.That(e, Does.Contain("not closed"));
            GuestBad("guest name=g workload=hog\nend", 2, "vcore");
            GuestBad("guest name=g workload=periodic\nvcore period=10ms slice=1ms\nend", 3, "workload");
            GuestBad("guest name=g workload=hog\nvcore period=10ms slice=1ms\nguest name=h workload=idle", 3, "");
            GuestBad("guest name=g workload=hog\nvcore period=10ms slice=1ms\nend\nguest name=g workload=idle", 4, "name", 1);
            GuestBad("guest name=g workload=hog\nvcore period=10ms slice=1ms\nperiodic name=a wcet=1ms period=2ms\nend", 3, "");
            GuestBad("guest name=g workload=periodic\nvcore period=10ms slice=1ms\nbackground name=b\nend", 3, "");
            GuestBad("guest name=g workload=periodic\nvcore period=10ms slice=1ms\nperiodic name=a wcet=1ms period=2ms cpu=1\nend", 3, "cpu");
            GuestBad("guest name=g workload=hog\nscheduler edf\nend", 2, "scheduler");
            Bad("end", 1, "end");
            GuestBad("guest name=g workload=hog\nvcore period=10ms slice=1ms\nend now", 3, "end");
        }

        [Test]
        public void VcoreErrors()
        {
            BadLine("vcore period=10ms slice=1ms", 1, "vcore");
            GuestBad("guest name=g workload=hog\nvcore slice=1ms\nend", 2, "period");
            GuestBad("guest name=g workload=hog\nvcore period=1ms\nend", 2, "slice");
            GuestBad("guest name=g workload=hog\nvcore period=1ms slice=2ms\nend", 2, "slice");
            GuestBad("guest name=g workload=hog\nvcore period=1ms slice=0\nend", 2, "slice");
            GuestBad("guest name=g workload=hog\nvcore period=1ms slice=1ms extra=maybe\nend", 2, "extra");
            GuestBad("guest name=g workload=hog\nvcore period=1ms slice=1ms cpu=x\nend", 2, "cpu");
            GuestBad("guest name=g workload=hog\nvcore id=1 period=1ms slice=1ms\nvcore id=1 period=1ms slice=1ms\nend", 3, "id");
            GuestBad("guest name=g workload=hog\nvcore id=999 period=1ms slice=1ms\nend", 2, "id");
        }

        [Test]
        public void GuestTaskNamesAreSeparateFromHostNames()
        {
            var w = Ok("periodic name=a wcet=1ms period=2ms\nguest name=g workload=periodic\nvcore period=10ms slice=5ms\nperiodic name=a wcet=1ms period=4ms\nend\n");
            Assert.That(w.Guests[0].Tasks[0].Name, Is.EqualTo("a"));
            GuestBad("guest name=g workload=periodic\nvcore period=10ms slice=5ms\nperiodic name=a wcet=1ms period=4ms\nperiodic name=a wcet=1ms period=4ms\nend\n", 4, "name");
        }

        [Test]
        public void ExamplesParse()
        {
            string dir = FindExamples();
            string[] files = System.IO.Directory.GetFiles(dir, "*.wl");
            Assert.That(files.Length, Is.GreaterThanOrEqualTo(6));
            foreach (string f in files)
            {
                var r = WorkloadParser.Parse(System.IO.File.ReadAllBytes(f));
                Assert.That(r.Ok, Is.True, f + ": " + r.Error);
            }
        }

        internal static string FindExamples([System.Runtime.CompilerServices.CallerFilePath] string source = "")
        {
            // This file is tests/host/Workload/ParserTests.cs: the repository is three levels up.
            string d = System.IO.Path.GetDirectoryName(source);
            for (int i = 0; i < 3 && d != null; i++) d = System.IO.Path.GetDirectoryName(d);
            if (d != null && System.IO.Directory.Exists(System.IO.Path.Combine(d, "sched", "examples")))
                return System.IO.Path.Combine(d, "sched", "examples");
            d = TestContext.CurrentContext.TestDirectory;
            while (d != null && !System.IO.Directory.Exists(System.IO.Path.Combine(d, "sched", "examples")))
                d = System.IO.Path.GetDirectoryName(d);
            return d == null ? "sched/examples" : System.IO.Path.Combine(d, "sched", "examples");
        }
    }
}
