using System;
using System.IO;
using System.Linq;
using NUnit.Framework;
using Osprey.QemuRunner;

namespace Osprey.Tests.Ktap;

/// <summary>The machine matrix's rows and QEMU command lines, and the runner's
/// --send-on keystrokes (with bash standing in for QEMU and GRUB).</summary>
[TestFixture]
public class MatrixTests
{
    [Test]
    public void DefaultRowsCoverEveryMachineFirmwareAndMemory()
    {
        var all = Matrix.Rows(false);
        Assert.That(all.Count, Is.EqualTo(21));
        Assert.That(all.Count(r => r.Screen), Is.EqualTo(1), "one screen row");
        var rows = all.Where(r => !r.Screen).ToList();
        Assert.That(rows.Count, Is.EqualTo(20));
        foreach (var m in Matrix.Machines)
            foreach (var f in Matrix.Firmwares)
            {
                foreach (var mem in Matrix.Memories)
                    Assert.That(rows.Count(r => r.Machine == m && r.Firmware == f && r.Memory == mem), Is.EqualTo(1), $"{m} {f} {mem}");
                foreach (var c in Matrix.Cpus)
                    Assert.That(rows.Any(r => r.Machine == m && r.Firmware == f && r.Cpu == c), Is.True, $"{c} on {m} {f}");
                foreach (var n in Matrix.CpuCounts)
                    Assert.That(rows.Any(r => r.Machine == m && r.Firmware == f && r.CpuCount == n), Is.True, $"-smp {n} on {m} {f}");
            }
        foreach (var c in Matrix.Cpus)
            foreach (var n in Matrix.CpuCounts)
                Assert.That(rows.Any(r => r.Cpu == c && r.CpuCount == n), Is.True, $"{c} with -smp {n}");
        Assert.That(all.Select(r => r.Label).Distinct().Count(), Is.EqualTo(all.Count), "labels are unique (they name the logs)");
    }

    [Test]
    public void FullRowsAreTheCrossProduct()
    {
        var rows = Matrix.Rows(true);
        Assert.That(rows.Count, Is.EqualTo(2 * 2 * 5 * 4 * 2 + 1));
        Assert.That(rows.Last(), Is.EqualTo(Matrix.ScreenRow));
        Assert.That(rows.Select(r => r.Label).Distinct().Count(), Is.EqualTo(rows.Count));
    }

    [Test]
    public void QemuArgsNameTheMachineAndFirmware()
    {
        var uefi = Matrix.QemuArgs(new Matrix.Row("q35", "UEFI", "EPYC", "8G", 4), "k.iso", "/fw/OVMF.fd");
        string u = string.Join(" ", uefi);
        Assert.That(u, Does.Contain("-machine q35 -cpu EPYC -smp 4 -m 8G"));
        Assert.That(u, Does.Contain("-bios /fw/OVMF.fd -cdrom k.iso"));
        Assert.That(u, Does.Contain("-device isa-debug-exit,iobase=0xf4,iosize=0x04"));
        var bios = string.Join(" ", Matrix.QemuArgs(new Matrix.Row("pc", "BIOS", "qemu64", "64M", 1), "k.iso", "/fw/OVMF.fd"));
        Assert.That(bios, Does.Not.Contain("-bios"));
        Assert.That(bios, Does.EndWith("-cdrom k.iso"));
        var screen = string.Join(" ", Matrix.QemuArgs(Matrix.ScreenRow, "k.iso", "/fw/OVMF.fd", "/tmp/m.sock"));
        Assert.That(screen, Does.Contain("-serial none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -monitor unix:/tmp/m.sock,server,nowait -bios /fw/OVMF.fd"));
        Assert.That(Matrix.ScreenRow.Label, Is.EqualTo("q35-uefi-qemu64-128M-smp1-screen"));
    }

    [Test]
    public void OnlyWithNoMatchIsAUsageError()
    {
        var sw = new StringWriter();
        Assert.That(RunnerApp.Run(new[] { "matrix", "--only", "no-such-row", "--list" }, sw), Is.EqualTo(2));
        Assert.That(sw.ToString(), Does.Contain("no row matches --only no-such-row"));
        sw = new StringWriter();
        Assert.That(RunnerApp.Run(new[] { "matrix", "--only", "q35-uefi", "--list" }, sw), Is.EqualTo(0));
        // The five serial boots and the screen row.
        Assert.That(sw.ToString().Trim().Split('\n').Length, Is.EqualTo(6));
    }

    [TestCase(new[] { "matrix", "--timeout", "0" }, "--timeout needs a positive number of seconds, got '0'")]
    [TestCase(new[] { "matrix", "--only" }, "--only")]
    [TestCase(new[] { "matrix", "--bogus" }, "--bogus")]
    public void BadMatrixOptionsAreUsageErrors(string[] args, string message)
    {
        var sw = new StringWriter();
        Assert.That(RunnerApp.Run(args, sw), Is.EqualTo(2), sw.ToString());
        Assert.That(sw.ToString(), Does.StartWith("KtapRunner matrix: "));
        Assert.That(sw.ToString(), Does.Contain(message));
        Assert.That(sw.ToString(), Does.Contain("usage: KtapRunner matrix [--full] [--only TEXT] [--list] [--iso FILE]"));
    }

    [Test]
    public void MissingIsoIsAClearError()
    {
        var sw = new StringWriter();
        Assert.That(RunnerApp.Run(new[] { "matrix", "--only", "screen", "--iso", "/nonexistent/k.iso" }, sw), Is.EqualTo(2));
        Assert.That(sw.ToString(), Does.Contain("no ISO at /nonexistent/k.iso"));
    }

    [TestCase("s", "s")]
    [TestCase(@"\e[B\r", "\x1B[B\r")]
    [TestCase(@"a\\b\n", "a\\b\n")]
    public void KeysAreUnescaped(string arg, string keys)
    {
        Assert.That(RunnerOptions.Unescape(arg, out string? error), Is.EqualTo(keys));
        Assert.That(error, Is.Null);
    }

    [Test]
    public void SendOnTypesTheKeyWhenThePromptAppearsMidLine()
    {
        // A menu that prints its prompt with no newline and boots what is
        // typed; the KTAP run passes only when 's' arrived.
        string dir = Path.Combine(Path.GetTempPath(), "matrix-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string script = "printf '\\033[5;3Hmenu: press enter to boot the selected OS, s for tests \\033[m'; " +
                "read -r -n 1 -t 10 k; echo; if [ \"$k\" = s ]; then printf 'KTAP version 1\\n1..1\\nok 1 picked\\n# selftest: pass=1 fail=0 skip=0 total=1\\n# selftest: end\\n'; exit 33; fi; echo \"got '$k'\"; exit 0";
            var args = new[] { "--label", "menu", "--timeout", "20", "--stall", "15", "--result", Path.Combine(dir, "r"),
                "--send-on", "to boot the selected OS", "s", "--", "bash", "-c", script };
            var sw = new StringWriter();
            Assert.That(RunnerApp.Run(args, sw), Is.EqualTo(0), sw.ToString());
            Assert.That(sw.ToString(), Does.Contain("1 passed, 0 failed"));
            // Without --send-on nothing is typed: the menu times out.
            var noKey = args.Where((a, i) => i < 8 || i > 10).ToArray();
            sw = new StringWriter();
            Assert.That(RunnerApp.Run(noKey, sw), Is.EqualTo(1), sw.ToString());
        }
        finally { Directory.Delete(dir, true); }
    }
}
