using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using VideoGen.Core;
using static VideoGen.Commands.ErrorRecords;
using static VideoGen.Commands.StoreAccess;
using VideoGen.Core.Providers;
using VideoGen.Core.Submitting;

namespace VideoGen.Commands
{
    /// <summary>
    /// New-Video -RemixOf: a new video from a finished one on the OpenAI-style route (<c>POST videos/{id}/remix</c> with
    /// <c>{prompt}</c>; OpenAICompatible, and AppleRouter's /v1/videos models). Refused before any request on a provider or
    /// route without remix, and for a source that is not finished (its Status when the source is a job object, else one
    /// <c>GET videos/{id}</c>, which costs nothing). The remix is journaled by its worker the moment its answer is read and
    /// emitted as a VideoJob that Wait-Video and Save-Video take like any other.
    /// </summary>
    /// <remarks>
    /// Remixes run on New-Video's one engine beside new rows (so -ThrottleLimit bounds both together), and their outcomes
    /// are handled with the rows' in <see cref="OnSubmitted"/>. RemixOf is in every parameter set: New-Video declares no
    /// default set, so a set of its own would make every plain New-Video ambiguous.
    /// </remarks>
    public sealed partial class NewVideoCommand
    {
        /// <summary>
        /// <para type="description">Remix a finished video instead of generating one: the video's id (a string), or the job object itself (from New-Video, Wait-Video, Get-VideoStatus, Get-VideoJob or an exported row), whose Provider, Model, BaseUri and Status are then used. Sends POST videos/{id}/remix with -Prompt only (the remix keeps the source's model, seconds and size), so the other generation parameters are refused with it. Only the OpenAI-style route has remix: OpenAICompatible, and AppleRouter's veo-3.1 models (name the model with -Model when giving an AppleRouter id); FastRouter and OpenRouter are refused before any request. The source must be finished: a job object whose Status is known is checked without a request, an id is checked with one GET videos/{id} (not a paid request). Costs money like any submission; journaled and emitted like any other job. A CSV column RemixOf binds to it.</para>
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        public PSObject? RemixOf { get; set; }

        /// <summary>The New-Video fields a remix does not take (it keeps the source's model, seconds and size).</summary>
        private IEnumerable<string> FieldsNotForRemix()
        {
            var set = new (string Name, bool IsSet)[]
            {
                ("Duration", !string.IsNullOrWhiteSpace(_rowDuration)), ("AspectRatio", !string.IsNullOrWhiteSpace(AspectRatio)),
                ("Resolution", !string.IsNullOrWhiteSpace(Resolution)), ("Size", !string.IsNullOrWhiteSpace(Size)),
                ("Image", !string.IsNullOrWhiteSpace(Image)), ("Seed", !string.IsNullOrWhiteSpace(Seed)),
                ("GenerateAudio", !string.IsNullOrWhiteSpace(GenerateAudio)), ("FirstFrame", !string.IsNullOrWhiteSpace(FirstFrame)),
                ("LastFrame", !string.IsNullOrWhiteSpace(LastFrame)), ("ReferenceImage", ReferenceImage is { Length: > 0 }),
                ("CallbackUrl", !string.IsNullOrWhiteSpace(CallbackUrl)), ("ProviderOptions", ProviderOptions is { Count: > 0 }),
                ("Mode", !string.IsNullOrWhiteSpace(Mode)),
            };
            return set.Where(f => f.IsSet).Select(f => f.Name);
        }

        /// <summary>Whether this row is a remix: -RemixOf (or a RemixOf column) holds an id or a job, not a blank.</summary>
        private bool IsRemixRow()
        {
            var value = RemixOf?.BaseObject;
            return value != null && !(value is string text && string.IsNullOrWhiteSpace(text));
        }

        /// <summary>One remix row: refused at once where it cannot be done, else checked and sent on New-Video's engine.</summary>
        private void ProcessRemix()
        {
            string label = RequestValidator.DescribeRow(_row, Name);
            try
            {
                if (_outOfCredits || Engine.IsStoppingStarts)
                {
                    _notSubmitted.Add(new KeyValuePair<int, string>(_row, label));
                    return;
                }
                StartRemix(ref label);
            }
            catch (VideoGenException ex)
            {
                _failedRows++;
                if (FirstNoKeyError(ex))
                {
                    WriteError(RemixError(ex, label));
                }
            }
            finally
            {
                Drain(TimeSpan.Zero);
            }
        }

