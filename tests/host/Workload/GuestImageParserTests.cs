using NUnit.Framework;
using Osprey.Sched.Workload;

namespace Osprey.Tests.Workload
{
    // The guest block's image, memory and cmdline lines (sched/README.md, "Real guests").
    [TestFixture]
    public class GuestImageParserTests
    {
        static WorkloadSpec Ok(string text)
        {
            ParseResult r = WorkloadParser.ParseText(text);
            Assert.That(r.Ok, Is.True, r.Error);
            return r.Workload;
        }

        const string Core = "  vcore id=0 period=100ms slice=10ms cpu=0\n";

        [TestCase("hog", GuestImage.Hog, GuestKind.Hog)]
        [TestCase("idle", GuestImage.Idle, GuestKind.Idle)]
        [TestCase("runaway", GuestImage.Runaway, GuestKind.Runaway)]
        [TestCase("periodic", GuestImage.Periodic, GuestKind.Idle)]
        [TestCase("wild", GuestImage.Wild, GuestKind.Stops)]
        [TestCase("fault", GuestImage.Fault, GuestKind.Stops)]
        [TestCase("osprey", GuestImage.Osprey, GuestKind.Idle)]
        [TestCase("program-hog", GuestImage.Program, GuestKind.Hog)]
        [TestCase("program-idle", GuestImage.Program, GuestKind.Idle)]
        [TestCase("program-runaway", GuestImage.Program, GuestKind.Runaway)]
        public void Image_sets_the_image_and_the_model(string image, GuestImage img, GuestKind model)
        {
            WorkloadSpec w = Ok("guest name=g\n  image " + image + "\n" + Core + "end\n");
            Assert.That(w.GuestErrors, Is.Empty);
            Assert.That(w.Guests[0].Image, Is.EqualTo(img));
            Assert.That(w.Guests[0].Workload, Is.EqualTo(model));
            Assert.That(w.Guests[0].ImageLine, Is.EqualTo(2));
        }

        [Test]
        public void No_image_is_the_synthetic_program_as_before()
        {
            WorkloadSpec w = Ok("guest name=g workload=idle\n" + Core + "end\n");
            Assert.That(w.Guests[0].Image, Is.EqualTo(GuestImage.Program));
            Assert.That(w.Guests[0].RealImage, Is.False);
        }

        [Test]
        public void Memory_and_cmdline()
        {
            WorkloadSpec w = Ok("guest name=g\n  image osprey\n  memory 8M\n  cmdline selftest=threads  clock=exact\n" + Core + "end\n");
            Assert.That(w.Guests[0].MemoryBytes, Is.EqualTo(8L << 20));
            Assert.That(w.Guests[0].Cmdline, Is.EqualTo("selftest=threads clock=exact"));
            Assert.That(Ok("guest name=g\n  image hog\n  memory 1536K\n" + Core + "end\n").Guests[0].MemoryBytes, Is.EqualTo(1536L << 10));
        }

        static string Dropped(string text)
        {
            WorkloadSpec w = Ok(text);
            Assert.That(w.Guests, Is.Empty, "the guest is dropped");
            Assert.That(w.GuestErrors.Length, Is.EqualTo(1));
            return w.GuestErrors[0];
        }

        [Test]
        public void Errors_name_line_and_field()
        {
            Assert.That(Dropped("guest name=g\n  image doom\n" + Core + "end\n"), Does.StartWith("line 2: field 'image': expected osprey, hog"));
            Assert.That(Dropped("guest name=g\n  image hog\n  memory 512K\n" + Core + "end\n"), Does.StartWith("line 3: field 'memory': expected a multiple of 4K from 1M to 256M"));
            Assert.That(Dropped("guest name=g\n  image hog\n  memory 300M\n" + Core + "end\n"), Does.StartWith("line 3: field 'memory'"));
            Assert.That(Dropped("guest name=g\n  image hog\n  memory 4Q\n" + Core + "end\n"), Does.StartWith("line 3: field 'memory': expected a size"));
            Assert.That(Dropped("guest name=g\n  image hog\n  memory 1000001\n" + Core + "end\n"), Does.StartWith("line 3: field 'memory'"));
            Assert.That(Dropped("guest name=g workload=idle\n  image hog\n" + Core + "end\n"), Does.StartWith("line 2: field 'image': image hog runs as workload=hog"));
            Assert.That(Dropped("guest name=g workload=hog\n  memory 4M\n" + Core + "end\n"), Does.StartWith("line 2: field 'memory': guest 'g' runs a synthetic program"));
            Assert.That(Dropped("guest name=g\n  image hog\n  cmdline x\n" + Core + "end\n"), Does.StartWith("line 3: field 'cmdline': guest 'g': 'cmdline' is for image osprey only"));
            Assert.That(Dropped("guest name=g\n" + Core + "end\n"), Does.StartWith("line 1: field 'workload': missing"));
            Assert.That(Dropped("guest name=g\n  image hog\n  image idle\n" + Core + "end\n"), Does.StartWith("line 3: field 'image': given twice"));
        }

        [Test]
        public void Outside_a_guest_block_is_an_error()
        {
            ParseResult r = WorkloadParser.ParseText("image hog\n");
            Assert.That(r.Ok, Is.False);
            Assert.That(r.Error, Does.StartWith("line 1: field 'image': 'image' belongs inside a guest block"));
        }

        [Test]
        public void Lines_after_a_dropped_guest_keep_their_numbers()
        {
            WorkloadSpec w = Ok("guest name=g\n  image hog\n  cmdline x\n" + Core + "end\nguest name=h\n  image doom\n" + Core + "end\n");
            Assert.That(w.GuestErrors.Length, Is.EqualTo(2));
            Assert.That(w.GuestErrors[1], Does.StartWith("line 7: field 'image'"));
        }
    }
}
