namespace Osprey.Sched
{
    /// <summary>
    /// A timer event: an intrusive tree node keyed by absolute expiry. The
    /// owner embeds (or derives) it and overrides Fire; no delegates.
    /// </summary>
    public abstract class Watchdog : RbNode
    {
        public bool IsArmed { get { return InTree; } }
        /// <summary>Absolute expiry of the last arming (kept after it fires).</summary>
        public long Expiry { get { return Key; } }

        /// <summary>
        /// Called by TimerQueue.FireDue once Expiry &lt;= now, after the watchdog
        /// has been unlinked; it may re-arm itself, but only for a time later
        /// than its expiry (otherwise FireDue would fire it again at once).
        /// </summary>
        public abstract void Fire(long now);
    }

    /// <summary>
    /// Pending watchdogs of one CPU in a red-black tree ordered by expiry
    /// (FIFO among equal expiries). Invariant: after every public operation
    /// the platform one-shot is armed for the earliest expiry, or
    /// long.MaxValue when none is pending.
    /// </summary>
    public sealed class TimerQueue
    {
        readonly RbTree tree = new RbTree();
        readonly Platform platform;
        long armed = long.MaxValue;
        bool firing;

        public TimerQueue(Platform platform)
        {
            this.platform = platform;
        }

        public int Count { get { return tree.Count; } }
        public long ArmedFor { get { return armed; } }
        public RbTree Tree { get { return tree; } }

        /// <summary>Earliest expiry, or long.MaxValue.</summary>
        public long NextExpiry
        {
            get { RbNode f = tree.First; return f == null ? long.MaxValue : f.Key; }
        }

        /// <summary>Arm (or re-arm) w for absolute time expiry. O(log n).</summary>
        public void Insert(Watchdog w, long expiry)
        {
            if (w.InTree) tree.Remove(w);
            tree.Insert(w, expiry);
            if (!firing) Rearm();
        }

        /// <summary>Disarm w; disarming an idle watchdog is a no-op. O(log n).</summary>
        public void Cancel(Watchdog w)
        {
            if (!w.InTree) return;
            tree.Remove(w);
            if (!firing) Rearm();
        }

        /// <summary>Fire every watchdog with expiry &lt;= now in expiry order; returns how many.</summary>
        public int FireDue(long now)
        {
            int fired = 0;
            bool outer = !firing;
            firing = true;
            while (true)
            {
                RbNode f = tree.First;
                if (f == null || f.Key > now) break;
                tree.Remove(f);
                Watchdog w = f as Watchdog;
                fired++;
                if (w != null) w.Fire(now);
            }
            if (outer)
            {
                firing = false;
                Rearm();
            }
            return fired;
        }

        void Rearm()
        {
            long e = NextExpiry;
            if (e != armed)
            {
                armed = e;
                platform.ArmTimer(e);
            }
        }

        public string Check()
        {
            string e = tree.Check();
            if (e != null) return e;
            if (!firing && armed != NextExpiry) return "platform armed for " + armed + " but earliest is " + NextExpiry;
            return null;
        }
    }
}
