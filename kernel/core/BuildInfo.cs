namespace Osprey.Kernel
{
    // The image's build id. build.sh writes the constants of BuildStamp
    // (out/obj/BuildStamp.g.cs) from git before compiling: the commit, its
    // date, and whether the tree had uncommitted changes (then the commit
    // alone does not say what was built).
    internal static class BuildInfo
    {
        // "commit 1a2b3c4d5e6f of 2026-12-04 14:20:35 UTC", plus
        // ", with uncommitted changes" for a modified tree.
        internal static string Text
        {
            get
            {
                return "commit " + BuildStamp.Commit + " of " + BuildStamp.Date
                    + (BuildStamp.Dirty ? ", with uncommitted changes" : "");
            }
        }
    }
}
