namespace Osprey.Sched
{
    /// <summary>
    /// Named scheduler instances selectable by configuration (the kernel's
    /// sched=NAME, the workload file's policy). Adding a policy: write the
    /// class, add one line to Entries.
    /// </summary>
    public static class SchedulerTable
    {
        // One prototype per policy; Create clones it with CreateInstance so
        // every core gets its own ready queues.
        static readonly Scheduler[] Entries = new Scheduler[]
        {
            new PriorityScheduler(),
            new EdfScheduler(),
            new CbsScheduler(),
            new VcoreScheduler(),
            new GlobalEdfScheduler(),
        };

        public static int Count { get { return Entries.Length; } }

        public static string NameAt(int index)
        {
            if (index < 0 || index >= Entries.Length) return null;
            return Entries[index].Name;
        }

        /// <summary>"priority, edf, cbs, vcore, gedf".</summary>
        public static string Names()
        {
            string s = "";
            for (int i = 0; i < Entries.Length; i++)
            {
                if (i > 0) s = s + ", ";
                s = s + Entries[i].Name;
            }
            return s;
        }

        public static bool Contains(string name) { return IndexOf(name) >= 0; }

        static int IndexOf(string name)
        {
            if (name == null) return -1;
            for (int i = 0; i < Entries.Length; i++)
                if (Entries[i].Name == name) return i;
            return -1;
        }

        /// <summary>
        /// A new instance of the named policy, or null with error set to a
        /// message naming the bad name and the known ones. Never throws.
        /// </summary>
        public static Scheduler Create(string name, out string error)
        {
            int i = IndexOf(name);
            if (i < 0)
            {
                error = "unknown scheduler '" + (name == null ? "(null)" : name) + "'; known: " + Names();
                return null;
            }
            error = null;
            return Entries[i].CreateInstance();
        }
    }
}
