using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using NUnit.Framework;

namespace Osprey.Tests.Flash;

/// <summary>
/// qemu/flash.sh against fake sysfs trees, fake /proc/mounts and a regular
/// file standing in for the device (FLASH_FAKE_BLOCKDEV=1). Writes are only
/// ever dry runs (FLASH_DRY_RUN=1).
/// </summary>
[TestFixture]
public class FlashScriptTests
{
    string _t = "";
    string Sys => Path.Combine(_t, "sys");
    string Dev => Path.Combine(_t, "dev");
    string Mounts => Path.Combine(_t, "mounts");
    string Swaps => Path.Combine(_t, "swaps");
    string Iso => Path.Combine(_t, "kernel.iso");

    static string ScriptPath([CallerFilePath] string here = "")
    {
        var candidates = new List<string>();
        if (here.Length > 0)
            candidates.Add(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "qemu", "flash.sh")));
        foreach (var start in new[] { TestContext.CurrentContext.TestDirectory, Directory.GetCurrentDirectory() })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                candidates.Add(Path.Combine(d.FullName, "qemu", "flash.sh"));
        foreach (var c in candidates)
            if (File.Exists(c)) return c;
        Assert.Fail("qemu/flash.sh not found");
        return "";
    }

    [SetUp]
    public void SetUp()
    {
        _t = Path.Combine(Path.GetTempPath(), "flash-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dev);
        Directory.CreateDirectory(Sys);
        File.WriteAllText(Mounts, "sysfs /sys sysfs rw 0 0\n/dev/nvme0n1p2 / ext4 rw 0 0\n/dev/nvme0n1p1 /boot/efi vfat rw 0 0\n");
        File.WriteAllText(Swaps, "Filename\tType\tSize\tUsed\tPriority\n/dev/nvme0n1p3 partition 1000 0 -2\n");
        MakeIso(Iso, 200_000);
        // The machine's own NVMe disk, and a USB stick with one partition.
        AddDisk("nvme0n1", removable: false, devicePath: "devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0",
                partitions: new[] { "nvme0n1p1", "nvme0n1p2", "nvme0n1p3" });
        AddDisk("sdb", removable: true, devicePath: "devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0",
                partitions: new[] { "sdb1" }, vendor: "SanDisk ", model: "Cruzer Blade    ");
    }

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_t, true); } catch (IOException) { }
    }

    static void MakeIso(string path, int size)
    {
        var b = new byte[size];
        b[32768] = 1; // volume descriptor type: primary
        "CD001"u8.CopyTo(b.AsSpan(32769));
        b[32774] = 1;
        File.WriteAllBytes(path, b);
    }

    void AddDisk(string name, bool removable, string devicePath, string[] partitions,
                 string vendor = "ATA", string model = "Disk", long sectors = 31_116_288)
    {
        string dev = Path.Combine(Sys, devicePath);
        Directory.CreateDirectory(dev);
        File.WriteAllText(Path.Combine(dev, "vendor"), vendor + "\n");
        File.WriteAllText(Path.Combine(dev, "model"), model + "\n");
        string blk = Path.Combine(Sys, "block", name);
        Directory.CreateDirectory(Path.Combine(blk, "holders"));
        File.CreateSymbolicLink(Path.Combine(blk, "device"), Path.GetRelativePath(blk, dev));
        File.WriteAllText(Path.Combine(blk, "removable"), removable ? "1\n" : "0\n");
        File.WriteAllText(Path.Combine(blk, "size"), sectors + "\n");
        Directory.CreateDirectory(Path.Combine(Sys, "class", "block"));
        File.CreateSymbolicLink(Path.Combine(Sys, "class", "block", name), Path.GetRelativePath(Path.Combine(Sys, "class", "block"), blk));
        File.WriteAllText(Path.Combine(Dev, name), "");
        foreach (var p in partitions)
        {
            string pd = Path.Combine(blk, p);
            Directory.CreateDirectory(Path.Combine(pd, "holders"));
            File.WriteAllText(Path.Combine(pd, "partition"), "1\n");
            File.CreateSymbolicLink(Path.Combine(Sys, "class", "block", p), Path.GetRelativePath(Path.Combine(Sys, "class", "block"), pd));
            File.WriteAllText(Path.Combine(Dev, p), "");
        }
    }

    (int code, string output) Flash(string? stdin, params string[] args) => FlashEnv(stdin, null, args);

    (int code, string output) FlashEnv(string? stdin, Dictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ScriptPath());
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["FLASH_SYSFS"] = Sys;
        psi.Environment["FLASH_PROC_MOUNTS"] = Mounts;
        psi.Environment["FLASH_PROC_SWAPS"] = Swaps;
        psi.Environment["FLASH_FAKE_BLOCKDEV"] = "1";
        psi.Environment["FLASH_DRY_RUN"] = "1";
        if (env != null)
            foreach (var kv in env) psi.Environment[kv.Key] = kv.Value;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var outp = p.StandardOutput.ReadToEndAsync();
        if (stdin != null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        Assert.That(p.WaitForExit(20_000), Is.True, "flash.sh hung");
        return (p.ExitCode, outp.Result + err.Result);
    }

    string D(string name) => Path.Combine(Dev, name);

    static void AssertNothingDone(string output)
    {
        Assert.That(output, Does.Not.Contain("DRY RUN"), "a refused run must not unmount or write");
        Assert.That(output, Does.Contain("nothing was written"));
    }

    [Test]
    public void HappyPath_DryRunWithYes()
    {
        var (code, output) = Flash(null, Iso, D("sdb"), "--yes");
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("SanDisk Cruzer Blade, 14.8 GiB"));
        Assert.That(output, Does.Contain($"DRY RUN: dd if={Iso} of={D("sdb")} bs=4M conv=fsync oflag=direct status=progress"));
        Assert.That(output, Does.Contain("DRY RUN: sync"));
        Assert.That(output, Does.Not.Contain("umount"));
        Assert.That(output, Does.Not.Contain("Type 'yes'"));
    }

    [Test]
    public void HappyPath_TypingYes()
    {
        var (code, output) = Flash("yes\n", Iso, D("sdb"));
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("Type 'yes' to write the image"));
        Assert.That(output, Does.Contain("DRY RUN: dd "));
    }

    [Test]
    public void ThroughASymlink_LikeDevDiskById()
    {
        Directory.CreateDirectory(Path.Combine(Dev, "disk", "by-id"));
        string link = Path.Combine(Dev, "disk", "by-id", "usb-SanDisk_Cruzer_Blade-0:0");
        File.CreateSymbolicLink(link, "../../sdb");
        var (code, output) = Flash(null, Iso, link, "--yes");
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("(/dev/sdb)"));
    }

    [TestCase("no\n")]
    [TestCase("YES\n")]
    [TestCase("y\n")]
    [TestCase("")]
    public void AnythingButYes_Aborts(string answer)
    {
        var (code, output) = Flash(answer, Iso, D("sdb"));
        Assert.That(code, Is.EqualTo(14), output);
        Assert.That(output, Does.Contain("aborted"));
        AssertNothingDone(output);
    }

    [Test]
    public void Usage()
    {
        Assert.That(Flash(null).code, Is.EqualTo(2));
        Assert.That(Flash(null, Iso).code, Is.EqualTo(2));
        Assert.That(Flash(null, Iso, D("sdb"), "--force").code, Is.EqualTo(2));
    }

    [Test]
    public void MissingImage()
    {
        var (code, output) = Flash(null, Path.Combine(_t, "nope.iso"), D("sdb"), "--yes");
        Assert.That(code, Is.EqualTo(3));
        Assert.That(output, Does.Contain("does not exist"));
        AssertNothingDone(output);
    }

    [Test]
    public void NotAnIso()
    {
        string elf = Path.Combine(_t, "kernel.elf");
        File.WriteAllBytes(elf, new byte[100_000]);
        var (code, output) = Flash(null, elf, D("sdb"), "--yes");
        Assert.That(code, Is.EqualTo(4));
        Assert.That(output, Does.Contain("not an ISO9660 image"));
        AssertNothingDone(output);

        string tiny = Path.Combine(_t, "tiny");
        File.WriteAllText(tiny, "CD001");
        Assert.That(Flash(null, tiny, D("sdb"), "--yes").code, Is.EqualTo(4));
    }

    [Test]
    public void MissingDevice()
    {
        var (code, output) = Flash(null, Iso, D("sdz"), "--yes");
        Assert.That(code, Is.EqualTo(5));
        Assert.That(output, Does.Contain("does not exist"));
        AssertNothingDone(output);
    }

    [Test]
    public void NotABlockDevice()
    {
        var (code, output) = FlashEnv(null, new() { ["FLASH_FAKE_BLOCKDEV"] = "0" }, Iso, D("sdb"), "--yes");
        Assert.That(code, Is.EqualTo(6));
        Assert.That(output, Does.Contain("is not a block device"));
        AssertNothingDone(output);
        // Even in fake mode a directory is not a device.
        Assert.That(Flash(null, Iso, Dev, "--yes").code, Is.EqualTo(6));
    }

    [Test]
    public void Partition()
    {
        var (code, output) = Flash(null, Iso, D("sdb1"), "--yes");
        Assert.That(code, Is.EqualTo(7));
        Assert.That(output, Does.Contain("is a partition (sdb1); give the whole disk, e.g. /dev/sdb"));
        AssertNothingDone(output);
    }

    [Test]
    public void NotInSysBlock()
    {
        File.WriteAllText(D("loop7"), "");
        var (code, output) = Flash(null, Iso, D("loop7"), "--yes");
        Assert.That(code, Is.EqualTo(8));
        Assert.That(output, Does.Contain("not a whole disk listed in"));
        AssertNothingDone(output);
    }

    [Test]
    public void NotRemovable()
    {
        // The machine's own disk (and it is not on USB either): removable is checked first.
        var (code, output) = Flash(null, Iso, D("nvme0n1"), "--yes");
        Assert.That(code, Is.EqualTo(9));
        Assert.That(output, Does.Contain("not a removable disk"));
        AssertNothingDone(output);

        // A USB disk that reports non-removable (e.g. a USB SSD) is refused too.
        AddDisk("sdc", removable: false, devicePath: "devices/pci0000:00/0000:00:14.0/usb3/3-1/3-1:1.0/host7/target7:0:0/7:0:0:0",
                partitions: Array.Empty<string>());
        Assert.That(Flash(null, Iso, D("sdc"), "--yes").code, Is.EqualTo(9));
    }

    [Test]
    public void NotOnUsb()
    {
        // An SD card in a PCI reader: removable, but not USB.
        AddDisk("mmcblk0", removable: true, devicePath: "devices/pci0000:00/0000:00:1c.0/0000:02:00.0/mmc_host/mmc0/mmc0:0001",
                partitions: new[] { "mmcblk0p1" });
        var (code, output) = Flash(null, Iso, D("mmcblk0"), "--yes");
        Assert.That(code, Is.EqualTo(10));
        Assert.That(output, Does.Contain("is not on USB"));
        AssertNothingDone(output);
        // Its partition is refused as a partition, naming the disk.
        var (pcode, poutput) = Flash(null, Iso, D("mmcblk0p1"), "--yes");
        Assert.That(pcode, Is.EqualTo(7));
        Assert.That(poutput, Does.Contain("e.g. /dev/mmcblk0"));
    }

    [TestCase("/dev/sdb1 / ext4 rw 0 0\n")]
    [TestCase("/dev/sdb1 /boot ext4 rw 0 0\n")]
    [TestCase("/dev/sdb1 /boot/efi vfat rw 0 0\n")]
    [TestCase("/dev/sdb / ext4 rw 0 0\n")]
    public void SystemDisk_IsRefused_EvenWithUnmount(string mountLine)
    {
        File.AppendAllText(Mounts, mountLine);
        var (code, output) = Flash(null, Iso, D("sdb"), "--yes", "--unmount");
        Assert.That(code, Is.EqualTo(11), output);
        Assert.That(output, Does.Contain("holds a system filesystem"));
        AssertNothingDone(output);
    }

    [Test]
    public void SwapOnTheDisk_IsASystemDisk()
    {
        File.AppendAllText(Swaps, "/dev/sdb1 partition 1000 0 -3\n");
        var (code, output) = Flash(null, Iso, D("sdb"), "--yes");
        Assert.That(code, Is.EqualTo(11));
        Assert.That(output, Does.Contain("as swap"));
    }

    [Test]
    public void MountedPartition_IsRefused()
    {
        File.AppendAllText(Mounts, "/dev/sdb1 /media/user/MY\\040STICK vfat rw 0 0\n");
        var (code, output) = Flash(null, Iso, D("sdb"), "--yes");
        Assert.That(code, Is.EqualTo(12));
        Assert.That(output, Does.Contain("has mounted partitions (/dev/sdb1 on /media/user/MY STICK)"));
        AssertNothingDone(output);
    }

    [Test]
    public void MountedPartition_WithUnmount_UnmountsThenWrites()
    {
        File.AppendAllText(Mounts, "/dev/sdb1 /media/user/STICK vfat rw 0 0\n");
        var (code, output) = Flash("yes\n", Iso, D("sdb"), "--unmount");
        Assert.That(code, Is.EqualTo(0), output);
        int um = output.IndexOf("DRY RUN: umount -- /dev/sdb1", StringComparison.Ordinal);
        int dd = output.IndexOf("DRY RUN: dd ", StringComparison.Ordinal);
        Assert.That(um, Is.GreaterThan(0), output);
        Assert.That(dd, Is.GreaterThan(um));
    }

    [Test]
    public void MountedButDeclined_UnmountsNothing()
    {
        File.AppendAllText(Mounts, "/dev/sdb1 /media/user/STICK vfat rw 0 0\n");
        var (code, output) = Flash("no\n", Iso, D("sdb"), "--unmount");
        Assert.That(code, Is.EqualTo(14));
        AssertNothingDone(output);
    }

    [Test]
    public void HeldByDeviceMapper_IsRefused()
    {
        File.WriteAllText(Path.Combine(Sys, "block", "sdb", "sdb1", "holders", "dm-0"), "");
        var (code, output) = Flash(null, Iso, D("sdb"), "--yes", "--unmount");
        Assert.That(code, Is.EqualTo(12));
        Assert.That(output, Does.Contain("sdb1 is held by dm-0"));
        AssertNothingDone(output);
    }

    [Test]
    public void NoMediumOrTooSmall()
    {
        File.WriteAllText(Path.Combine(Sys, "block", "sdb", "size"), "0\n");
        var (code, output) = Flash(null, Iso, D("sdb"), "--yes");
        Assert.That(code, Is.EqualTo(13));
        Assert.That(output, Does.Contain("no medium"));

        File.WriteAllText(Path.Combine(Sys, "block", "sdb", "size"), "100\n"); // 51,200 bytes
        (code, output) = Flash(null, Iso, D("sdb"), "--yes");
        Assert.That(code, Is.EqualTo(13));
        Assert.That(output, Does.Contain("smaller than the image"));
        AssertNothingDone(output);
    }

    [Test]
    public void OtherDisksMounts_DoNotMatter()
    {
        // /dev/sdb10 or /dev/sdbx are not partitions of sdb.
        File.AppendAllText(Mounts, "/dev/sdb10 /mnt/a ext4 rw 0 0\n/dev/sda1 /mnt/b ext4 rw 0 0\n");
        var (code, output) = Flash(null, Iso, D("sdb"), "--yes");
        Assert.That(code, Is.EqualTo(0), output);
    }
}
