// Incremental parser for the kernel's nested KTAP output (Linux KUnit style).
// Independent of process handling: feed it lines with Feed(), then call
// Complete() with how the run ended to get a KtapReport.
//
//   KTAP version 1
//   1..S                        <- number of suites
//       KTAP version 1
//       # Subtest: heap
//       1..n                    <- tests in this suite
//       # diagnostics belong to the NEXT result line
//       ok 1 alloc_zeroed
//       not ok 2 exhaustion_panics
//       ok 3 something # SKIP reason
//   ok 1 heap                   <- suite result
//   # selftest: pass=P fail=F skip=K total=T
//   # selftest: end
//
// Nesting is decided by indentation relative to the open levels (tabs count
// to the next multiple of 4; a line belongs to the open level whose indent is
// nearest), so odd whitespace does not derail the parse.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Osprey.QemuRunner;

/// <summary>Why the process stopped.</summary>
public enum StopReason
{
    /// <summary>The process exited by itself.</summary>
    Exited,
    /// <summary>Killed because it had not exited 2 s after the end marker.</summary>
    KilledAfterEndMarker,
    /// <summary>Killed at the total time limit.</summary>
    Timeout,
    /// <summary>Killed after no output for the stall limit.</summary>
    Stall,
    /// <summary>Killed after the --expect-line pattern was seen (smoke mode).</summary>
    KilledAfterExpectedLine,
    /// <summary>No process: the text was parsed offline (no exit status check).</summary>
    NotRun,
}

/// <summary>How a run ended, as seen by the process side.</summary>
public sealed record RunOutcome(StopReason Reason, int? ExitCode, double TimeoutSeconds = 0, double StallSeconds = 0)
{
    public static RunOutcome Exited(int code) => new(StopReason.Exited, code);
    public static RunOutcome Offline() => new(StopReason.NotRun, null);
}

/// <summary>isa-debug-exit statuses as seen by the host ((v &lt;&lt; 1) | 1).</summary>
public static class ExitCodes
{
    public const int TripleFault = 0;
    public const int Pass = 33;
    public const int Fail = 35;
    public const int Panic = 37;
}

/// <summary>One result line, or a test that was declared but never reported.</summary>
public sealed class KtapResult
{
    public int Number;
    public string Name = "";
    public bool Ok;
    public bool Skipped;
    public string? SkipReason;
    /// <summary>Declared by a plan but never reported (counts as failed).</summary>
    public bool Missing;
    /// <summary>Number beyond the plan or a duplicate: not counted.</summary>
    public bool Ignored;
    public List<string> Diagnostics = new();
    /// <summary>Set when this is a suite's result line (the suite's own tests are in Child).</summary>
    public KtapLevel? Child;
    public KtapLevel Owner = null!;

    public bool IsSuite => Child != null;
    public bool Failed => !Skipped && (!Ok || Missing);
    public string Path => Owner.PathPrefix + (Name.Length > 0 ? Name : "#" + Number.ToString(CultureInfo.InvariantCulture));
}

/// <summary>A KTAP document: the top level, or one suite's nested block.</summary>
public sealed class KtapLevel
{
    public int Indent;
    public string? Name;
    public int? Plan;
    public bool HeaderSeen;
    public KtapLevel? Parent;
    public KtapResult? SuiteResult;
    public readonly List<KtapResult> Results = new();
    public int LastNumber;
    public bool Closed;
    public bool PlanErrorReported;

    public bool IsRoot => Parent == null;
    public string DisplayName => Name ?? SuiteResult?.Name ?? "(unnamed suite)";

    /// <summary>"suite." for a suite's tests, "" at the top level.</summary>
    public string PathPrefix
    {
        get
        {
            if (Parent == null) return "";
            return Parent.PathPrefix + DisplayName + ".";
        }
    }
}

public sealed record HarnessError(string Message, bool Counted);

public sealed record Bench(string Name, double Value, string Unit, string Text);

public sealed record KernelSummary(int Pass, int Fail, int Skip, int Total);

