using NUnit.Framework;
using Osprey.Sched.Workload;

namespace Osprey.Tests.Workload
{
    // A guest's own workload inside its guest block: 'workload' ... 'end workload'.
    [TestFixture]
    public class NestedWorkloadTests
    {
        static ParseResult P(string text) { return WorkloadParser.ParseText(text); }

        // The guest's own file: a guest block of its own (whose 'end' is not the host's).
        const string Inner =
            "  scheduler edf\n" +
            "  periodic name=a wcet=1ms period=10ms\n" +
            "  guest name=inner workload=hog\n" +
            "    vcore period=10ms slice=1ms\n" +
            "  end\n" +
            "  duration 200ms\n";

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
        public void An_osprey_guest_keeps_the_text_as_it_stands()
        {
            string text = "periodic name=h wcet=1ms period=10ms\nguest name=os\n  image osprey\n  memory 64M\n  cmdline exit\n  vcore period=10ms slice=5ms\n  workload\n"
                + Inner + "  end workload\nend\n";
            ParseResult r = P(text);
            Assert.That(r.Ok, Is.True, r.Error);
            Assert.That(r.Workload.GuestErrors, Is.Empty);
            GuestSpec g = r.Workload.Guests[0];
            Assert.That(g.Image, Is.EqualTo(GuestImage.Osprey));
            Assert.That(g.NestedWorkload, Is.EqualTo(Inner), "the lines between, indentation kept");
            Assert.That(g.NestedWorkloadLine, Is.EqualTo(7));
            Assert.That(g.NestedSpec.Scheduler, Is.EqualTo(SchedulerKind.Edf));
            Assert.That(g.NestedSpec.Tasks.Length, Is.EqualTo(1));
            Assert.That(g.NestedSpec.Guests.Length, Is.EqualTo(1), "its own guest block");
            Assert.That(g.NestedSpec.Duration, Is.EqualTo(200000000L));
            Assert.That(r.Workload.Tasks.Length, Is.EqualTo(1));
            // The text parses on its own to the same set (what the guest kernel reads).
            ParseResult again = P(g.NestedWorkload);
            Assert.That(again.Ok, Is.True, again.Error);
            Assert.That(again.Workload.Tasks[0].Name, Is.EqualTo("a"));
        }

        [Test]
        public void An_osprey_guest_has_one_core_and_no_task_lines_of_its_block()
        {
            string e = GuestBad("guest name=os\nimage osprey\nvcore id=0 period=10ms slice=2ms\nvcore id=1 period=10ms slice=2ms\nend\n", 2, "image");
            Assert.That(e, Does.Contain("image osprey runs on one virtual core; it has 2 'vcore' lines"));
            e = GuestBad("guest name=os workload=periodic\nimage osprey\nvcore period=10ms slice=2ms\nperiodic name=a wcet=1ms period=10ms\nend\n", 4, "periodic");
            Assert.That(e, Does.Contain("give its tasks between 'workload' and 'end workload'"));
            // Without its own workload an Osprey guest boots with an empty module.
            ParseResult r = P("guest name=os\nimage osprey\ncmdline selftest=threads\nvcore period=10ms slice=5ms\nend\n");
            Assert.That(r.Ok && r.Workload.Guests.Length == 1, Is.True, r.Error);
            Assert.That(r.Workload.Guests[0].NestedWorkload, Is.Null);
            Assert.That(r.Workload.Guests[0].Cmdline, Is.EqualTo("selftest=threads"));
        }

        [Test]
        public void Its_end_lines_do_not_close_the_guest_block()
        {
            // A guest that boots no image cannot use the text: refused at its 'workload' line
            // (line 3), while the host task after the block (line 12) is still read as the host's.
            string text = "guest name=g workload=hog\n  vcore period=10ms slice=5ms\n  workload\n" + Inner + "  end workload\nend\n"
                + "periodic name=h wcet=1ms period=10ms\n";
            string e = GuestBad(text, 3, "workload");
            Assert.That(e, Does.Contain("guest 'g' has its own workload but boots no image"));
            Assert.That(P(text).Workload.Tasks.Length, Is.EqualTo(1));
            Assert.That(P(text).Workload.Tasks[0].Name, Is.EqualTo("h"));
            Assert.That(P(text).Workload.Tasks[0].Line, Is.EqualTo(12));
        }

