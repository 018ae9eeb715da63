namespace Osprey.Kernel.Vmm
{
    // What the host keeps of an Osprey guest's console lines (portable): that
    // it found the paravirtual platform, its workload's 'total:' line (jobs
    // and deadline misses), its self-test summary ('# selftest: pass=P
    // fail=F skip=S total=T'), and a panic. The lines themselves are logged
    // as 'guest NAME: ...' as they come; these facts feed the host's report
    // and its tests.
    public sealed class OspreyGuestReport
    {
        public const string ParavirtPrefix = "osprey: paravirtual platform (OspreyVMM)";
        public const string TotalPrefix = "total: ";
        public const string SelfTestPrefix = "# selftest: pass=";

        public bool Paravirtual;
        public bool TotalSeen;
        public long Jobs, Misses;
        public string TotalLine;
        public bool SelfTestSeen;
        public long Pass, Fail, Skip, Total;
        public string SelfTestLine;
        public string PanicLine;
        /// <summary>The host's prediction for the guest's own workload (sched/analysis/GuestSupplyAnalysis.cs), set at load.</summary>
        public string Analysis;

        public void See(string line)
        {
            if (line == null) return;
            if (StartsWith(line, ParavirtPrefix)) { Paravirtual = true; return; }
            if (StartsWith(line, TotalPrefix))
            {
                // "total: N jobs, M deadline misses, ..." (sched/workload/RunReport.cs)
                int i = TotalPrefix.Length;
                long jobs, misses;
                if (Number(line, ref i, out jobs) && Word(line, ref i, " jobs, ") && Number(line, ref i, out misses) && Word(line, ref i, " deadline misses"))
                {
                    TotalSeen = true;
                    Jobs = jobs;
                    Misses = misses;
                    TotalLine = line;
                }
                return;
            }
            if (StartsWith(line, SelfTestPrefix))
            {
                int i = SelfTestPrefix.Length;
                long p, f, s, t;
                if (Number(line, ref i, out p) && Word(line, ref i, " fail=") && Number(line, ref i, out f) && Word(line, ref i, " skip=")
                    && Number(line, ref i, out s) && Word(line, ref i, " total=") && Number(line, ref i, out t))
                {
                    SelfTestSeen = true;
                    Pass = p; Fail = f; Skip = s; Total = t;
                    SelfTestLine = line;
                }
                return;
            }
            if (StartsWith(line, "osprey: PANIC") || line == "# selftest: panic") PanicLine = line;
        }

        /// <summary>One line for the host's report of the guest (empty when the guest said none of it).</summary>
        public string Summary()
        {
            string s = "";
            if (TotalSeen) s = "its workload: " + Jobs.ToString() + " jobs, " + Misses.ToString() + " deadline misses";
            if (SelfTestSeen) s = (s.Length > 0 ? s + "; " : "") + "its self-tests: pass=" + Pass.ToString() + " fail=" + Fail.ToString() + " skip=" + Skip.ToString() + " total=" + Total.ToString();
            if (PanicLine != null) s = (s.Length > 0 ? s + "; " : "") + "it panicked: '" + PanicLine + "'";
            if (!Paravirtual) s = (s.Length > 0 ? s + "; " : "") + "it did not report the paravirtual platform";
            return s;
        }

        static bool StartsWith(string s, string p)
        {
            if (s.Length < p.Length) return false;
            for (int i = 0; i < p.Length; i++) if (s[i] != p[i]) return false;
            return true;
        }

        static bool Word(string s, ref int i, string w)
        {
            if (s.Length - i < w.Length) return false;
            for (int k = 0; k < w.Length; k++) if (s[i + k] != w[k]) return false;
            i += w.Length;
            return true;
        }

        static bool Number(string s, ref int i, out long v)
        {
            v = 0;
            int start = i;
            while (i < s.Length && s[i] >= '0' && s[i] <= '9' && i - start < 18) { v = v * 10 + (s[i] - '0'); i++; }
            return i > start;
        }
    }
}
