using Osprey.Kernel.Time;
using NUnit.Framework;
using Osprey.Kernel.Boot;

namespace Osprey.Tests.Boot
{
    [TestFixture]
    public class CommandLineTests
    {
        static readonly string[] Names = { "fp", "edf", "cbs" };

        static string[] Unknown(CommandLine c) => c.Unknown[..c.UnknownCount];
        static string[] Errors(CommandLine c) => c.Errors[..c.ErrorCount];

        static void AssertDefaults(CommandLine c)
        {
            Assert.That(c.SelfTest, Is.False);
            Assert.That(c.SelfTestFilter, Is.EqualTo(""));
            Assert.That(c.Scheduler, Is.Null);
            Assert.That(c.SerialConsole, Is.True);
            Assert.That(c.ScreenConsole, Is.True);
            Assert.That(c.Trace, Is.False);
            Assert.That(c.UnknownCount, Is.EqualTo(0));
            Assert.That(c.ErrorCount, Is.EqualTo(0));
        }

        [TestCase(null)]
        [TestCase("")]
        [TestCase("   ")]
        [TestCase(" \t\r\n ")]
        public void EmptyGivesDefaults(string text)
        {
            AssertDefaults(CommandLine.Parse(text, Names));
        }

        [Test]
        public void SelfTest()
        {
            var c = CommandLine.Parse("selftest", Names);
            Assert.That(c.SelfTest, Is.True);
            Assert.That(c.SelfTestFilter, Is.EqualTo(""));
            Assert.That(c.ErrorCount, Is.EqualTo(0));
        }

        [TestCase("selftest=sched", "sched")]
        [TestCase("selftest=sched.edf_,console", "sched.edf_,console")]
        [TestCase("selftest=a=b", "a=b")]
        public void SelfTestFilter(string word, string filter)
        {
            var c = CommandLine.Parse(word, Names);
            Assert.That(c.SelfTest, Is.True);
            Assert.That(c.SelfTestFilter, Is.EqualTo(filter));
            Assert.That(c.ErrorCount, Is.EqualTo(0));
        }

        [Test]
        public void SelfTestEmptyFilterIsAnError()
        {
            var c = CommandLine.Parse("selftest=", Names);
            Assert.That(c.SelfTestFilter, Is.EqualTo(""));
            Assert.That(Errors(c), Is.EqualTo(new[] { "selftest= needs a filter (suite or suite.test)" }));
        }

        [TestCase("fp")]
        [TestCase("edf")]
        [TestCase("cbs")]
        public void KnownScheduler(string name)
        {
            var c = CommandLine.Parse("sched=" + name, Names);
            Assert.That(c.Scheduler, Is.EqualTo(name));
            Assert.That(c.ErrorCount, Is.EqualTo(0));
        }

        [Test]
        public void UnknownSchedulerListsKnownNames()
        {
            var c = CommandLine.Parse("sched=lottery", Names);
            Assert.That(c.Scheduler, Is.Null);
            Assert.That(Errors(c), Is.EqualTo(new[] { "sched=lottery: unknown scheduler (known: fp, edf, cbs)" }));
            Assert.That(c.UnknownCount, Is.EqualTo(0));
        }

        [Test]
        public void SchedulerNamesAreCaseSensitive()
        {
            var c = CommandLine.Parse("sched=EDF", Names);
            Assert.That(c.Scheduler, Is.Null);
            Assert.That(c.ErrorCount, Is.EqualTo(1));
        }

        [TestCase("sched=")]
        [TestCase("sched")]
        public void EmptySchedulerIsAnError(string word)
        {
            var c = CommandLine.Parse(word, Names);
            Assert.That(c.Scheduler, Is.Null);
            Assert.That(Errors(c), Is.EqualTo(new[] { "sched= needs a scheduler name" }));
        }

        [Test]
        public void NullNamesAcceptAnyScheduler()
        {
            var c = CommandLine.Parse("sched=anything", null);
            Assert.That(c.Scheduler, Is.EqualTo("anything"));
            Assert.That(c.ErrorCount, Is.EqualTo(0));
        }

        [TestCase("console=serial", true, false)]
        [TestCase("console=screen", false, true)]
        [TestCase("console=both", true, true)]
        [TestCase("console=screen console=both", true, true)]
        [TestCase("console=serial console=screen", false, true)]
        public void Console(string text, bool serial, bool screen)
        {
            var c = CommandLine.Parse(text, Names);
            Assert.That(c.SerialConsole, Is.EqualTo(serial));
            Assert.That(c.ScreenConsole, Is.EqualTo(screen));
            Assert.That(c.ErrorCount, Is.EqualTo(0));
        }