        [Test]
        public void An_error_in_it_names_the_host_files_line()
        {
            // Line 3 of the inner text is line 6 of the file.
            string text = "guest name=g workload=hog\n  vcore period=10ms slice=5ms\n  workload\n"
                + "scheduler edf\nperiodic name=a wcet=1ms period=10ms\nperiodic name=b wcet=1ms period=soon\nend workload\nend\n"
                + "periodic name=h wcet=1ms period=10ms\n";
            string e = GuestBad(text, 6, "period");
            Assert.That(e, Does.Contain("in guest 'g''s own workload (its line 3)"));
            Assert.That(P(text).Workload.Tasks.Length, Is.EqualTo(1), "the host task after the guest is kept");
        }

        [Test]
        public void Not_closed()
        {
            string e = GuestBad("guest name=g workload=hog\nvcore period=10ms slice=5ms\nworkload\n" + Inner + "end\n", 3, "workload");
            Assert.That(e, Does.Contain("guest 'g''s own workload is not closed: add a line 'end workload'"));
        }

        [Test]
        public void Outside_a_guest_block_or_with_words_after_it()
        {
            ParseResult r = P("periodic name=h wcet=1ms period=10ms\nworkload\nend workload\n");
            Assert.That(r.Ok, Is.False);
            Assert.That(r.Line, Is.EqualTo(2));
            Assert.That(r.Error, Does.Contain("'workload' outside a guest block"));
            string e = GuestBad("guest name=g workload=hog\nvcore period=10ms slice=5ms\nworkload now\nend\n", 3, "");
            Assert.That(e, Does.Contain("takes nothing after it"));
        }

        [Test]
        public void A_guest_dropped_for_another_error_skips_its_text()
        {
            // The guest line is bad; its text's own 'end' must not end the skipping early
            // (else 'vcore' would be read outside any guest block and fail the file).
            string text = "guest name=g workload=spin\nworkload\n" + Inner + "  vcore period=10ms slice=1ms\nend workload\nvcore period=10ms slice=5ms\nend\n"
                + "periodic name=h wcet=1ms period=10ms\n";
            GuestBad(text, 1, "workload");
            Assert.That(P(text).Workload.Tasks.Length, Is.EqualTo(1));
        }

        [Test]
        public void Not_nested_twice_and_not_too_long()
        {
            string twice = "guest name=g workload=hog\nvcore period=10ms slice=5ms\nworkload\n"
                + "guest name=h workload=hog\nvcore period=10ms slice=1ms\nworkload\n";
            // The inner 'workload' (file line 6, inner line 3) is refused by the inner parse at the
            // first 'end workload', which closes the outer text.
            string e = GuestBad(twice + "end workload\nend\n", 6, "workload");
            Assert.That(e, Does.Contain("cannot give its guests a workload"));

            var big = new System.Text.StringBuilder("guest name=g workload=hog\nvcore period=10ms slice=5ms\nworkload\n");
            for (int i = 0; i < 3000; i++) big.Append("periodic name=t" + i + " wcet=1ms period=100ms\n");
            big.Append("end workload\nend\nperiodic name=h wcet=1ms period=10ms\n");
            ParseResult r = P(big.ToString());
            Assert.That(r.Ok, Is.True, r.Error);
            Assert.That(r.Workload.GuestErrors.Length, Is.EqualTo(1));
            Assert.That(r.Workload.GuestErrors[0], Does.Contain("field 'workload': guest 'g': its own workload (line 3) is longer than 65536 bytes"));
            Assert.That(r.Workload.Tasks.Length, Is.EqualTo(1), "the host task after the guest is kept");
        }
    }
}
