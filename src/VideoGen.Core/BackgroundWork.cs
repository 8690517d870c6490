using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace VideoGen.Core
{
    /// <summary>
    /// Runs work items in the background, at most a throttle limit at once, and queues their outcomes for
    /// the pipeline thread to take. Items start the moment they are added. Disposing cancels the rest and
    /// waits for the running ones, so no task outlives the queue.
    /// </summary>
    /// <typeparam name="T">What an item produces.</typeparam>
    public sealed class BackgroundWork<T> : IDisposable
    {
        private readonly SemaphoreSlim _throttle;
        private readonly CancellationTokenSource _cancel;
        private readonly CancellationTokenSource _stopStarting;
        private readonly BlockingCollection<WorkOutcome<T>> _outcomes = new BlockingCollection<WorkOutcome<T>>();
        private readonly List<Task> _tasks = new List<Task>();
        private int _added;
        private int _taken;
        private bool _addingComplete;

        private readonly Func<Exception, bool>? _stopStartingWhen;

        /// <summary>Creates a queue running at most <paramref name="throttleLimit"/> items at once.</summary>
        /// <param name="throttleLimit">The most items running at once.</param>
        /// <param name="cancellationToken">Cancels everything (Ctrl+C).</param>
        /// <param name="stopStartingWhen">
        /// A failure after which no further item may start (New-Video: out of credits). It is applied inside the worker,
        /// before its slot is released, so no waiting item can slip in between.
        /// </param>
        public BackgroundWork(int throttleLimit, CancellationToken cancellationToken, Func<Exception, bool>? stopStartingWhen = null)
        {
            _stopStartingWhen = stopStartingWhen;
            _throttle = new SemaphoreSlim(Math.Max(1, throttleLimit));
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _stopStarting = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token);
        }

        /// <summary>
        /// Items not yet started never start: each ends with a <see cref="NotStartedException"/> outcome. Items already
        /// running go on (a submission in flight is not cut off, so its answer and task id are not lost).
        /// </summary>
        public void StopStarting() => _stopStarting.Cancel();

        /// <summary>Items added and not yet taken.</summary>
        public int Pending => Volatile.Read(ref _added) - Volatile.Read(ref _taken);

        /// <summary>True when adding is complete and every outcome was taken.</summary>
        public bool IsDone => _addingComplete && Pending == 0;

        /// <summary>Adds an item; <paramref name="state"/> travels with its outcome.</summary>
        public void Add(object? state, Func<CancellationToken, Task<T>> work)
        {
            Interlocked.Increment(ref _added);
            var token = _cancel.Token;
            var startToken = _stopStarting.Token;
            var task = Task.Run(async () =>
            {
                try
                {
                    await _throttle.WaitAsync(startToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    if (!token.IsCancellationRequested)
                    {
                        Post(new WorkOutcome<T>(state, default, new NotStartedException()));
                    }
                    return;
                }
                if (startToken.IsCancellationRequested)
                {
                    _throttle.Release();
                    if (!token.IsCancellationRequested)
                    {
                        Post(new WorkOutcome<T>(state, default, new NotStartedException()));
                    }
                    return;
                }
                try
                {
                    var value = await work(token).ConfigureAwait(false);
                    Post(new WorkOutcome<T>(state, value, null));
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                }
                catch (Exception ex)
                {
                    if (_stopStartingWhen != null && _stopStartingWhen(ex))
                    {
                        _stopStarting.Cancel();
                    }
                    Post(new WorkOutcome<T>(state, default, ex));
                }
                finally
                {
                    _throttle.Release();
                }
            });
            lock (_tasks)
            {
                _tasks.Add(task);
            }
        }

        /// <summary>Says no more items will be added.</summary>
        public void CompleteAdding() => _addingComplete = true;

        /// <summary>Takes the next outcome, waiting up to <paramref name="wait"/>.</summary>
        public bool TryTake(TimeSpan wait, out WorkOutcome<T>? outcome)
        {
            try
            {
                if (_outcomes.TryTake(out outcome, (int)Math.Max(0, wait.TotalMilliseconds), _cancel.Token))
                {
                    Interlocked.Increment(ref _taken);
                    return true;
                }
            }
            catch (OperationCanceledException)
            {
                outcome = null;
            }
            return false;
        }

        /// <summary>Cancels what remains and waits (briefly) for running items.</summary>
        public void Dispose()
        {
            _cancel.Cancel();
            Task[] tasks;
            lock (_tasks)
            {
                tasks = _tasks.ToArray();
            }
            try
            {
                Task.WaitAll(tasks, TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
            _stopStarting.Dispose();
            _cancel.Dispose();
            _throttle.Dispose();
            _outcomes.Dispose();
        }

        private void Post(WorkOutcome<T> outcome)
        {
            try
            {
                _outcomes.Add(outcome);
            }
            catch (ObjectDisposedException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    /// <summary>The outcome of an item that never started because <see cref="BackgroundWork{T}.StopStarting"/> was called.</summary>
    public sealed class NotStartedException : OperationCanceledException
    {
        /// <summary>Creates the exception.</summary>
        public NotStartedException()
            : base("Not started: the work was stopped before this item began.")
        {
        }
    }

    /// <summary>One work item's outcome.</summary>
    /// <typeparam name="T">What the item produces.</typeparam>
    public sealed class WorkOutcome<T>
    {
        internal WorkOutcome(object? state, T? value, Exception? error)
        {
            State = state;
            Value = value;
            Error = error;
        }

        /// <summary>What was passed with the item.</summary>
        public object? State { get; }
        /// <summary>The result, when there was no error.</summary>
        public T? Value { get; }
        /// <summary>The failure, or null.</summary>
        public Exception? Error { get; }
    }
}
