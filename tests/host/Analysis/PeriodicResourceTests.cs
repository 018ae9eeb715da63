using NUnit.Framework;
using Osprey.Sched.Analysis;
using Osprey.Sched.Workload;

namespace Osprey.Tests.Analysis
{
    [TestFixture]
    public class PeriodicResourceTests
    {
        const long Ms = 1000000;

        [Test]
        public void Supply_has_the_blackout_then_the_slice_each_period()
        {
            // Gamma(10, 4): nothing for 2(10 - 4) = 12, then 4 per 10.
            long[] t = { 0, 6, 12, 13, 16, 20, 22, 26, 32, 36 };
            long[] s = { 0, 0, 0, 1, 4, 4, 4, 8, 8, 12 };
            for (int i = 0; i < t.Length; i++) Assert.That(PeriodicResourceAnalysis.Supply(t[i], 10, 4), Is.EqualTo(s[i]), "sbf(" + t[i] + ")");
            // A full share supplies everything.
            Assert.That(PeriodicResourceAnalysis.Supply(17, 10, 10), Is.EqualTo(17));
        }

        // Brute force over the worst pattern (period 0's slice as early as it can be, every later
        // one as late): the least supply of a window of length t over every integer start.
        static long BruteSupply(long t, long p, long q)
        {
            long best = long.MaxValue;
            for (long start = 0; start < 2 * p; start++)
            {
                long got = 0;
                for (long x = start; x < start + t; x++)
                {
                    long k = x / p, off = x % p;
                    bool on = k == 0 ? off < q : off >= p - q;
                    if (on) got++;
                }
                if (got < best) best = got;
            }
            return best;
        }

        [Test]
        public void Supply_matches_a_brute_force_worst_placement()
        {
            for (long p = 2; p <= 9; p++)
                for (long q = 1; q <= p; q++)
                    for (long t = 0; t <= 4 * p; t++)
                        Assert.That(PeriodicResourceAnalysis.Supply(t, p, q), Is.EqualTo(BruteSupply(t, p, q)), "P=" + p + " Q=" + q + " t=" + t);
        }

        static SupplyResult Guest(string slice, string period, string tasks, string dilation = "1/1")
        {
            string text = "guest name=os dilation=" + dilation + "\n image osprey\n vcore period=" + period + " slice=" + slice + "\n workload\n scheduler edf\n" + tasks + " end workload\nend\n";
            ParseResult r = WorkloadParser.ParseText(text);
            Assert.That(r.Ok, Is.True, r.Error);
            Assert.That(r.Workload.GuestErrors.Length, Is.EqualTo(0), string.Join(" | ", r.Workload.GuestErrors));
            string why;
            SupplyResult s = GuestSupplyAnalysis.Of(r.Workload.Guests[0], out why);
            Assert.That(s, Is.Not.Null, why);
            return s;
        }

        [Test]
        public void A_guest_set_within_its_slice_is_guaranteed()
        {
            // 1 ms every 20 ms on 5 ms every 10 ms: blackout 10 ms, sbf(20 ms) = 5 ms >= 1 ms.
            SupplyResult r = Guest("5ms", "10ms", " periodic name=a wcet=1ms period=20ms\n");
            Assert.That(r.Decided && r.Schedulable, Is.True, r.Reason);
            Assert.That(r.Checked, Is.GreaterThan(0));
        }

        [Test]
        public void Above_the_share_or_past_the_blackout_it_is_not()
        {
            // 2 ms every 10 ms (20%) on 5 ms every 50 ms (10%).
            SupplyResult r = Guest("5ms", "50ms", " periodic name=a wcet=2ms period=10ms\n");
            Assert.That(r.Decided, Is.True);
            Assert.That(r.Schedulable, Is.False);
            Assert.That(r.Reason, Does.Contain("utilization 200000 ppm above the core's share 100000 ppm"));
            // 1 ms every 20 ms (5%) on 10%: within the share, but the 90 ms blackout passes its deadline.
            r = Guest("5ms", "50ms", " periodic name=a wcet=1ms period=20ms\n");
            Assert.That(r.Schedulable, Is.False);
            Assert.That(r.TimePoint, Is.EqualTo(20 * Ms));
            Assert.That((r.Demand, r.Supply), Is.EqualTo((1 * Ms, 0L)));
        }

        [Test]
        public void Dilation_turns_guest_time_into_host_time()
        {
            // Guest clock at half speed (dilation 1/2): 1 ms every 10 ms of guest time is
            // 2 ms every 20 ms of host time, 10%: fits 5 ms every 10 ms (blackout 10, sbf(20) = 5).
            SupplyResult r = Guest("5ms", "10ms", " periodic name=a wcet=1ms period=10ms\n", "1/2");
            Assert.That(r.Schedulable, Is.True, r.Reason);
            // At dilation 2/1 the same set is 0.5 ms every 5 ms of host time: deadline 5 ms inside the blackout.
            r = Guest("5ms", "10ms", " periodic name=a wcet=1ms period=10ms\n", "2/1");
            Assert.That(r.Schedulable, Is.False);
            Assert.That(r.TimePoint, Is.EqualTo(5 * Ms));
        }

        [Test]
        public void Only_edf_and_periodic_tasks_are_analysed()
        {
            string text = "guest name=os\n image osprey\n vcore period=10ms slice=5ms\n workload\n scheduler priority\n periodic name=a wcet=1ms period=20ms\n end workload\nend\n";
            ParseResult p = WorkloadParser.ParseText(text);
            Assert.That(p.Ok && p.Workload.Guests.Length == 1, Is.True, p.Error);
            string why;
            Assert.That(GuestSupplyAnalysis.Of(p.Workload.Guests[0], out why), Is.Null);
            Assert.That(why, Does.Contain("scheduler is priority"));
            Assert.That(GuestSupplyAnalysis.Describe(p.Workload.Guests[0]), Does.Contain("not analysed"));
        }
    }
}
