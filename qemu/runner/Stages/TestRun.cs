// `KtapRunner test`: runs the stages of StageList in order, prints each
// stage's title and verdicts, and ends with the closing line CI reads:
// "N passed, N failed".
using System.Diagnostics;

namespace Osprey.QemuRunner.Stages;

public static class TestRun
{
    /// <param name="only">when not empty, only the stages that match one of these (title or case name)</param>
    /// <param name="startedAt">when the whole run started (the build included), for the time taken</param>
    public static int Run(TestEnv env, IReadOnlyList<Stage> stages, IReadOnlyCollection<string> only, DateTimeOffset? startedAt)
    {
        var sw = Stopwatch.StartNew();
        Directory.CreateDirectory(env.TestDir);
        foreach (var f in Directory.GetFiles(env.TestDir, "*.result")) File.Delete(f);
        var o = env.Output;
        var total = new Tally(0, 0);
        foreach (var stage in stages)
        {
            if (only.Count > 0 && !only.Any(stage.Matches)) continue;
            o.WriteLine();
            o.WriteLine("== " + stage.Title);
            foreach (var c in stage.Cases)
            {
                Tally t;
                try { t = c.Run(env); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    o.WriteLine($"{c.Name}: FAILED: {e.Message}");
                    t = Tally.Fail;
                }
                total += t;
                o.Flush();
            }
        }
        o.WriteLine();
        o.WriteLine("== summary");
        double secs = startedAt is DateTimeOffset s ? (DateTimeOffset.UtcNow - s).TotalSeconds : sw.Elapsed.TotalSeconds;
        o.WriteLine($"test run took {secs:0} s; logs in {env.Rel(env.TestDir)}/");
        o.WriteLine(total.ToString());
        return total.Failed == 0 ? 0 : 1;
    }

    /// <summary>The stage list as `KtapRunner test --list` prints it.</summary>
    public static void List(TextWriter o, IReadOnlyList<Stage> stages)
    {
        foreach (var s in stages)
            o.WriteLine($"{s.Title}\n    {string.Join(", ", s.Cases.Select(c => c.Name))}");
    }
}
