// A guest's own workload file, written inside its guest block (sched/README.md,
// "An Osprey guest's own workload"): a line 'workload' alone opens it, a line
// 'end workload' closes it, and the lines between are the guest kernel's
// workload file as they stand (its own 'guest' ... 'end' blocks included).
// The VMM hands the text to the guest as its boot module 'workload'. The text
// is parsed here too, so an error in it is reported with the host file's line
// numbers before anything boots.
namespace Osprey.Sched.Workload
{
    public sealed partial class WorkloadParser
    {
        /// <summary>The most bytes a guest's own workload may have (the whole file is at most
        /// the kernel's 1 MiB module; a guest's part far less).</summary>
        public const int MaxNestedWorkloadBytes = 65536;

        // The open nested workload: its bytes so far (null: none open).
        byte[] nestedBytes;
        int nestedLength;
        int nestedLine;
        // Skipping a dropped guest: inside its own workload text, whose 'end'
        // lines are not the guest block's.
        bool skippingNested;
        // True in the parser of a guest's own workload: such a workload
        // cannot itself give guests a workload (the guest kernel has no
        // 'osprey' module to boot them with).
        bool insideNested;

        /// <summary>The line 'workload' inside a guest block: its own workload follows.</summary>
        bool NestedWorkloadOpen()
        {
            if (guest == null) return FailLine("'workload' outside a guest block: an Osprey guest's own workload goes between its 'guest' line and 'end'");
            if (nfields > 0 || rest.Length > 0) return FailLine("'workload' opens a guest's own workload and takes nothing after it; got '" + rest + "'");
            // Fatal: the whole inner file is refused, so the host file's guest reports it.
            if (insideNested) return Fatal("workload", "a guest's own workload cannot give its guests a workload (the guest kernel has no 'osprey' module to boot them)");
            if (guest.NestedWorkload != null) return FailLine("guest '" + guest.Name + "' already has its own workload (line " + guest.NestedWorkloadLine.ToString() + ")");
            nestedBytes = new byte[256];
            nestedLength = 0;
            nestedLine = lineNo;
            return true;
        }

        /// <summary>Whether the current line (already in chars) is 'end workload'.</summary>
        bool IsEndWorkload()
        {
            int i = 0;
            while (i < lineLen && chars[i] == ' ') i++;
            if (!Word(ref i, "end")) return false;
            if (i >= lineLen || chars[i] != ' ') return false;
            while (i < lineLen && chars[i] == ' ') i++;
            if (!Word(ref i, "workload")) return false;
            while (i < lineLen && chars[i] == ' ') i++;
            return i == lineLen;
        }

        bool Word(ref int i, string w)
        {
            if (lineLen - i < w.Length) return false;
            for (int k = 0; k < w.Length; k++) if (chars[i + k] != w[k]) return false;
            i += w.Length;
            return i == lineLen || chars[i] == ' ';
        }

        /// <summary>A line while a guest's own workload is open (or skipped): kept as it stands,
        /// or the 'end workload' that closes it. False on an error (the guest is then dropped).</summary>
        bool NestedLine(byte[] data, int start, int end)
        {
            if (IsEndWorkload())
            {
                if (skippingNested) { skippingNested = false; return true; }
                return NestedWorkloadClose();
            }
            if (skippingNested) return true;
            int n = end - start + 1;
            if (nestedLength + n > MaxNestedWorkloadBytes)
            {
                nestedBytes = null;
                skippingNested = true;       // the rest of it up to 'end workload' is not the guest block's
                return Fail("workload", "guest '" + guest.Name + "': its own workload (line " + nestedLine.ToString() + ") is longer than " + MaxNestedWorkloadBytes.ToString() + " bytes");
            }
            if (nestedLength + n > nestedBytes.Length)
            {
                int cap = nestedBytes.Length;
                while (cap < nestedLength + n) cap *= 2;
                byte[] grown = new byte[cap];
                for (int k = 0; k < nestedLength; k++) grown[k] = nestedBytes[k];
                nestedBytes = grown;
            }
            for (int k = start; k < end; k++) nestedBytes[nestedLength++] = data[k];
            nestedBytes[nestedLength++] = (byte)'\n';
            return true;
        }

        /// <summary>'end workload': the text is parsed as a file of its own; its errors name the
        /// host file's line.</summary>
        bool NestedWorkloadClose()
        {
            byte[] text = nestedBytes;
            int length = nestedLength;
            nestedBytes = null;
            WorkloadParser inner = new WorkloadParser(options);
            inner.insideNested = true;
            ParseResult r = inner.Run(text, length);
            if (!r.Ok)
            {
                int hostLine = r.Line > 0 ? nestedLine + r.Line : lineNo;
                return FailOn(hostLine, r.Field, "in guest '" + guest.Name + "''s own workload (its line " + r.Line.ToString() + "): " + r.Message);
            }
            char[] c = new char[length];
            for (int k = 0; k < length; k++) c[k] = (char)text[k];
            guest.NestedWorkload = new string(c, 0, length);
            guest.NestedWorkloadLine = nestedLine;
            guest.NestedSpec = r.Workload;
            return true;
        }

        /// <summary>At the end of the file: a guest's own workload still open.</summary>
        bool NestedWorkloadUnclosed()
        {
            if (nestedBytes == null) return true;
            nestedBytes = null;
            return FailAt(nestedLine, "workload", "guest '" + guest.Name + "''s own workload is not closed: add a line 'end workload' after it");
        }

        /// <summary>Closing a guest block: an Osprey guest has one virtual core; its own workload
        /// needs a guest that boots an image which reads it.</summary>
        bool CheckNestedWorkload()
        {
            // The guest kernel runs on one CPU: one virtual core.
            if (guest.Image == GuestImage.Osprey && ngvcores > 1)
                return FailOn(guest.ImageLine, "image", "guest '" + guest.Name + "': image osprey runs on one virtual core; it has " + ngvcores.ToString() + " 'vcore' lines");
            if (guest.Image == GuestImage.Osprey && ngtasks > 0)
                return FailOn(gtasks[0].Line, "periodic", "guest '" + guest.Name + "' boots image osprey, which runs its own workload: give its tasks between 'workload' and 'end workload'");
            if (guest.NestedWorkload == null) return true;
            if (!GuestBootsImage(guest))
                return FailOn(guest.NestedWorkloadLine, "workload", "guest '" + guest.Name + "' has its own workload but boots no image that reads it (give it 'image osprey')");
            return true;
        }

        /// <summary>Whether the guest boots a kernel image (its own workload is then that
        /// kernel's boot module).</summary>
        static bool GuestBootsImage(GuestSpec g) { return g.Image == GuestImage.Osprey; }
    }
}
