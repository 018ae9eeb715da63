namespace Osprey.Sched.Tracing
{
    /// <summary>
    /// What a trace entry records (sched/README.md, "Trace format"). Stored as
    /// a byte in every entry; TraceFormat.KindName gives the text name. The
    /// meaning of an entry's Object, A and B fields depends on the kind:
    ///
    /// | kind              | Thread            | Object    | A                  | B                    |
    /// |-------------------|-------------------|-----------|--------------------|----------------------|
    /// | Release           | the job's thread  | -         | job number         | absolute deadline (long.MaxValue: none) |
    /// | SwitchIn          | incoming thread   | -         | -                  | -                    |
    /// | SwitchOut         | outgoing thread   | -         | its ThreadState    | -                    |
    /// | Block / Unblock   | the thread        | -         | ThreadState bits set / cleared | -        |
    /// | DeadlineMiss      | the job's thread  | -         | job number         | absolute deadline    |
    /// | BudgetExhausted   | the server's thread | server id | budget ns        | 0 hard, 1 soft       |
    /// | PeriodExpiry      | the period's owner | period id | end of the period | postponed jobs after |
    /// | Complete          | the job's thread  | -         | job number         | response time ns     |
    /// | IrqEntry / IrqExit | interrupted thread (-1: idle) | vector | -   | -                    |
    /// | VcoreSwitchIn/Out | host thread running the core | vcore id | free  | free                 |
    /// | Mark              | any (-1: none)    | mark id   | value              | -                    |
    /// </summary>
    public enum TraceEventKind : byte
    {
        None = 0,
        Release = 1,
        SwitchIn = 2,
        SwitchOut = 3,
        Block = 4,
        Unblock = 5,
        DeadlineMiss = 6,
        BudgetExhausted = 7,
        PeriodExpiry = 8,
        Complete = 9,
        IrqEntry = 10,
        IrqExit = 11,
        /// <summary>Reserved for guest (virtual) cores: a vcore starts running on this CPU.</summary>
        VcoreSwitchIn = 12,
        /// <summary>Reserved for guest (virtual) cores: a vcore stops running on this CPU.</summary>
        VcoreSwitchOut = 13,
        /// <summary>A free-form marker (tests, on-demand annotations).</summary>
        Mark = 14,
    }

    /// <summary>What a full ring does with a new event.</summary>
    public enum TraceOverflow
    {
        /// <summary>The oldest event is overwritten (flight recorder: the ring keeps the latest events).</summary>
        OverwriteOldest = 0,
        /// <summary>The new event is dropped (the ring keeps the first events).</summary>
        DropNewest = 1,
    }

    /// <summary>One recorded event: 40 bytes, no references.</summary>
    public struct TraceEntry
    {
        /// <summary>Nanoseconds on the core's clock (Platform.Now).</summary>
        public long Time;
        /// <summary>Kind-specific value (see TraceEventKind).</summary>
        public long A;
        /// <summary>Kind-specific value (see TraceEventKind).</summary>
        public long B;
        /// <summary>Thread id (SchedThread.Id), or TraceRing.NoThread.</summary>
        public int Thread;
        /// <summary>Generic object id: period, CBS server, interrupt vector, virtual core, mark.</summary>
        public int Object;
        public TraceEventKind Kind;
    }
}
