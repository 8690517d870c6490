using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace VideoGen.Core
{
    /// <summary>
    /// The one background engine of every cmdlet: runs work items off the pipeline thread, lets each take a slot of a
    /// shared throttle for exactly as long as it talks to the network (a submission, one poll, one download), and
    /// hands each item's outcome, in the order they end, to the pipeline thread through a channel
    /// (<see cref="TryRead"/>). What must survive a crash (the journal) is done by the work item itself, in the
    /// worker, before its outcome is posted; the pipeline thread only writes.
    /// </summary>
    /// <remarks>
    /// Two ways to stop. <see cref="StopStarting"/> (Ctrl+C in New-Video, out of credits): items still waiting for a
    /// slot end with <see cref="NotStartedException"/>; items holding one go on, so a submission already sent is never
    /// cut off. <see cref="Cancel"/> (Ctrl+C in Wait-Video and Save-Video): also cancels <see cref="WorkContext.Token"/>,
    /// which polls and downloads observe. Disposing cancels, waits a bounded time and never throws.
    /// </remarks>
    public sealed class WorkEngine : IDisposable
    {
        private readonly SemaphoreSlim _slots;
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly CancellationTokenSource _stopStarting = new CancellationTokenSource();
        private readonly Channel<WorkOutcome> _outcomes = Channel.CreateUnbounded<WorkOutcome>(new UnboundedChannelOptions { SingleReader = true });
        private readonly List<Task> _tasks = new List<Task>();
        private readonly Func<Exception, bool>? _stopStartingWhen;
        private int _started;
        private int _read;
        private int _running;
        private int _disposed;
        private volatile bool _addingComplete;

        /// <summary>Creates an engine whose items share <paramref name="throttleLimit"/> slots.</summary>
        /// <param name="throttleLimit">The most items holding a slot at once (a cmdlet's -ThrottleLimit); at least 1.</param>
        /// <param name="stopStartingWhen">
        /// A failure after which no further item may take a slot (New-Video: out of credits). <see cref="StartInSlot"/> applies
        /// it while the failing item still holds its slot, so no waiting item can slip in between.
        /// </param>
        public WorkEngine(int throttleLimit, Func<Exception, bool>? stopStartingWhen = null)
        {
            _slots = new SemaphoreSlim(Math.Max(1, throttleLimit));
            _stopStartingWhen = stopStartingWhen;
        }

        /// <summary>Cancelled by <see cref="Cancel"/>: what polls and downloads observe.</summary>
        public CancellationToken CancellationToken => _cancel.Token;

        /// <summary>True once <see cref="StopStarting"/> or <see cref="Cancel"/> was called, or a stopping failure came.</summary>
        public bool IsStoppingStarts => _stopStarting.IsCancellationRequested;

        /// <summary>Items started and whose outcome has not been read yet.</summary>
        public int Pending => Volatile.Read(ref _started) - Volatile.Read(ref _read);

        /// <summary>Items whose work is still running (their outcome not posted yet).</summary>
        public int Running => Volatile.Read(ref _running);

        /// <summary>True when <see cref="CompleteAdding"/> was called and every outcome was read.</summary>
        public bool IsDone => _addingComplete && Pending == 0;

        /// <summary>Says no more items will be started.</summary>
        public void CompleteAdding() => _addingComplete = true;

        /// <summary>Items waiting for a slot never get one (each ends with <see cref="NotStartedException"/>); items holding one go on.</summary>
        public void StopStarting()
        {
            try
            {
                _stopStarting.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>Stops starting and cancels <see cref="CancellationToken"/> for the items that observe it.</summary>
        public void Cancel()
        {
            StopStarting();
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>
        /// Starts an item now. Its outcome (value or exception) is posted when <paramref name="work"/> ends and handed to
        /// <paramref name="handle"/> on the pipeline thread by <see cref="WorkOutcome.Deliver"/>, typed; after <see cref="Cancel"/>
        /// a cancelled item posts an <see cref="OperationCanceledException"/> outcome, which the cmdlets ignore.
        /// </summary>
        /// <param name="state">Travels with the outcome (the row, the job).</param>
        /// <param name="work">The item; takes a slot with <see cref="WorkContext.SlotAsync"/> around each network exchange.</param>
        /// <param name="handle">What the pipeline thread does with the outcome, or null (the reader of <see cref="TryRead"/> looks at it itself).</param>
        /// <param name="inOrder">
        /// True for items whose first step is to take a slot (a submission, a download, a deletion): their first slot is
        /// queued now, on the calling thread, so items get slots in the order they were started (row order with
        /// -ThrottleLimit 1). False for items that wait before their first slot (a watch polls after a delay).
        /// </param>
        public void Start<TState, TValue>(TState state, Func<WorkContext, Task<TValue>> work, Action<WorkOutcome<TState, TValue>>? handle, bool inOrder)
        {
            if (work is null)
            {
                throw new ArgumentNullException(nameof(work));
            }
            var context = new WorkContext(this);
            if (inOrder)
            {
                // Runs synchronously up to the semaphore's wait, which queues this item's waiter first-in, first-out.
                context.QueueFirstSlot(TakeSlotAsync());
            }
            Run(state, work, handle, context);
        }

        /// <summary>
        /// Starts an item that holds one slot for its whole run (a submission, a download, a deletion), slots given in the
        /// order items are started. The engine takes the slot, and applies the stop rule (<c>stopStartingWhen</c>) to the
        /// item's failure while the slot is still held, so no waiting item can take the slot it frees and start.
        /// </summary>
        /// <exception cref="NotStartedException">In the outcome: starts were stopped before a slot came.</exception>
        public void StartInSlot<TState, TValue>(TState state, Func<WorkContext, Task<TValue>> work, Action<WorkOutcome<TState, TValue>>? handle = null)
        {
            if (work is null)
            {
                throw new ArgumentNullException(nameof(work));
            }
            Start(state, context => context.HoldSlotAsync(work), handle, inOrder: true);
        }

        /// <summary>Starts an item whose slots are taken as it goes (<c>inOrder: false</c>).</summary>
        public void Start<TState, TValue>(TState state, Func<WorkContext, Task<TValue>> work, Action<WorkOutcome<TState, TValue>>? handle = null) =>
            Start(state, work, handle, inOrder: false);

        private void Run<TState, TValue>(TState state, Func<WorkContext, Task<TValue>> work, Action<WorkOutcome<TState, TValue>>? handle, WorkContext context)
        {
            Interlocked.Increment(ref _started);
            Interlocked.Increment(ref _running);
            var task = Task.Run(async () =>
            {
                WorkOutcome outcome;
                try
                {
                    outcome = new WorkOutcome<TState, TValue>(state, await work(context).ConfigureAwait(false), null, handle);
                }
                catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
                {
                    outcome = new WorkOutcome<TState, TValue>(state, default, new OperationCanceledException(_cancel.Token), handle);
                }
                catch (Exception ex)
                {
                    Observe(ex);
                    outcome = new WorkOutcome<TState, TValue>(state, default, ex, handle);
                }
                finally
                {
                    context.ReleaseSlot();
                }
                // Posted before the item stops counting as running: whoever sees nothing running finds every outcome.
                _outcomes.Writer.TryWrite(outcome);
                Interlocked.Decrement(ref _running);
            });
            lock (_tasks)
            {
                _tasks.RemoveAll(t => t.IsCompleted);
                _tasks.Add(task);
            }
        }

        /// <summary>
        /// Counts an item whose work the caller runs without a task of the engine's (the waiter's watches, which hold nothing
        /// while they sleep); its outcome comes with <see cref="Post"/>, exactly once.
        /// </summary>
        internal void Expect()
        {
            Interlocked.Increment(ref _started);
            Interlocked.Increment(ref _running);
        }

        /// <summary>Posts the outcome of an item counted with <see cref="Expect"/>, as an item's own outcome is posted (a cancellation after <see cref="Cancel"/> is the engine's).</summary>
        internal void Post<TState, TValue>(TState state, TValue? value, Exception? error, Action<WorkOutcome<TState, TValue>>? handle)
        {
            if (error is OperationCanceledException && _cancel.IsCancellationRequested)
            {
                error = new OperationCanceledException(_cancel.Token);
            }
            else if (error != null)
            {
                Observe(error);
            }
            _outcomes.Writer.TryWrite(new WorkOutcome<TState, TValue>(state, value, error, handle));
            Interlocked.Decrement(ref _running);
        }

        /// <summary>Takes the next outcome, waiting up to <paramref name="wait"/> (pipeline thread only).</summary>
        /// <returns>False when none came in that time.</returns>
        public bool TryRead(TimeSpan wait, out WorkOutcome? outcome)
        {
            if (!_outcomes.Reader.TryRead(out outcome) && wait > TimeSpan.Zero)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(wait);
                    if (_outcomes.Reader.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult())
                    {
                        _outcomes.Reader.TryRead(out outcome);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }
            if (outcome != null)
            {
                Interlocked.Increment(ref _read);
                return true;
            }
            return false;
        }

        /// <summary>How long <see cref="Dispose()"/> waits for running items.</summary>
        public static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(5);

        /// <summary>Cancels, waits up to <see cref="DisposeBound"/> for running items, releases everything. Never throws.</summary>
        public void Dispose() => Dispose(DisposeBound);

        /// <summary>Cancels, waits up to <paramref name="wait"/> for running items, releases everything. Never throws.</summary>
        public void Dispose(TimeSpan wait)
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
            Cancel();
            Task[] tasks;
            lock (_tasks)
            {
                tasks = _tasks.ToArray();
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                Task.WaitAll(tasks, wait);
            }
            catch (AggregateException)
            {
                // Every item handles its own failures; nothing here may surface in a finalizing cmdlet.
            }
            // Items counted with Expect (the waiter's polls) have no task here: the rest of the bound for them.
            var left = wait - clock.Elapsed;
            SpinWait.SpinUntil(() => Volatile.Read(ref _running) == 0, left > TimeSpan.Zero ? left : TimeSpan.Zero);
            _outcomes.Writer.TryComplete();
            // The sources and the semaphore are left to the GC: an item still running after the bound (a submission
            // whose answer is late) may still touch them, and it must be able to finish and journal its answer.
        }

        internal async Task<bool> TakeSlotAsync()
        {
            try
            {
                await _slots.WaitAsync(_stopStarting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            if (_stopStarting.IsCancellationRequested)
            {
                _slots.Release();
                return false;
            }
            return true;
        }

        internal void ReturnSlot() => _slots.Release();

        /// <summary>Applies the stop rule to <paramref name="failure"/>; always false, so it can be an exception filter.</summary>
        internal bool Observe(Exception failure)
        {
            if (_stopStartingWhen != null && _stopStartingWhen(failure))
            {
                StopStarting();
            }
            return false;
        }
    }

    /// <summary>What a work item of <see cref="WorkEngine"/> gets: its slot and the engine's cancellation.</summary>
    public sealed class WorkContext
    {
        private readonly WorkEngine _engine;
        private int _holding;

        private Task<bool>? _firstSlot;

        internal WorkContext(WorkEngine engine) => _engine = engine;

        internal void QueueFirstSlot(Task<bool> slot) => _firstSlot = slot;

        /// <summary>Cancelled by <see cref="WorkEngine.Cancel"/> (Ctrl+C in Wait-Video and Save-Video). Submissions do not observe it.</summary>
        public CancellationToken Token => _engine.CancellationToken;

        /// <summary>Waits for a slot of the shared throttle; hold it only while talking to the network.</summary>
        /// <returns>A handle that returns the slot when disposed.</returns>
        /// <exception cref="NotStartedException">Starts were stopped before a slot came.</exception>
        public async Task<IDisposable> SlotAsync()
        {
            var queued = Interlocked.Exchange(ref _firstSlot, null);
            if (!await (queued ?? _engine.TakeSlotAsync()).ConfigureAwait(false))
            {
                throw new NotStartedException();
            }
            Interlocked.Exchange(ref _holding, 1);
            return new Releaser(this);
        }

        /// <summary>
        /// Runs <paramref name="work"/> holding one slot. The stop rule sees a failure in an exception filter, which runs
        /// before the <c>using</c> lets the slot go.
        /// </summary>
        internal async Task<TValue> HoldSlotAsync<TValue>(Func<WorkContext, Task<TValue>> work)
        {
            using (await SlotAsync().ConfigureAwait(false))
            {
                try
                {
                    return await work(this).ConfigureAwait(false);
                }
                catch (Exception ex) when (_engine.Observe(ex))
                {
                    throw; // never reached: Observe is always false
                }
            }
        }

        internal void ReleaseSlot()
        {
            if (Interlocked.Exchange(ref _holding, 0) == 1)
            {
                _engine.ReturnSlot();
            }
            // A slot queued at start that the item never took (it failed first) is given back once granted.
            var unused = Interlocked.Exchange(ref _firstSlot, null);
            unused?.ContinueWith(t =>
            {
                if (t.Status == TaskStatus.RanToCompletion && t.Result)
                {
                    _engine.ReturnSlot();
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private sealed class Releaser : IDisposable
        {
            private readonly WorkContext _context;

            public Releaser(WorkContext context) => _context = context;

            public void Dispose() => _context.ReleaseSlot();
        }
    }

    /// <summary>The outcome of an item that never started because starts were stopped (Ctrl+C, out of credits).</summary>
    public sealed class NotStartedException : OperationCanceledException
    {
        /// <summary>Creates the exception.</summary>
        public NotStartedException()
            : base("Not started: the work was stopped before this item began.")
        {
        }
    }

    /// <summary>One work item's outcome, as the pipeline thread reads it from <see cref="WorkEngine.TryRead"/>.</summary>
    public abstract class WorkOutcome
    {
        internal WorkOutcome(Exception? error) => Error = error;

        /// <summary>The failure, or null.</summary>
        public Exception? Error { get; }

        /// <summary>Hands the outcome, typed, to the handler the item was started with (pipeline thread only); nothing where none.</summary>
        public abstract void Deliver();
    }

    /// <summary>The outcome of an item started with a <typeparamref name="TState"/> and producing a <typeparamref name="TValue"/>.</summary>
    /// <typeparam name="TState">What was passed with the item (the row, the job).</typeparam>
    /// <typeparam name="TValue">What the item produces.</typeparam>
    public sealed class WorkOutcome<TState, TValue> : WorkOutcome
    {
        private readonly Action<WorkOutcome<TState, TValue>>? _handle;

        internal WorkOutcome(TState state, TValue? value, Exception? error, Action<WorkOutcome<TState, TValue>>? handle)
            : base(error)
        {
            State = state;
            Value = value;
            _handle = handle;
        }

        /// <summary>What was passed with the item.</summary>
        public TState State { get; }

        /// <summary>The result, when there was no error; default otherwise.</summary>
        public TValue? Value { get; }

        /// <inheritdoc/>
        public override void Deliver() => _handle?.Invoke(this);
    }
}
