using System;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace VideoGen.Core.Http
{
    /// <summary>
    /// A read-only wrapper over a response body: a read that brings no byte within the inactivity timeout fails
    /// with an <see cref="IOException"/> (inner <see cref="TimeoutException"/>) instead of waiting forever, and the
    /// body is disposed so the stalled read cannot resume into the caller's buffer. Works where the inner stream
    /// ignores cancellation (.NET Framework's response streams do). Downloads treat the failure like a dropped
    /// connection and resume with a Range request; JSON answers are retried where the call is idempotent.
    /// </summary>
    internal sealed class InactivityTimeoutStream : Stream
    {
        private readonly Stream _inner;
        private readonly TimeSpan _timeout;

        public InactivityTimeoutStream(Stream inner, TimeSpan timeout)
        {
            _inner = inner;
            _timeout = timeout;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (_timeout <= TimeSpan.Zero || _timeout == Timeout.InfiniteTimeSpan)
            {
                return await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            }
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var read = _inner.ReadAsync(buffer, offset, count, stall.Token);
            if (!read.IsCompleted)
            {
                var delay = Task.Delay(_timeout, stall.Token);
                if (await Task.WhenAny(read, delay).ConfigureAwait(false) != read)
                {
                    stall.Cancel();
                    // Abort the read for streams that ignore the token; observe its fault so it is not unobserved.
                    _inner.Dispose();
                    _ = read.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new IOException(string.Format(CultureInfo.InvariantCulture,
                        "no data arrived for {0:0.###} s (the answer stalled)", _timeout.TotalSeconds), new TimeoutException());
                }
                stall.Cancel(); // ends the delay
            }
            return await read.ConfigureAwait(false);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