        [TestCase("console=bad", "console=bad: expected serial, screen or both")]
        [TestCase("console=", "console=: expected serial, screen or both")]
        [TestCase("console", "console=: expected serial, screen or both")]
        [TestCase("console=Serial", "console=Serial: expected serial, screen or both")]
        public void BadConsole(string text, string error)
        {
            var c = CommandLine.Parse(text, Names);
            Assert.That(c.SerialConsole && c.ScreenConsole, Is.True, "defaults kept");
            Assert.That(Errors(c), Is.EqualTo(new[] { error }));
        }

        [Test]
        public void Trace()
        {
            var c = CommandLine.Parse("trace", Names);
            Assert.That(c.Trace, Is.True);
            Assert.That(c.UnknownCount, Is.EqualTo(0));
        }

        [Test]
        public void ClockAndExit()
        {
            var c = CommandLine.Parse("clock=exact exit", Names);
            Assert.That(c.ExactClock, Is.True);
            Assert.That(c.ExitWhenDone, Is.True);
            Assert.That(c.ErrorCount + c.UnknownCount, Is.EqualTo(0));
            Assert.That(CommandLine.Parse("clock=real", Names).ExactClock, Is.False);
            Assert.That(CommandLine.Parse("", Names).ExactClock || CommandLine.Parse("", Names).ExitWhenDone, Is.False, "defaults");
        }

        [TestCase("clock=fast", "clock=fast: expected exact or real")]
        [TestCase("clock", "clock=: expected exact or real")]
        public void BadClock(string text, string error)
        {
            var c = CommandLine.Parse(text, Names);
            Assert.That(c.ExactClock, Is.False);
            Assert.That(Errors(c), Is.EqualTo(new[] { error }));
        }

        [TestCase("", CalibrationSource.Auto)]
        [TestCase("calib=auto", CalibrationSource.Auto)]
        [TestCase("calib=hpet", CalibrationSource.Hpet)]
        [TestCase("calib=pmtimer", CalibrationSource.PmTimer)]
        [TestCase("calib=pit exit", CalibrationSource.Pit)]
        public void CalibrationReference(string text, CalibrationSource expected)
        {
            var c = CommandLine.Parse(text, Names);
            Assert.That(c.Calibration, Is.EqualTo(expected));
            Assert.That(c.ErrorCount + c.UnknownCount, Is.EqualTo(0));
        }

        [TestCase("calib=tsc", "calib=tsc: expected auto, hpet, pmtimer or pit")]
        [TestCase("calib=", "calib=: expected auto, hpet, pmtimer or pit")]
        [TestCase("calib", "calib=: expected auto, hpet, pmtimer or pit")]
        [TestCase("calib=HPET", "calib=HPET: expected auto, hpet, pmtimer or pit")]
        public void BadCalibrationReference(string text, string error)
        {
            var c = CommandLine.Parse(text, Names);
            Assert.That(c.Calibration, Is.EqualTo(CalibrationSource.Auto), "a bad value leaves the default");
            Assert.That(Errors(c), Is.EqualTo(new[] { error }));
        }

        [TestCase("", 0)]
        [TestCase("cpus=1", 1)]
        [TestCase("cpus=4 selftest", 4)]
        [TestCase("cpus=4096", 4096)]
        public void CpuLimit(string text, int expected)
        {
            var c = CommandLine.Parse(text, Names);
            Assert.That(c.CpuLimit, Is.EqualTo(expected));
            Assert.That(c.ErrorCount + c.UnknownCount, Is.EqualTo(0));
        }

        [TestCase("cpus=0", "cpus=0: expected a count of CPUs from 1 to 4096 (the boot CPU included)")]
        [TestCase("cpus=x", "cpus=x: expected a count of CPUs from 1 to 4096 (the boot CPU included)")]
        [TestCase("cpus=", "cpus=: expected a count of CPUs from 1 to 4096 (the boot CPU included)")]
        [TestCase("cpus", "cpus=: expected a count of CPUs from 1 to 4096 (the boot CPU included)")]
        [TestCase("cpus=-2", "cpus=-2: expected a count of CPUs from 1 to 4096 (the boot CPU included)")]
        [TestCase("cpus=4097", "cpus=4097: expected a count of CPUs from 1 to 4096 (the boot CPU included)")]
        public void BadCpuLimit(string text, string error)
        {
            var c = CommandLine.Parse(text, Names);
            Assert.That(c.CpuLimit, Is.EqualTo(0), "a bad value leaves the default (every CPU)");
            Assert.That(Errors(c), Is.EqualTo(new[] { error }));
        }

        [Test]
        public void ExitWithValueIsUnknown()
        {
            var c = CommandLine.Parse("exit=1", Names);
            Assert.That(c.ExitWhenDone, Is.False);
            Assert.That(Unknown(c), Is.EqualTo(new[] { "exit=1" }));
        }

