using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using VideoGen.Core;
using VideoGen.Core.Providers;
using static VideoGen.Commands.StoreAccess;

namespace VideoGen.Commands
{
    /// <summary>
    /// The base of the cmdlets that take jobs (Get-VideoStatus, Wait-Video, Save-Video). Every parameter binds
    /// from the pipeline by property name, so VideoJob objects, Import-Csv rows of an exported job list and
    /// ConvertFrom-Json objects all bind alike.
    /// </summary>
    public abstract class JobCmdletBase : VideoGenCmdletBase
    {
        #region Parameters

        /// <summary>
        /// <para type="description">The provider's task id, as New-Video emitted it (FastRouter taskId, OpenRouter id, AppleRouter task_id).</para>
        /// </summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias(ParameterAliases.TaskId)]
        [ValidateNotNullOrEmpty]
        public string Id { get; set; } = string.Empty;

        /// <summary>
        /// <para type="description">The provider the job runs at: FastRouter, OpenRouter, AppleRouter, OpenAICompatible or Fal. Default: $env:VIDEOGEN_PROVIDER, else the one provider whose key is set.</para>
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ProviderCompleter))]
        public string? Provider { get; set; }

        /// <summary>
        /// <para type="description">The model the job was submitted with. FastRouter needs it for every poll unless the task id has a provider prefix such as pol_.</para>
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string? Model { get; set; }

        /// <summary>
        /// <para type="description">The job's label; Save-Video names the file after it.</para>
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias(ParameterAliases.Label)]
        public string? Name { get; set; }

        /// <summary>
        /// <para type="description">The job's prompt, carried through to the output.</para>
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Prompt { get; set; }

        /// <summary>
        /// <para type="description">OpenRouter's polling URL for the job.</para>
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? PollingUrl { get; set; }

        /// <summary>
        /// <para type="description">The video URL, where one is already known.</para>
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? VideoUrl { get; set; }

        /// <summary>
        /// <para type="description">The status last seen (Queued, Running, Succeeded, Failed, Cancelled, Expired). A job given as Succeeded is not polled again before saving, unless its download fails for want of the video URL a poll gives, or at a URL no longer served; then it is polled once for a fresh one.</para>
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Status { get; set; }

        /// <summary>
        /// <para type="description">The job journal (JSON lines) to record in. Default: $env:VIDEOGEN_JOURNAL_PATH, else %LOCALAPPDATA%\VideoGen\journal.jsonl on Windows or ~/.local/state/videogen/journal.jsonl elsewhere.</para>
        /// </summary>
        [Parameter]
        public string? JournalPath { get; set; }

        /// <summary>
        /// <para type="description">The job object itself, when piped (a VideoJob from New-Video, Wait-Video or Get-VideoStatus, or any object with an Id). Its properties bind to the other parameters; a job emitted in this session also brings the -ApiKey it was created with.</para>
        /// </summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public PSObject? InputObject { get; set; }

        #endregion

        private JobJournal? _journal;
        private Dictionary<string, string?>? _recordedBaseUris;

        /// <summary>The journal this invocation records in.</summary>
        protected JobJournal Journal => _journal ??= ResolveJournal(this, JournalPath);

        /// <summary>Records a job that ended without a video, so Get-VideoJob no longer lists it; a journal failure becomes a warning.</summary>
        protected void RecordEnded(VideoJob job)
        {
            if (job.IsTerminal && job.Status != VideoJobStatus.Succeeded)
            {
                try
                {
                    Journal.Ended(job);
                }
                catch (VideoGenException ex)
                {
                    WriteWarning(ex.Message);
                }
            }
        }

        /// <summary>
        /// The base URI New-Video recorded in the job store for this provider's job with the current Id, if any (an indexed
        /// look-up per job, remembered). A job imported from a file (Import-VideoJob) carries no trusted address: its BaseUri is
        /// checked like a piped row's, so a crafted file cannot send a key anywhere.
        /// </summary>
        private string? RecordedBaseUri(VideoProvider provider)
        {
            _recordedBaseUris ??= new Dictionary<string, string?>(StringComparer.Ordinal);
            var key = provider + "/" + Id;
            if (!_recordedBaseUris.TryGetValue(key, out var uri))
            {
                try
                {
                    var entry = Journal.Find(provider, Id.Trim());
                    uri = entry is null || entry.IsImported ? null : entry.Job.BaseUri;
                }
                catch (VideoGenException)
                {
                    // An unreadable store records nothing: the row's BaseUri must then be a configured one.
                    uri = null;
                }
                _recordedBaseUris[key] = uri;
            }
            return uri;
        }

        /// <summary>With -Id and -Provider typed (no pipeline input), a provider without a key ends the command before any request.</summary>
        protected void RequireKeyForIdTyped()
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Id)))
            {
                RequireKeyForTypedProvider();
            }
        }

        /// <summary>Remembers a job this cmdlet emits, with the key the current pipeline object was followed with.</summary>
        protected static void RememberEmitted(VideoJob job, SecureString? key) => SessionJobs.Remember(job, key);

        /// <summary>The key to carry on with the job made from the current pipeline object (see <see cref="VideoGenCmdletBase.CarriedKey"/>).</summary>
        protected SecureString? CarriedKey(VideoProvider provider) => CarriedKey(provider, InputObject?.BaseObject);

        /// <summary>The job the current pipeline object describes, and the endpoint to reach it.</summary>
        /// <exception cref="VideoGenException">An unknown provider, or no key.</exception>
        protected (VideoJob Job, ProviderEndpoint Endpoint) CurrentJob()
        {
            if (string.IsNullOrWhiteSpace(Id))
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    "This pipeline object has a blank Id" + (string.IsNullOrWhiteSpace(Name) ? string.Empty : " (Name '" + Name + "')") +
                    ": give the task id New-Video emitted (Id or TaskId column).");
            }
            var provider = ResolveProvider(Provider);
            if (ProviderMappings.For(provider).Rules.NeedsModelToFollow(Id, Model, PollingUrl) is string needsModel)
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument, needsModel, Id.Trim());
            }
            var piped = InputObject?.BaseObject;
            var endpoint = EndpointResolver.Resolve(provider, BaseUriFor(provider, piped, () => RecordedBaseUri(provider)), KeyFor(provider, piped), Environment.GetEnvironmentVariable);
            // The failure reason is not a parameter (-Error would shadow -ErrorAction): it is read from the piped object, a
            // job or an exported row, so a failed job reports its reason again.
            var error = InputObject?.Properties["Error"]?.Value?.ToString();
            var job = VideoJob.Restore(Id, provider, Model, Name, Prompt, endpoint.BaseUri.AbsoluteUri, PollingUrl, VideoUrl, Status, error);
            // The reported cost, likewise read from the piped object (a job, or an exported row's strings).
            var cost = InputObject?.Properties["Cost"]?.Value;
            if (cost is decimal d || decimal.TryParse(cost?.ToString(), System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out d))
            {
                job.RestoreCost(d, InputObject?.Properties["CostUnit"]?.Value?.ToString());
            }
            // When it was submitted (and, from a job object, the request's shape), for when to poll it: a job from New-Video carries
            // them, an exported row its SubmittedAt text.
            if (piped is VideoJob original)
            {
                job.RestoreTiming(original.SubmittedAt, original.Shape);
            }
            else
            {
                var submitted = InputObject?.Properties["SubmittedAt"]?.Value;
                // Text only in the round-trip form ("o", as ConvertTo-Json and the store write it): a date in some culture's form
                // (Export-Csv writes the exporting machine's) can read as another day here, so it is not trusted.
                job.RestoreTiming(submitted is DateTimeOffset at ? at : submitted is DateTime time ? new DateTimeOffset(time.ToUniversalTime(), TimeSpan.Zero)
                    : DateTimeOffset.TryParseExact(submitted?.ToString(), "o", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var parsed) ? parsed
                    : (DateTimeOffset?)null,
                    InputObject?.Properties["Shape"]?.Value?.ToString());
            }
            return (job, endpoint);
        }
    }
}
