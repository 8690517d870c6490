using System.Net;
using System.Net.Http.Headers;

namespace VideoGen.Core.Tests;

/// <summary>An HTTP handler answering each request from a script: (request, 1-based request number) to response.</summary>
internal sealed class ScriptedHandler(Func<HttpRequestMessage, int, HttpResponseMessage> script) : HttpMessageHandler
{
    private int _count;

    public List<HttpRequestMessage> Requests { get; } = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add(request);
        }
        var n = Interlocked.Increment(ref _count);
        var response = script(request, n);
        response.RequestMessage = request;
        return Task.FromResult(response);
    }

    /// <summary>A deterministic MP4-looking body: "....ftypisom" then a byte pattern.</summary>
    public static byte[] Video(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }
        "\0\0\0\u0018ftypisom"u8.ToArray().CopyTo(bytes, 0);
        return bytes;
    }

    public static string Sha(byte[] bytes) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant();

    /// <summary>A 200 that promises all of <paramref name="body"/> and breaks off (IOException) after <paramref name="cutAt"/> bytes.</summary>
    public static HttpResponseMessage Broken(byte[] body, int cutAt) => Media(HttpStatusCode.OK, new CutStream(body, 0, cutAt), body.Length, null);

    /// <summary>A 200 or 206 with the bytes from <paramref name="from"/> on and a matching Content-Range (206), unless <paramref name="claimedFrom"/> says otherwise.</summary>
    public static HttpResponseMessage From(byte[] body, long from, long? claimedFrom = null)
    {
        var range = from == 0 && claimedFrom is null ? null : new ContentRangeHeaderValue(claimedFrom ?? from, body.Length - 1, body.Length);
        return Media(range is null ? HttpStatusCode.OK : HttpStatusCode.PartialContent, new MemoryStream(body, (int)from, body.Length - (int)from), body.Length - from, range);
    }

    public static HttpResponseMessage Media(HttpStatusCode status, Stream stream, long? length, ContentRangeHeaderValue? range)
    {
        var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        content.Headers.ContentLength = length;
        content.Headers.ContentRange = range;
        var response = new HttpResponseMessage(status) { Content = content };
        response.Headers.AcceptRanges.Add("bytes");
        return response;
    }

    /// <summary>Serves bytes [from, cutAt) and then fails the read the way a dropped connection does.</summary>
    internal sealed class CutStream(byte[] body, int from, int cutAt) : ForwardOnlyStream
    {
        private int _position = from;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= cutAt)
            {
                throw new IOException("connection reset (test)");
            }
            var n = Math.Min(count, cutAt - _position);
            Array.Copy(body, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        protected override long BytesRead => _position;
    }
}
