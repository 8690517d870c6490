using System;
using System.Threading;
using VideoGen.Core.Http;

namespace VideoGen.Core.Submitting
{
    /// <summary>
    /// The one worker of paid requests, for rows and remixes alike: takes a slot, runs the request's check, reserves its
    /// price, sends it, commits the task id to the store the moment the answer is read (before anything else can fail),
    /// settles the price and records the job in the <see cref="SubmissionLedger"/>. Outcomes reach the pipeline thread
    /// through the <see cref="WorkEngine"/>: a <see cref="Submission"/>, or an exception (<see cref="NotStartedException"/>,
    /// <see cref="BudgetReachedException"/>, <see cref="SourceNotFinishedException"/>,
    /// <see cref="CreatedButUnreadableException"/>, a <see cref="VideoGenException"/>).
    /// </summary>
    /// <remarks>
    /// Stop rules, applied while the failing worker still holds its slot so no waiting request slips in: an out-of-credits
    /// answer (402 without a task id) and a store that cannot record a created job stop all further starts; a request
    /// already sent is never cut off (it is sent without the Ctrl+C token; the client's timeouts bound it).
    /// </remarks>
    public sealed class Submitter
    {
        private readonly VideoGenClient _client;
        private readonly JobJournal _store;
        private readonly WorkEngine _engine;
        private readonly Budget _budget;
        private readonly SubmissionLedger _ledger;
        private readonly IVideoGenLog _log;
        private readonly Action<WorkOutcome<PaidRequest, Submission>> _onOutcome;
        private int _storeFailed;

        /// <summary>Creates the worker of one command.</summary>
        /// <param name="client">The shared HTTP client.</param>
        /// <param name="store">The job store each created job is committed to.</param>
        /// <param name="engine">The command's engine (its slots are -ThrottleLimit).</param>
        /// <param name="budget">-MaxCost.</param>
        /// <param name="ledger">The command's requests in flight and jobs not handed on.</param>
        /// <param name="log">Verbose and debug text, or null.</param>
        /// <param name="onOutcome">What the pipeline thread does with each outcome (emit the job, write the error).</param>
        public Submitter(VideoGenClient client, JobJournal store, WorkEngine engine, Budget budget, SubmissionLedger ledger, IVideoGenLog? log,
            Action<WorkOutcome<PaidRequest, Submission>> onOutcome)
        {
            _onOutcome = onOutcome ?? throw new ArgumentNullException(nameof(onOutcome));
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _store = store ?? throw new ArgumentNullException(nameof(store));
            _engine = engine ?? throw new ArgumentNullException(nameof(engine));
            _budget = budget ?? throw new ArgumentNullException(nameof(budget));
            _ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
            _log = log ?? NullVideoGenLog.Instance;
        }

        /// <summary>True once the store failed to record a created job: starts are stopped for that reason.</summary>
        public bool StoreFailed => Volatile.Read(ref _storeFailed) != 0;

        /// <summary>The engine rule: an out-of-credits answer (HTTP 402: QuotaExceeded with no job created) stops every further start.</summary>
        public static bool IsOutOfCredits(Exception ex) => ex is VideoGenException vg && vg.Kind == VideoGenErrorKind.QuotaExceeded && vg.TaskId is null;

        /// <summary>Starts <paramref name="request"/> on the engine, in row order.</summary>
        public void Start(PaidRequest request)
        {
            if (request is null)
            {
                throw new ArgumentNullException(nameof(request));
            }
            _engine.StartInSlot(request, async context =>
            {
                if (request.BeforePaying != null)
                {
                    await request.BeforePaying(_client, _log, context.Token).ConfigureAwait(false);
                }
                // Ctrl+C or a stop rule while the check ran: the engine refuses only requests asking for a slot, and this one
                // holds its slot, so it asks itself before paying.
                if (_engine.IsStoppingStarts)
                {
                    throw new NotStartedException();
                }
                _budget.Reserve(request.Provider, request.Reserved);
                _ledger.Sending(request, request.Label);
                try
                {
                    VideoJob job;
                    try
                    {
                        job = await request.Send(_client, _log).ConfigureAwait(false);
                    }
                    catch (VideoGenException ex) when (ex.TaskId != null && ex.TaskId != request.SourceId)
                    {
                        // The answer carried a task id but could not be read in full: the job exists, so its id is kept.
                        var known = request.Recover(ex.TaskId!);
                        var error = Commit(request, known);
                        _budget.Settle(request.Provider, request.Reserved, null, "task " + known.Id + " (its answer could not be read)");
                        throw new CreatedButUnreadableException(known, error, ex);
                    }
                    catch (VideoGenException ex) when (ex.JobMayExist)
                    {
                        // Sent, answer lost: a job may exist and cost money, so the budget counts what it reserved, or can
                        // no longer count this provider where the cost was left to the answer.
                        _budget.Settle(request.Provider, request.Reserved, null, "the submission of " + request.Label + " (a job may have been created; its answer was lost)");
                        throw;
                    }
                    var storeError = Commit(request, job);
                    _budget.Settle(request.Provider, request.Reserved, job.Cost, "task " + job.Id);
                    return new Submission(request, job, storeError);
                }
                finally
                {
                    _ledger.Answered(request);
                }
            }, _onOutcome);
        }

        /// <summary>
        /// Records a created job in the worker that read its answer. A failure is returned, to be reported with the job, and
        /// stops further starts before the worker lets go of its slot: every later job could not be recorded either.
        /// </summary>
        private Exception? Commit(PaidRequest request, VideoJob job)
        {
            Exception? error = null;
            try
            {
                _store.Submitted(job, request.Fingerprint);
            }
            catch (Exception ex)
            {
                error = ex;
                Interlocked.Exchange(ref _storeFailed, 1);
                _engine.StopStarting();
            }
            _ledger.Created(job, request.Label, error is null);
            return error;
        }
    }
}