        [Test]
        public void TraceOverflowPolicy()
        {
            var c = CommandLine.Parse("trace=drop", Names);
            Assert.That(c.Trace && c.TraceDropNewest, Is.True);
            c = CommandLine.Parse("trace=drop trace=overwrite", Names);
            Assert.That(c.Trace && !c.TraceDropNewest, Is.True, "the last word wins");
            Assert.That(CommandLine.Parse("trace", Names).TraceDropNewest, Is.False, "overwrite-oldest by default");
        }

        [Test]
        public void TraceWithABadValueIsAnError()
        {
            var c = CommandLine.Parse("trace=1", Names);
            Assert.That(c.Trace, Is.False);
            Assert.That(Unknown(c), Is.Empty);
            Assert.That(Errors(c), Is.EqualTo(new[] { "trace=1: expected overwrite or drop" }));
        }

        [Test]
        public void UnknownWordsInOrder()
        {
            var c = CommandLine.Parse("quiet selftest root=/dev/sda1 trace noapic =x selftests", Names);
            Assert.That(Unknown(c), Is.EqualTo(new[] { "quiet", "root=/dev/sda1", "noapic", "=x", "selftests" }));
            Assert.That(c.SelfTest, Is.True);
            Assert.That(c.Trace, Is.True);
            Assert.That(c.ErrorCount, Is.EqualTo(0));
        }

        [Test]
        public void RepeatedSpacesAndTabs()
        {
            var c = CommandLine.Parse("  \tselftest=sched\t\t sched=edf    console=serial\r\n trace foo  ", Names);
            Assert.That(c.SelfTest, Is.True);
            Assert.That(c.SelfTestFilter, Is.EqualTo("sched"));
            Assert.That(c.Scheduler, Is.EqualTo("edf"));
            Assert.That(c.SerialConsole, Is.True);
            Assert.That(c.ScreenConsole, Is.False);
            Assert.That(c.Trace, Is.True);
            Assert.That(Unknown(c), Is.EqualTo(new[] { "foo" }));
            Assert.That(c.ErrorCount, Is.EqualTo(0));
        }

        [Test]
        public void ErrorsAndUnknownsTogether()
        {
            var c = CommandLine.Parse("sched=x console=bad what selftest=", Names);
            Assert.That(c.ErrorCount, Is.EqualTo(3));
            Assert.That(c.Errors[0], Does.StartWith("sched=x:"));
            Assert.That(c.Errors[1], Does.StartWith("console=bad:"));
            Assert.That(c.Errors[2], Does.StartWith("selftest="));
            Assert.That(Unknown(c), Is.EqualTo(new[] { "what" }));
        }

        [Test]
        public void EveryWordIsTakenHoweverMany()
        {
            var sb = new System.Text.StringBuilder();
            for (int i = 0; i < 500; i++) sb.Append("w" + i + " ");
            var c = CommandLine.Parse(sb + "trace selftest exit", Names);
            Assert.That(c.ErrorCount, Is.EqualTo(0));
            Assert.That(c.WordCount, Is.EqualTo(503));
            Assert.That(c.UnknownCount, Is.EqualTo(500));
            Assert.That(c.Unknown[499], Is.EqualTo("w499"));
            Assert.That(c.Trace && c.SelfTest && c.ExitWhenDone, Is.True, "words after the 500 unknown ones are applied");
        }

        [Test]
        public void ManyErrorsAreAllReported()
        {
            var sb = new System.Text.StringBuilder();
            for (int i = 0; i < 40; i++) sb.Append("console=x" + i + " ");
            var c = CommandLine.Parse(sb.ToString(), Names);
            Assert.That(c.ErrorCount, Is.EqualTo(40));
            Assert.That(c.Errors[39], Does.StartWith("console=x39:"));
        }

        [Test]
        public void LongLineUpToTheLimitIsTakenWhole()
        {
            // A line of exactly MaxBytes characters whose last word matters.
            string tail = " selftest exit";
            string text = new string('a', CommandLine.MaxBytes - tail.Length) + tail;
            Assert.That(text.Length, Is.EqualTo(CommandLine.MaxBytes));
            var c = CommandLine.Parse(text, Names);
            Assert.That(c.ErrorCount, Is.EqualTo(0));
            Assert.That(c.ExitWhenDone && c.SelfTest, Is.True);
        }

        [Test]
        public void OverlongLineIsRefusedWhole()
        {
            string text = "selftest " + new string('a', CommandLine.MaxBytes) + " exit";
            var c = CommandLine.Parse(text, Names);
            Assert.That(Errors(c), Is.EqualTo(new[] { "command line longer than 65536 characters: refused whole (no word of it is used)" }));
            Assert.That(c.SelfTest, Is.False, "no word applied, not even those before the limit");
            Assert.That(c.ExitWhenDone, Is.False);
            Assert.That(c.UnknownCount, Is.EqualTo(0));
        }
    }
}
