using Osprey.Sched;

namespace Osprey.Tests.Sched
{
    /// <summary>Deterministic platform: a clock the test advances; records timer and switch requests.</summary>
    public sealed class FakePlatform : Platform
    {
        public long Time;
        public long Armed = long.MaxValue;
        public int ArmCalls;
        public int SwitchRequests;

        public override long Now() { return Time; }
        public override void ArmTimer(long absoluteNs) { Armed = absoluteNs; ArmCalls++; }
        public override void RequestSwitch() { SwitchRequests++; }
    }

    /// <summary>
    /// A core on a fake platform with the loop a kernel or simulator runs:
    /// dispatch whenever asked, fire the one-shot when the clock reaches it.
    /// </summary>
    public sealed class Rig
    {
        public readonly FakePlatform P = new FakePlatform();
        public readonly SchedCore Core;
        public bool AutoDispatch = true;
        public bool CheckEveryStep = true;

        public Rig(string policy)
        {
            string err;
            Core = SchedCore.Create(P, policy, null, out err);
            NUnit.Framework.Assert.That(Core, NUnit.Framework.Is.Not.Null, err);
        }

        public Scheduler S { get { return Core.Scheduler; } }
        public SchedThread Exec { get { return Core.Executing; } }
        public long Now { get { return P.Time; } }

        public SchedThread Thread(int id, int prio)
        {
            var t = new SchedThread(id, prio, "t" + id);
            Core.AddThread(t);
            return t;
        }

        public SchedThread Started(int id, int prio)
        {
            var t = Thread(id, prio);
            Core.Start(t);
            Settle();
            return t;
        }

        /// <summary>Dispatch if a switch is pending, then check invariants.</summary>
        public void Settle()
        {
            if (AutoDispatch && Core.DispatchNeeded) Core.Dispatch();
            if (CheckEveryStep) Check();
        }

        public void Check()
        {
            string e = Core.CheckInvariants();
            NUnit.Framework.Assert.That(e, NUnit.Framework.Is.Null, e);
        }

        /// <summary>Advance the clock to 'to', firing the one-shot at each armed time on the way.</summary>
        public void RunUntil(long to)
        {
            while (P.Armed <= to)
            {
                if (P.Armed > P.Time) P.Time = P.Armed;
                Core.TimerFired(P.Time);
                Settle();
            }
            if (to > P.Time) P.Time = to;
            Core.Charge();
            Settle();
        }

        public void Advance(long ns) { RunUntil(P.Time + ns); }
    }
}