        private void StartRemix(ref string label)
        {
            var (sourceObject, id) = RemixSource();
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    Capital(label) + ": -RemixOf names no video: give the id of a finished video, or the job object (with its Id). Nothing was sent.");
            }
            var notForRemix = FieldsNotForRemix().ToList();
            if (notForRemix.Count > 0)
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    Capital(label) + ": a remix takes only -Prompt (and -Name); it keeps the source video's model, seconds and size. Remove " +
                    string.Join(", ", notForRemix) + " for this row. Nothing was sent.", id);
            }
            if (string.IsNullOrWhiteSpace(_rowPrompt))
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    Capital(label) + ": a remix needs -Prompt saying what to change in video " + id + ". Nothing was sent.", id);
            }
            var prompt = _rowPrompt!.Trim();
            if (sourceObject != null && string.Equals(prompt, Property(sourceObject, "Prompt"), StringComparison.Ordinal))
            {
                // The source's own prompt, bound from the piped job: a remix says what to change.
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    Capital(label) + ": the prompt is the source video's own prompt; a remix needs -Prompt saying what to change in video " + id + ". Nothing was sent.", id);
            }
            var provider = ResolveProvider(Property(sourceObject, "Provider") ?? Provider);
            JournalEntry? recordedSource = null;
            try
            {
                recordedSource = _journal!.Find(provider, id!);
            }
            catch (VideoGenException)
            {
                // An unreadable journal only means the source's model and base URI must come from the object or the parameters.
            }
            var model = Property(sourceObject, "Model") ?? (string.IsNullOrWhiteSpace(Model) ? null : Model) ?? recordedSource?.Job.Model;
            var sourceName = Property(sourceObject, "Name");
            var name = string.IsNullOrWhiteSpace(Name) ? null : Name!.Trim();
            if (name != null && sourceName != null && string.Equals(name, sourceName.Trim(), StringComparison.Ordinal))
            {
                // The source's own Name bound from a piped job: the remix would be saved over the source's file.
                name += "-remix";
            }
            label = RequestValidator.DescribeRow(_row, name);
            var status = Property(sourceObject, "Status");
            var pollingUrl = Property(sourceObject, "PollingUrl") ?? recordedSource?.Job.PollingUrl;
            // Before the key or the base URI is looked at: a provider or route without remix is refused before any request.
            var probe = VideoJob.Restore(id!, provider, model, null, null, null, pollingUrl);
            try
            {
                VideoOperations.ForRemix(probe);
            }
            catch (VideoGenException ex)
            {
                _failedRows++;
                WriteError(new ErrorRecord(new VideoGenException(ex.Kind, Capital(label) + ": " + ex.Message, id, null, ex),
                    "VideoGen.RemixNotSupported", ErrorCategory.NotImplemented, id));
                return;
            }
            var sessionObject = sourceObject?.BaseObject;
            var endpoint = EndpointResolver.Resolve(provider, RemixBaseUri(provider, sourceObject, recordedSource?.Job.BaseUri), KeyFor(provider, sessionObject),
                Environment.GetEnvironmentVariable);
            var source = VideoJob.Restore(id!, provider, model, sourceName, Property(sourceObject, "Prompt"), endpoint.BaseUri.AbsoluteUri, pollingUrl,
                Property(sourceObject, "VideoUrl"), status);
            var statusKnown = sourceObject != null && !string.IsNullOrWhiteSpace(status) &&
                Enum.TryParse<VideoJobStatus>(status!.Trim(), true, out var parsed) && Enum.IsDefined(typeof(VideoJobStatus), parsed);
            if (statusKnown && source.Status != VideoJobStatus.Succeeded)
            {
                // The job object says it is not finished: no request at all.
                _failedRows++;
                WriteError(NotFinishedRecord(source, label));
                return;
            }
            var remixMapping = VideoOperations.ForRemix(source);
            string fingerprint;
            using (var wire = remixMapping.CreateRemixRequest(endpoint.BaseUri, source, prompt))
            {
                fingerprint = RequestFingerprint.Of(endpoint, wire);
            }
            var carried = CarriedKey(provider, sessionObject);
            var paid = new PaidRequest(_row, label, endpoint, fingerprint,
                // Not the Ctrl+C token: a remix already sent is never cut off, so its id is not lost.
                (client, log) => client.RemixAsync(endpoint, source, prompt, name, log, CancellationToken.None),
                createdId => VideoJob.Restore(createdId, provider, source.Model, name, prompt, endpoint.BaseUri.AbsoluteUri))
            {
                SourceId = source.Id,
                Name = name,
                Prompt = prompt,
                LegacyFingerprint = RequestFingerprint.LegacyRemix(provider, prompt, source.Id),
                Tag = carried,
            };
            if (!statusKnown)
            {
                // One GET videos/{id} (not a paid request), in the remix's slot: only a finished video can be remixed.
                paid.BeforePaying = async (client, log, token) =>
                {
                    var checkedSource = await client.PollAsync(endpoint, source, log, token).ConfigureAwait(false);
                    if (checkedSource.Status != VideoJobStatus.Succeeded)
                    {
                        throw new SourceNotFinishedException(checkedSource);
                    }
                };
            }
            if (Reuse(paid, label + " was remixed before as task {0}; emitting that job instead of paying again. -Force remixes anew."))
            {
                return;
            }
            if (!Priced(paid))
            {
                return;
            }
            if (!ShouldProcess(label + ": remix of video " + source.Id + " '" + Shorten(prompt) + "' at " + provider + (source.Model is null ? string.Empty : " (" + source.Model + ")"),
                "Remix a video (costs money)"))
            {
                return;
            }
            if (CreditAllows(paid))
            {
                _submitter!.Start(paid);
            }
        }

        /// <summary>
        /// The source: -RemixOf as a job object (its Id), or -RemixOf as an id string, with the piped object as the source when
        /// it is the job of that id (<c>$job | New-Video -RemixOf { $_.Id } -Prompt ...</c>).
        /// </summary>
        private (PSObject? Source, string? Id) RemixSource()
        {
            if (RemixOf!.BaseObject is string text)
            {
                var id = text.Trim();
                var piped = InputObject != null && string.Equals(Property(InputObject, "Id"), id, StringComparison.Ordinal) ? InputObject : null;
                return (piped, id);
            }
            return (RemixOf, Property(RemixOf, "Id") ?? Property(RemixOf, ParameterAliases.TaskId));
        }

        /// <summary>
        /// The base URI for the remix: -BaseUri typed; else the source object's BaseUri, accepted only where the base class
        /// accepts a BaseUri from pipeline input (configured, journaled, or the session's own job); else the journaled one.
        /// </summary>
        private string? RemixBaseUri(VideoProvider provider, PSObject? sourceObject, string? recorded)
        {
            var saved = BaseUri;
            try
            {
                var fromSource = Property(sourceObject, "BaseUri");
                if (fromSource != null && !MyInvocation.BoundParameters.ContainsKey(nameof(BaseUri)))
                {
                    BaseUri = fromSource;
                }
                return BaseUriFor(provider, sourceObject?.BaseObject, () => recorded) ?? recorded;
            }
            finally
            {
                BaseUri = saved;
            }
        }

        private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);

        /// <summary>"Video X is Running, not finished": what to run, and that nothing was sent for the remix.</summary>
        private static ErrorRecord NotFinishedRecord(VideoJob source, string label)
        {
            var follow = "Get-VideoStatus -Id " + source.Id + " -Provider " + source.Provider + (string.IsNullOrWhiteSpace(source.Model) ? string.Empty : " -Model '" + source.Model + "'");
            var ended = source.IsTerminal;
            var message = ended
                ? Capital(label) + ": video " + source.Id + " ended " + source.Status + (source.Error is null ? string.Empty : " (" + source.Error + ")") +
                  ", so there is no video to remix. Nothing was sent."
                : Capital(label) + ": video " + source.Id + " is " + source.Status + ", not finished: only a finished video can be remixed. Nothing was sent for the remix. Wait for it with: " +
                  follow + " | Wait-Video, then run New-Video -RemixOf again (or pipe the waited job: -RemixOf $job).";
            var record = new ErrorRecord(new VideoGenException(ended ? VideoGenErrorKind.JobFailed : VideoGenErrorKind.NotFinished, message, source.Id),
                "VideoGen.RemixSourceNotFinished", ended ? ErrorCategory.InvalidOperation : ErrorCategory.ResourceUnavailable, source);
            record.ErrorDetails = new ErrorDetails(message)
            {
                RecommendedAction = ended ? "Remix a video that succeeded." : follow + " | Wait-Video",
            };
            return record;
        }

        private static ErrorRecord RemixError(VideoGenException ex, string label) =>
            ToErrorRecord(ex.Message.StartsWith(Capital(label), StringComparison.Ordinal) || ex.Kind == VideoGenErrorKind.NoApiKey
                ? ex
                : new VideoGenException(ex.Kind, Capital(label) + ": " + ex.Message, ex.TaskId, ex.StatusCode, ex), ex.TaskId ?? (object)label);
    }
}
