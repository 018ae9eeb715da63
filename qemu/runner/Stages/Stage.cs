// The building blocks of `KtapRunner test`: a stage is a titled group of
// cases; each case runs something (QEMU, the simulator, dotnet test) and
// counts its own tests as passed or failed.
using System.Globalization;

namespace Osprey.QemuRunner.Stages;

/// <summary>Passed and failed tests of a case, a stage or the whole run.</summary>
public readonly record struct Tally(int Passed, int Failed)
{
    public static readonly Tally Pass = new(1, 0);
    public static readonly Tally Fail = new(0, 1);
    public static Tally Of(bool ok) => ok ? Pass : Fail;
    public static Tally operator +(Tally a, Tally b) => new(a.Passed + b.Passed, a.Failed + b.Failed);
    /// <summary>The closing line CI reads.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Passed} passed, {Failed} failed");
}

/// <summary>One thing the test run checks; it prints its own verdict lines.</summary>
public abstract class TestCase
{
    /// <summary>Short name (log file names, --stage selection).</summary>
    public abstract string Name { get; }
    public abstract Tally Run(TestEnv env);
}

/// <summary>A titled group of cases, printed as "== title".</summary>
public sealed class Stage
{
    public string Title { get; }
    public IReadOnlyList<TestCase> Cases { get; }
    public Stage(string title, params TestCase[] cases) { Title = title; Cases = cases; }

    /// <summary>Whether --stage TEXT selects this stage (title or a case name contains it).</summary>
    public bool Matches(string text) =>
        Title.Contains(text, StringComparison.OrdinalIgnoreCase)
        || Cases.Any(c => c.Name.Contains(text, StringComparison.OrdinalIgnoreCase));
}
