namespace Osprey.Sched
{
    /// <summary>Order in which a wait queue serves its waiters.</summary>
    public enum WaitDiscipline
    {
        /// <summary>Arrival order.</summary>
        Fifo = 0,
        /// <summary>Most urgent effective priority first (under EDF: earliest deadline), FIFO among equals.</summary>
        Priority = 1,
    }
}
