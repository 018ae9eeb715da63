// The workload file's `overheads` line (sched/README.md, "Overheads"):
//   overheads release=1us decision=50ns switch=30ns timer-entry=115ns timer-exit=116ns
// Every field is optional (0 when absent); each is a time from 0 to
// Overheads.MaxFigureNs. At most one such line, outside guest blocks.
using Osprey.Sched.Analysis;

namespace Osprey.Sched.Workload
{
    public sealed partial class WorkloadParser
    {
        static readonly string[] OverheadsKeys = { "release", "decision", "switch", "timer-entry", "timer-exit" };
        int overheadsLine;

        bool OverheadsLine()
        {
            if (guest != null) return Fail("overheads", "'overheads' is not allowed inside guest block '" + guest.Name + "' (line " + guest.Line.ToString() + "); close it with 'end' first");
            if (overheadsLine != 0) return Fail("overheads", "given twice (first on line " + overheadsLine.ToString() + ")");
            if (!CheckKeys(OverheadsKeys, "'overheads'")) return false;
            if (nfields == 0) return Fail("overheads", "expected key=value fields (" + "release, decision, switch, timer-entry, timer-exit)");
            long[] v = new long[OverheadsKeys.Length];
            for (int k = 0; k < OverheadsKeys.Length; k++)
            {
                int i = Find(OverheadsKeys[k]);
                if (i < 0) continue;
                string e = ParseTime(vals[i], out v[k]);
                if (e != null) return Fail(OverheadsKeys[k], e);
                if (v[k] < 0 || v[k] > Overheads.MaxFigureNs)
                    return Fail(OverheadsKeys[k], "must be from 0 to " + Format.Time(Overheads.MaxFigureNs) + ", got '" + vals[i] + "'");
            }
            w.Overheads = Overheads.Make(v[0], v[1], v[2], v[3], v[4], "from the workload file, line " + lineNo.ToString());
            overheadsLine = lineNo;
            return true;
        }
    }
}
