using NUnit.Framework;
using Osprey.Kernel.Time;

namespace Osprey.Tests.Time
{
    [TestFixture]
    public class ReferenceMathTests
    {
        [TestCase(100UL, 250UL, 24, 150UL)]
        [TestCase(0xFFFFF0UL, 0x10UL, 24, 0x20UL)]                 // a 24-bit PM timer wrapped once
        [TestCase(0xFFFFFFF0UL, 0x10UL, 32, 0x20UL)]               // a 32-bit counter wrapped
        [TestCase(0x1FFFFFFF0UL, 0x100000010UL, 32, 0x20UL)]       // bits above the width are ignored
        [TestCase(ulong.MaxValue - 5, 4UL, 64, 10UL)]              // a 64-bit HPET counter wrapped
        [TestCase(7UL, 7UL, 24, 0UL)]
        public void ElapsedWrapsAtTheCounterWidth(ulong a, ulong b, int bits, ulong expected)
        {
            Assert.That(ReferenceMath.Elapsed(a, b, bits), Is.EqualTo(expected));
        }

        [Test]
        public void RateAgainstEachReference()
        {
            // 10 ms of a 2.5 GHz TSC against each reference's ticks in 10 ms.
            Assert.That(ReferenceMath.RateHz(25000000, 1000000, 100000000), Is.EqualTo(2500000000UL), "HPET at 100 MHz");
            Assert.That(ReferenceMath.RateHz(25000000, 35795, ReferenceMath.PmTimerHz), Is.EqualTo(2500031429UL), "PM timer: 35,795 ticks are 9.99987 ms");
            Assert.That(ReferenceMath.RateHz(25000000, 11932, 1193182), Is.EqualTo(2499962286UL), "PIT: 11,932 ticks are 10.0002 ms");
            Assert.That(ReferenceMath.RateHz(3, 2, 1), Is.EqualTo(2UL), "1.5 rounds to nearest");
        }

        [Test]
        public void RateRefusesWhatItCannotCompute()
        {
            Assert.That(ReferenceMath.RateHz(1000, 0, 100), Is.EqualTo(0UL), "no reference ticks");
            Assert.That(ReferenceMath.RateHz(ulong.MaxValue / 2, 10, 3), Is.EqualTo(0UL), "product overflows");
            Assert.That(ReferenceMath.RateHz(100000000, 10000000, 1000000000), Is.EqualTo(10000000000UL), "10 ms of 10 GHz against 1 GHz: the product 10^17 fits");
            Assert.That(ReferenceMath.RateHz(1UL << 56, 10000000, 1000000000), Is.EqualTo(0UL), "2^56 x 10^9 does not");
        }

        [TestCase(0x0098968000000000UL, 100000000UL)]   // QEMU: 10,000,000 fs = 10 ns
        [TestCase(0x0429B17F00000000UL, 14318180UL)]    // the classic 14.31818 MHz (69,841,279 fs)
        [TestCase(0x05F5E10000000000UL, 10000000UL)]    // the slowest allowed: 100 ns
        [TestCase(0x05F5E10100000000UL, 0UL)]           // 1 fs slower than allowed
        [TestCase(0x00000000FFFFFFFFUL, 0UL)]           // period 0
        public void HpetRateFromCapabilities(ulong caps, ulong expected)
        {
            Assert.That(ReferenceMath.HpetHz(caps), Is.EqualTo(expected));
        }

        [Test]
        public void HpetCounterWidth()
        {
            Assert.That(ReferenceMath.HpetCounterBits(0x8086A201UL), Is.EqualTo(64), "COUNT_SIZE_CAP set (QEMU's value)");
            Assert.That(ReferenceMath.HpetCounterBits(0x80868201UL), Is.EqualTo(32), "the same without bit 13");
        }

        [Test]
        public void WindowTicks()
        {
            Assert.That(ReferenceMath.WindowTicks(100000000, 10000000), Is.EqualTo(1000000UL));
            Assert.That(ReferenceMath.WindowTicks(ReferenceMath.PmTimerHz, 10000000), Is.EqualTo(35790UL), "kHz first: a few ppm short");
            Assert.That(ReferenceMath.WindowTicks(10, 1), Is.EqualTo(1UL), "never 0");
        }

        [Test]
        public void NamesRoundTrip()
        {
            foreach (CalibrationSource s in new[] { CalibrationSource.Auto, CalibrationSource.Pit, CalibrationSource.Hpet, CalibrationSource.PmTimer })
            {
                Assert.That(ReferenceMath.TryParse(ReferenceMath.Name(s), out CalibrationSource back), Is.True);
                Assert.That(back, Is.EqualTo(s));
            }
            Assert.That(ReferenceMath.TryParse("tsc", out _), Is.False);
            Assert.That(ReferenceMath.TryParse(null, out _), Is.False);
        }
    }

    [TestFixture]
    public class TimeScaleTests
    {
        [Test]
        public void RatioConvertsBothWays()
        {
            TimeScale toNs = TimeScale.Ratio(1000000000, 2595811000);   // TSC ticks -> ns at 2.595811 GHz
            Assert.That(toNs.Apply(2595811000), Is.InRange(999999999UL, 1000000000UL), "one second of ticks");
            TimeScale toTicks = TimeScale.Ratio(2595811000, 1000000000);
            Assert.That(toTicks.Apply(1000000000), Is.InRange(2595810999UL, 2595811000UL));
            Assert.That(TimeScale.Ratio(1, 0).Apply(12345), Is.EqualTo(0UL), "a zero denominator scales to 0, not a fault");
        }

        [Test]
        public void LargeValuesUseThe128BitProduct()
        {
            TimeScale s = TimeScale.Ratio(3, 1);
            Assert.That(s.Apply(1UL << 60), Is.EqualTo(3UL << 60), "(2^60 * mult) overflows 64 bits, the result does not");
            TimeScale.Mul128(ulong.MaxValue, ulong.MaxValue, out ulong hi, out ulong lo);
            Assert.That(hi, Is.EqualTo(ulong.MaxValue - 1));
            Assert.That(lo, Is.EqualTo(1UL));
            Assert.That(TimeScale.MulShift(1UL << 63, 4, 2), Is.EqualTo(1UL << 63));
        }
    }
}
