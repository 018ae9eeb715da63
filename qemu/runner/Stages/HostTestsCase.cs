// The host NUnit tests: `dotnet test` with the TRX logger; the counts and the
// failed tests are read from the TRX file (TrxResults), not from the console.
namespace Osprey.QemuRunner.Stages;

public sealed class HostTestsCase : TestCase
{
    readonly string _project;
    public HostTestsCase(string project) { _project = project; }
    public override string Name => "host";

    public override Tally Run(TestEnv env)
    {
        string dir = env.Log("host-results"), trx = Path.Combine(dir, "host.trx");
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        var c = Capture.Run(new[] { "dotnet", "test", _project, "-nologo", "-v", "q",
            "--logger", "trx;LogFileName=host.trx", "--results-directory", dir }, 1800, env.Log("host.log"));
        var o = env.Output;
        TrxResults? r = File.Exists(trx) ? TrxResults.Read(trx, out string? err) : null;
        if (r == null)
        {
            o.WriteLine($"host: the test run did not report (exit {c.Status}); see {env.Rel(env.Log("host.log"))}");
            foreach (var l in c.Tail(30)) o.WriteLine(l);
            return Tally.Fail;
        }
        foreach (var f in r.Failures.Take(40)) o.WriteLine($"  Failed {f.Name}: {f.Message}");
        if (r.Failures.Count > 40) o.WriteLine($"  ... {r.Failures.Count - 40} more in {env.Rel(trx)}");
        // A build error or a crashed test host leaves no results for the tests it did not run.
        if (c.ExitCode != 0 && r.Failed == 0)
        {
            o.WriteLine($"host: {r.Passed} passed, but dotnet test exited with {c.Status}; see {env.Rel(env.Log("host.log"))}");
            return new Tally(r.Passed, 1);
        }
        o.WriteLine($"host: {r.Passed} passed, {r.Failed} failed");
        return new Tally(r.Passed, r.Failed);
    }
}
