using System.IO;
using NUnit.Framework;
using Osprey.QemuRunner;

namespace Osprey.Tests.Vmm
{
    /// <summary>./build.sh run of a file with an Osprey guest: the kernel image goes along as the module 'osprey'.</summary>
    [TestFixture]
    public class OspreyRunCommandTests
    {
        [Test]
        public void Finds_the_image_line()
        {
            Assert.That(RunCommand.UsesOspreyGuest("guest name=os\n  image osprey   # itself\n  vcore period=10ms slice=5ms\nend\n"), Is.True);
            Assert.That(RunCommand.UsesOspreyGuest("guest name=os\r\nimage osprey\r\nend\r\n"), Is.True);
            Assert.That(RunCommand.UsesOspreyGuest("guest name=h\n  image hog\nend\n# image osprey\n"), Is.False);
            Assert.That(RunCommand.UsesOspreyGuest("guest name=h\n  image ospreys\nend\n"), Is.False);
        }

        [Test]
        public void A_run_with_an_osprey_guest_adds_the_module()
        {
            string f = Path.GetTempFileName();
            try
            {
                File.WriteAllText(f, "guest name=os\n image osprey\n vcore period=10ms slice=5ms\nend\n");
                var a = RunCommand.Arguments(new RunRequest { Workload = f }, "/r", out string err);
                Assert.That(err, Is.Null);
                string line = string.Join(" ", a);
                Assert.That(line, Does.Contain("-initrd " + f + " workload,/r/out/kernel.elf osprey"));
                Assert.That(line, Does.Contain("-cpu EPYC"), "every run has an SVM CPU");
                File.WriteAllText(f, "periodic name=a wcet=1ms period=10ms\n");
                line = string.Join(" ", RunCommand.Arguments(new RunRequest { Workload = f }, "/r", out err));
                Assert.That(line, Does.Not.Contain("osprey"));
            }
            finally { File.Delete(f); }
        }
    }
}
