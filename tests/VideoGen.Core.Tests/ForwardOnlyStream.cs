namespace VideoGen.Core.Tests;

/// <summary>
/// The members a forward-only, read-only test stream (a body that stalls, trickles or breaks off) does not support,
/// written once; a subclass gives its reads and, where it counts them, <see cref="BytesRead"/>.
/// </summary>
internal abstract class ForwardOnlyStream : Stream
{
    /// <summary>What <see cref="Position"/> reports: the bytes read so far, where the stream counts them.</summary>
    protected virtual long BytesRead => 0;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
