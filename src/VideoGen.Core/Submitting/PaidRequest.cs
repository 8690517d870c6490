using System;
using System.Threading;
using System.Threading.Tasks;
using VideoGen.Core.Http;

namespace VideoGen.Core.Submitting
{
    /// <summary>
    /// One request that costs money — a row's submission or a remix — as <see cref="Submitter"/> sends it: where it goes,
    /// its fingerprint on the wire, its price for the budget, how to send it and how to keep a created job whose answer
    /// could not be read in full.
    /// </summary>
    public sealed class PaidRequest
    {
        /// <summary>Creates a paid request.</summary>
        /// <param name="row">The row number (1-based) in the command's input.</param>
        /// <param name="label">The row as messages name it, e.g. <c>row 3 ('harbor')</c>.</param>
        /// <param name="endpoint">Where it goes, and with which key.</param>
        /// <param name="fingerprint">The request's fingerprint on the wire (<see cref="RequestFingerprint"/>).</param>
        /// <param name="send">Sends it (never with the Ctrl+C token: a request already sent is answered); returns the created job.</param>
        /// <param name="recover">The job to keep when an answer carried a task id but could not be read in full.</param>
        public PaidRequest(int row, string label, ProviderEndpoint endpoint, string fingerprint,
            Func<VideoGenClient, IVideoGenLog, Task<VideoJob>> send, Func<string, VideoJob> recover)
        {
            Row = row;
            Label = label ?? throw new ArgumentNullException(nameof(label));
            Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
            Fingerprint = fingerprint ?? throw new ArgumentNullException(nameof(fingerprint));
            Send = send ?? throw new ArgumentNullException(nameof(send));
            Recover = recover ?? throw new ArgumentNullException(nameof(recover));
        }

        /// <summary>The row number (1-based).</summary>
        public int Row { get; }

        /// <summary>The row as messages name it.</summary>
        public string Label { get; }

        /// <summary>Where it goes.</summary>
        public ProviderEndpoint Endpoint { get; }

        /// <summary>The provider.</summary>
        public VideoProvider Provider => Endpoint.Provider;

        /// <summary>The fingerprint recorded with the job.</summary>
        public string Fingerprint { get; }

        /// <summary>The fingerprint older versions recorded for it, where that one still tells requests apart; else null.</summary>
        public string? LegacyFingerprint { get; set; }

        /// <summary>The job's name (label), matched beside the fingerprint.</summary>
        public string? Name { get; set; }

        /// <summary>The prompt, for jobs imported without a fingerprint.</summary>
        public string? Prompt { get; set; }

        /// <summary>The model (the provider's default where the row names none); null for a remix.</summary>
        public string? Model { get; set; }

        /// <summary>A remix's source video id: an error naming it is about the source, not a job this request created.</summary>
        public string? SourceId { get; set; }

        /// <summary>The estimate from the provider's published prices (USD), or null.</summary>
        public decimal? Estimate { get; set; }

        /// <summary>What the budget reserves for it (<see cref="Budget.Price"/>), or null.</summary>
        public decimal? Reserved { get; set; }

        /// <summary>
        /// A check run in the slot before paying (a remix's one GET of its source), with the engine's cancellation; it throws
        /// to refuse. Null for none.
        /// </summary>
        public Func<VideoGenClient, IVideoGenLog, CancellationToken, Task>? BeforePaying { get; set; }

        /// <summary>What the cmdlet keeps with the request (the key to carry on with the job); never read by the core.</summary>
        public object? Tag { get; set; }

        internal Func<VideoGenClient, IVideoGenLog, Task<VideoJob>> Send { get; }

        internal Func<string, VideoJob> Recover { get; }
    }

    /// <summary>A job a paid request created, committed to the store (or the store's failure to record it).</summary>
    public sealed class Submission
    {
        internal Submission(PaidRequest request, VideoJob job, Exception? storeError)
        {
            Request = request;
            Job = job;
            StoreError = storeError;
        }

        /// <summary>The request.</summary>
        public PaidRequest Request { get; }

        /// <summary>The job created.</summary>
        public VideoJob Job { get; }

        /// <summary>Why the store could not record it, or null when it did.</summary>
        public Exception? StoreError { get; }
    }

    /// <summary>
    /// The provider created a job, but its answer could not be read in full: the task id was kept (and committed to the
    /// store), the rest of the answer was not.
    /// </summary>
    public sealed class CreatedButUnreadableException : Exception
    {
        internal CreatedButUnreadableException(VideoJob job, Exception? storeError, VideoGenException cause)
            : base(cause.Message, cause)
        {
            Job = job;
            StoreError = storeError;
            Cause = cause;
        }

        /// <summary>The job, with what was known of it.</summary>
        public VideoJob Job { get; }

        /// <summary>Why the store could not record it, or null.</summary>
        public Exception? StoreError { get; }

        /// <summary>The failure to read the answer.</summary>
        public VideoGenException Cause { get; }
    }

    /// <summary>A remix's source is not finished (or ended without a video): nothing was paid for.</summary>
    public sealed class SourceNotFinishedException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public SourceNotFinishedException(VideoJob source)
            : base("Video " + (source ?? throw new ArgumentNullException(nameof(source))).Id + " is " + source.Status + ", not finished.")
        {
            Video = source;
        }

        /// <summary>The source as the provider answered.</summary>
        public VideoJob Video { get; }
    }
}