/// <summary>The outcome of a run: counts, failures and harness errors.</summary>
public sealed class KtapReport
{
    public string Label = "";
    public int Passed;
    /// <summary>Failed tests plus counted harness errors.</summary>
    public int Failed;
    public int Skipped;
    public int Declared;
    public int FailedTests;
    public readonly List<KtapResult> Failures = new();
    public readonly List<HarnessError> Errors = new();
    public readonly List<Bench> Benches = new();
    public readonly List<string> Notes = new();
    public KernelSummary? KernelSummary;
    public bool Panicked;
    public bool SawEndMarker;
    public bool SawKtap;
    public bool Smoke;

    public bool Success => Failed == 0 && Errors.Count == 0;

    public string SummaryLine =>
        string.Create(CultureInfo.InvariantCulture,
            $"ktap[{Label}]: {Passed} passed, {Failed} failed, {Skipped} skipped ({Declared} declared)");

    public string ResultFileText =>
        string.Create(CultureInfo.InvariantCulture, $"passed={Passed}\nfailed={Failed}\nskipped={Skipped}\n");

    /// <summary>The human-readable report: failures, errors, benchmarks, then the summary line.</summary>
    public string Format()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var f in Failures)
        {
            string what = f.Missing ? " (declared but never reported)" : "";
            sb.Append("FAIL ").Append(f.Path).Append(what).Append('\n');
            foreach (var d in f.Diagnostics)
                sb.Append("    ").Append(d).Append('\n');
        }
        foreach (var e in Errors)
            sb.Append("ERROR ktap[").Append(Label).Append("]: ").Append(e.Message).Append('\n');
        foreach (var n in Notes)
            sb.Append("note ktap[").Append(Label).Append("]: ").Append(n).Append('\n');
        if (Benches.Count > 0)
        {
            sb.Append("bench[").Append(Label).Append("]:\n");
            int w = Benches.Max(b => b.Name.Length);
            foreach (var b in Benches)
                sb.Append("  ").Append(b.Name.PadRight(w)).Append("  ")
                  .Append(b.Text.PadLeft(12)).Append(' ').Append(b.Unit).Append('\n');
        }
        sb.Append(SummaryLine).Append('\n');
        return sb.ToString();
    }
}

