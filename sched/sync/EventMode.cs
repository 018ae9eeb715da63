namespace Osprey.Sched
{
    /// <summary>When an event-flags wait is satisfied.</summary>
    public enum EventMode
    {
        /// <summary>Any flag of the mask is set.</summary>
        Any = 0,
        /// <summary>Every flag of the mask is set.</summary>
        All = 1,
    }
}