public sealed class KtapParser
{
    static readonly Regex HeaderRe = new(@"^(?:K?TAP) version \d+\s*$", RegexOptions.CultureInvariant);
    static readonly Regex SubtestRe = new(@"^#\s*Subtest:\s*(.*?)\s*$", RegexOptions.CultureInvariant);
    static readonly Regex PlanRe = new(@"^1\.\.(\d+)\s*(?:#.*)?$", RegexOptions.CultureInvariant);
    static readonly Regex ResultRe = new(@"^(not ok|ok)(?:\s+(\d+))?(?:\s+-)?(?:\s+([^#]*?))?\s*(?:#\s*(.*?))?\s*$", RegexOptions.CultureInvariant);
    static readonly Regex SummaryRe = new(@"^#\s*selftest:\s*pass=(\d+)\s+fail=(\d+)\s+skip=(\d+)\s+total=(\d+)\s*$", RegexOptions.CultureInvariant);
    static readonly Regex BenchRe = new(@"^#\s*BENCH\s+(\S+)\s+(\S+)(?:\s+(.*?))?\s*$", RegexOptions.CultureInvariant);
    static readonly Regex SkipRe = new(@"^SKIP\b\s*(.*)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    public const string EndMarker = "# selftest: end";
    public const string PanicMarker = "# selftest: panic";

    readonly List<KtapLevel> _stack = new();
    KtapLevel? _root;
    readonly List<string> _pending = new();
    readonly KtapReport _report = new();
    bool _completed;

    public KtapParser(string label = "kernel") { _report.Label = label; }

    /// <summary>A skip whose reason matches this counts as an error (e.g. a test skipped for the wrong scheduler).</summary>
    public Regex? ForbiddenSkip;

    public bool SawEndMarker => _report.SawEndMarker;
    public bool SawPanic => _report.Panicked;
    public KtapLevel? Root => _root;

    /// <summary>Parse a whole text offline.</summary>
    public static KtapReport Parse(string text, RunOutcome? outcome = null, string label = "kernel", Regex? forbiddenSkip = null)
    {
        var p = new KtapParser(label) { ForbiddenSkip = forbiddenSkip };
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
            p.Feed(line);
        return p.Complete(outcome ?? RunOutcome.Offline());
    }

    void Error(string msg, bool counted = true) => _report.Errors.Add(new HarnessError(msg, counted));

    static int IndentOf(string line, out string content)
    {
        int col = 0, i = 0;
        for (; i < line.Length; i++)
        {
            char c = line[i];
            if (c == ' ') col++;
            else if (c == '\t') col = (col / 4 + 1) * 4;
            else if (c == '\r' || c == '\f' || c == '\v') { }
            else break;
        }
        content = line.Substring(i).TrimEnd();
        return col;
    }

    /// <summary>Feed one line of output (without its newline).</summary>
    public void Feed(string line)
    {
        if (_completed) throw new InvalidOperationException("parser already completed");
        int ind = IndentOf(LineCleaner.Clean(line), out string c);
        if (c.Length == 0) return;

        // Lines recognised anywhere, before or inside the KTAP document.
        var bm = BenchRe.Match(c);
        if (bm.Success)
        {
            string unit = bm.Groups[3].Value;
            if (double.TryParse(bm.Groups[2].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                _report.Benches.Add(new Bench(bm.Groups[1].Value, v, unit, bm.Groups[2].Value));
            else
                _report.Notes.Add("unparsable BENCH line: " + c);
            return;
        }
        if (c == EndMarker) { _report.SawEndMarker = true; return; }
        if (c == PanicMarker) { _report.Panicked = true; return; }
        var sm = SummaryRe.Match(c);
        if (sm.Success)
        {
            _report.KernelSummary = new KernelSummary(Int(sm.Groups[1]), Int(sm.Groups[2]), Int(sm.Groups[3]), Int(sm.Groups[4]));
            return;
        }
        if (c.StartsWith("# PANIC", StringComparison.Ordinal) && _root == null)
        {
            // A panic before the self-tests began (inside the document the
            // '# selftest: panic' marker and exit status 37 are what count;
            // '# PANIC' lines there are the failing test's diagnostics).
            _report.Panicked = true;
            _pending.Add(c);
            return;
        }

        if (_root == null)
        {
            if (HeaderRe.IsMatch(c))
            {
                _root = new KtapLevel { Indent = ind, HeaderSeen = true };
                _stack.Add(_root);
                _report.SawKtap = true;
                _pending.Clear();
            }
            // Boot log lines before the document are ignored, but a panic's
            // register dump is kept (see "# PANIC" above) for context.
            else if (_report.Panicked) _pending.Add(c);
            return;
        }

        if (c.StartsWith("Bail out!", StringComparison.Ordinal))
        {
            Error("kernel bailed out: " + c);
            return;
        }

        var deepest = _stack[^1];
        bool deeper = ind >= deepest.Indent + 2;

        if (HeaderRe.IsMatch(c) || SubtestRe.IsMatch(c))
        {
            bool isHeader = HeaderRe.IsMatch(c);
            string? name = isHeader ? null : SubtestRe.Match(c).Groups[1].Value;
            if (deeper)
            {
                Push(ind, name, isHeader);
                return;
            }
            var l = Nearest(ind);
            bool fresh = !l.IsRoot && l.Plan == null && l.Results.Count == 0 && (isHeader ? !l.HeaderSeen : l.Name == null);
            if (fresh)
            {
                if (isHeader) l.HeaderSeen = true; else l.Name = name;
                return;
            }
            if (l.IsRoot && !isHeader)
            {
                _pending.Add(c);
                return;
            }
            if (l.IsRoot)
            {
                Error("unexpected KTAP header at the top level (kernel restarted?): " + c);
                return;
            }
            // A sibling suite starts although the open one never got its result line.
            PopTo(l.Parent!, null);
            Push(ind, name, isHeader);
            return;
        }

        var pm = PlanRe.Match(c);
        if (pm.Success)
        {
            var l = deeper ? Push(ind, null, false) : Nearest(ind);
            int n = Int(pm.Groups[1]);
            if (l.Plan != null)
                Error($"{Where(l)}: second plan '{c}' (already 1..{l.Plan})");
            else
                l.Plan = n;
            return;
        }

        var rm = ResultRe.Match(c);
        if (rm.Success && (rm.Groups[1].Value == "ok" || rm.Groups[1].Value == "not ok"))
        {
            var l = deeper ? Push(ind, null, false) : Nearest(ind);
            var r = new KtapResult
            {
                Ok = rm.Groups[1].Value == "ok",
                Name = rm.Groups[3].Value.Trim(),
                Owner = l,
            };
            string directive = rm.Groups[4].Value;
            var skm = SkipRe.Match(directive);
            if (rm.Groups[4].Success && skm.Success)
            {
                r.Skipped = true;
                r.SkipReason = skm.Groups[1].Value;
            }
            r.Diagnostics.AddRange(_pending);
            _pending.Clear();
            // The level directly below l (if any) is the suite this line reports.
            int idx = _stack.IndexOf(l);
            if (idx + 1 < _stack.Count)
            {
                var child = _stack[idx + 1];
                PopTo(l, child);
                child.SuiteResult = r;
                r.Child = child;
                CloseLevel(child);
            }
            r.Number = rm.Groups[2].Success ? Int(rm.Groups[2]) : l.LastNumber + 1;
            AddResult(l, r);
            return;
        }

        // Diagnostics and any other kernel output inside the document belong
        // to the next result line.
        _pending.Add(c);
    }

    static int Int(Group g) =>
        int.TryParse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : int.MaxValue;

    string Where(KtapLevel l) => l.IsRoot ? "top level" : "suite " + l.DisplayName;

    KtapLevel Push(int indent, string? name, bool header)
    {
        var parent = _stack[^1];
        var l = new KtapLevel { Indent = indent, Name = name, HeaderSeen = header, Parent = parent };
        _stack.Add(l);
        return l;
    }

    /// <summary>The open level whose indentation is nearest (ties go to the deeper one).</summary>
    KtapLevel Nearest(int ind)
    {
        KtapLevel best = _stack[0];
        int bestD = int.MaxValue;
        foreach (var l in _stack)
        {
            int d = Math.Abs(l.Indent - ind);
            if (d <= bestD) { best = l; bestD = d; }
        }
        return best;
    }

    /// <summary>Pop every level below <paramref name="keep"/>; levels other than
    /// <paramref name="reported"/> are closed as suites without a result line.</summary>
    void PopTo(KtapLevel keep, KtapLevel? reported)
    {
        while (_stack[^1] != keep)
        {
            var l = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            if (l == reported) continue;
            CloseUnreported(l);
        }
    }

    /// <summary>A suite whose result line never came: record a failed suite result for it.</summary>
    void CloseUnreported(KtapLevel l)
    {
        var parent = l.Parent!;
        var r = new KtapResult
        {
            Number = parent.LastNumber + 1, Name = l.DisplayName, Ok = false, Missing = true,
            Owner = parent, Child = l,
        };
        l.SuiteResult = r;
        CloseLevel(l);
        // Counted only when none of its tests failed (otherwise they carry the failure).
        Error($"suite {l.DisplayName}: no result line for the suite", counted: !LeafResults(l).Any(x => x.Failed));
        AddResult(parent, r);
    }

    void AddResult(KtapLevel l, KtapResult r)
    {
        if (l.Plan == null && !l.PlanErrorReported)
        {
            Error($"{Where(l)}: missing plan (1..N) before result '{(r.Ok ? "ok" : "not ok")} {r.Number} {r.Name}'");
            l.PlanErrorReported = true;
        }
        if (l.Results.Any(x => x.Number == r.Number && !x.Ignored))
        {
            Error($"{Where(l)}: duplicate test number {r.Number} ({r.Name})");
            r.Ignored = true;
        }
        else if (r.Number != l.LastNumber + 1)
        {
            Error($"{Where(l)}: test number {r.Number} ({r.Name}) out of order, expected {l.LastNumber + 1}");
        }
        if (!r.Ignored && l.Plan != null && r.Number > l.Plan)
        {
            Error($"{Where(l)}: test number {r.Number} ({r.Name}) beyond the plan 1..{l.Plan}");
            r.Ignored = true;
        }
        if (!r.Ignored) l.LastNumber = Math.Max(l.LastNumber, r.Number);
        l.Results.Add(r);
    }

    /// <summary>Check a level's plan against its results and add the missing ones.</summary>
    void CloseLevel(KtapLevel l)
    {
        if (l.Closed) return;
        l.Closed = true;
        var counted = l.Results.Where(r => !r.Ignored).ToList();
        if (l.Plan == null)
        {
            if (!l.PlanErrorReported)
                Error($"{Where(l)}: missing plan (1..N)");
            l.PlanErrorReported = true;
        }
        else
        {
            int plan = l.Plan.Value;
            var have = new HashSet<int>(counted.Select(r => r.Number));
            var missing = Enumerable.Range(1, plan).Where(n => !have.Contains(n)).ToList();
            if (missing.Count > 0)
            {
                Error($"{Where(l)}: plan 1..{plan} but {have.Count} result(s); missing {string.Join(",", missing)}", counted: false);
                bool first = true;
                foreach (int n in missing)
                {
                    var r = new KtapResult { Number = n, Ok = false, Missing = true, Owner = l,
                                             Name = l.IsRoot ? "suite#" + n.ToString(CultureInfo.InvariantCulture) : "" };
                    if (first)
                    {
                        // A crash mid-test: its panic dump or last diagnostics belong to it.
                        r.Diagnostics.AddRange(_pending);
                        _pending.Clear();
                        first = false;
                    }
                    l.Results.Add(r);
                }
            }
        }
        // The suite's own result must agree with its tests.
        if (l.SuiteResult is { } sr && !sr.Missing && !sr.Skipped)
        {
            bool childFailed = LeafResults(l).Any(r => r.Failed);
            if (sr.Ok && childFailed)
                Error($"suite {l.DisplayName}: reported ok but some of its tests failed");
            else if (!sr.Ok && !childFailed)
                Error($"suite {l.DisplayName}: reported not ok although none of its tests failed");
        }
    }

    static IEnumerable<KtapResult> LeafResults(KtapLevel l)
    {
        foreach (var r in l.Results)
        {
            if (r.Ignored) continue;
            if (r.Child != null)
            {
                foreach (var x in LeafResults(r.Child)) yield return x;
            }
            else yield return r;
        }
    }

    /// <summary>Finish: close open levels, apply the run outcome and compute counts.</summary>
    public KtapReport Complete(RunOutcome outcome)
    {
        if (_completed) return _report;
        _completed = true;
        var rep = _report;

        bool killedAbnormally = outcome.Reason is StopReason.Timeout or StopReason.Stall;
        if (outcome.Reason == StopReason.Timeout)
            Error($"timeout: the run did not finish within {outcome.TimeoutSeconds:0.#} s");
        if (outcome.Reason == StopReason.Stall)
            Error($"stall: no output for {outcome.StallSeconds:0.#} s");

        if (_root == null)
        {
            Error("no KTAP output ('KTAP version 1' line never seen)");
            if (rep.Panicked) Error("kernel panicked before the tests started");
        }
        else
        {
            if (_stack.Count > 1)
            {
                // Output ended inside a suite: close the open suites unreported.
                PopTo(_root, null);
            }
            if (_root.Plan == null && _root.Results.Count == 0)
                Error("top level: missing plan (1..N)");
            else
                CloseLevel(_root);
        }

        if (rep.Panicked)
            Error("kernel panic during the self-tests");

        // Counts over leaves (suite result lines are not tests).
        if (_root != null)
        {
            foreach (var r in LeafResults(_root))
            {
                rep.Declared++;
                if (r.Skipped)
                {
                    rep.Skipped++;
                    if (ForbiddenSkip != null && ForbiddenSkip.IsMatch(r.SkipReason ?? ""))
                        Error($"{r.Path} skipped for a reason this run forbids: {r.SkipReason}");
                }
                else if (r.Failed) { rep.FailedTests++; rep.Failures.Add(r); }
                else rep.Passed++;
            }
            // Suites whose result line fails although no test failed: show them too.
            foreach (var s in AllResults(_root).Where(x => x.IsSuite && !x.Ok && !x.Skipped && !x.Missing
                                                          && !LeafResults(x.Child!).Any(y => y.Failed)))
                rep.Failures.Add(s);
        }
        if (rep.Passed + rep.FailedTests + rep.Skipped != rep.Declared)
            Error($"internal count mismatch: {rep.Passed}+{rep.FailedTests}+{rep.Skipped} != {rep.Declared}");

        // The kernel's own summary line must agree with what was parsed.
        int reportedPass = 0, reportedFail = 0, reportedSkip = 0;
        if (_root != null)
            foreach (var r in LeafResults(_root))
            {
                if (r.Missing) continue;
                if (r.Skipped) reportedSkip++; else if (r.Ok) reportedPass++; else reportedFail++;
            }
        if (rep.KernelSummary is { } ks)
        {
            if (ks.Pass != reportedPass || ks.Fail != reportedFail || ks.Skip != reportedSkip || ks.Total != rep.Declared)
                Error($"kernel summary pass={ks.Pass} fail={ks.Fail} skip={ks.Skip} total={ks.Total} disagrees with the parsed results pass={reportedPass} fail={reportedFail} skip={reportedSkip} total={rep.Declared}");
            if (ks.Pass + ks.Fail + ks.Skip != ks.Total)
                Error($"kernel summary: pass+fail+skip = {ks.Pass + ks.Fail + ks.Skip} but total={ks.Total}");
        }
        else if (!rep.Panicked && !killedAbnormally && _root != null)
            Error("no '# selftest: pass=.. fail=.. skip=.. total=..' summary line");

        if (!rep.SawEndMarker && !rep.Panicked && !killedAbnormally && _root != null)
            Error("output ended before '" + EndMarker + "'");

        // isa-debug-exit status.
        if (outcome.Reason == StopReason.Exited && outcome.ExitCode is int code)
        {
            bool anyFailed = rep.FailedTests > 0 || rep.Failures.Count > 0;
            switch (code)
            {
                case ExitCodes.Pass:
                    if (anyFailed || rep.Panicked)
                        Error($"exit status 33 (kernel says all passed) but {rep.FailedTests} test(s) failed{(rep.Panicked ? " and the kernel panicked" : "")}");
                    break;
                case ExitCodes.Fail:
                    if (!anyFailed)
                        Error("exit status 35 (kernel says some failed) but no failed test was reported");
                    break;
                case ExitCodes.Panic:
                    if (!rep.Panicked)
                        Error("exit status 37: kernel panic (no panic marker in the output)");
                    break;
                case ExitCodes.TripleFault:
                    Error("exit status 0: triple fault (or the VM exited without isa-debug-exit); never a success");
                    break;
                default:
                    Error($"exit status {code}: QEMU crashed or exited abnormally (expected 33, 35 or 37)");
                    break;
            }
        }
        else if (outcome.Reason == StopReason.KilledAfterEndMarker)
        {
            rep.Notes.Add("QEMU did not exit within 2 s of the end marker and was killed; exit status not checked");
        }

        if (_root != null && rep.Declared == 0)
            rep.Notes.Add("no tests were declared (empty plan or filter matched nothing)");

        rep.Failed = rep.FailedTests + rep.Errors.Count(e => e.Counted);
        // Never report "0 failed" for a run that is not a success.
        if (rep.Failed == 0 && rep.Errors.Count > 0) rep.Failed = 1;
        return rep;
    }

    static IEnumerable<KtapResult> AllResults(KtapLevel l)
    {
        foreach (var r in l.Results)
        {
            if (r.Ignored) continue;
            yield return r;
            if (r.Child != null)
                foreach (var x in AllResults(r.Child)) yield return x;
        }
    }
}
