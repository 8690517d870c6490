using System;
using System.Buffers.Binary;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace VideoGen.Emulator;

/// <summary>The served video: a small, real, playable MP4 (2 s, 160x90, H.264), padded with an MP4 'free' box to any larger size.</summary>
public static class VideoFile
{
    private static byte[] Resource(string name)
    {
        using var stream = typeof(VideoFile).Assembly.GetManifestResourceStream("VideoGen.Emulator." + name)
            ?? throw new InvalidOperationException("The embedded " + name + " is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static readonly Lazy<byte[]> SampleBytes = new(() => Resource("sample.mp4"));
    private static readonly Lazy<byte[]> ThumbnailBytes = new(() => Resource("thumbnail.webp"));
    private static readonly Lazy<byte[]> SpritesheetBytes = new(() => Resource("spritesheet.jpg"));

    /// <summary>A small WebP still (the OpenAI-style thumbnail variant).</summary>
    public static ReadOnlyMemory<byte> Thumbnail => ThumbnailBytes.Value;

    /// <summary>A small JPEG (the OpenAI-style spritesheet variant).</summary>
    public static ReadOnlyMemory<byte> Spritesheet => SpritesheetBytes.Value;

    /// <summary>The sample MP4 as it is.</summary>
    public static ReadOnlyMemory<byte> Sample => SampleBytes.Value;

    /// <summary>The length served for a configured size: the sample alone, or at least the sample plus an 8-byte box header.</summary>
    public static long LengthFor(long? size)
    {
        var sample = SampleBytes.Value.Length;
        return size is long s && s > sample ? Math.Max(s, sample + 8) : sample;
    }

    /// <summary>Writes bytes [<paramref name="from"/>, <paramref name="to"/>) of the video of length <paramref name="length"/>.</summary>
    public static async Task WriteAsync(Stream output, long length, long from, long to, CancellationToken cancellationToken)
    {
        var sample = SampleBytes.Value;
        var header = new byte[8];
        if (length > sample.Length)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header, (uint)Math.Min(uint.MaxValue, length - sample.Length));
            "free"u8.CopyTo(header.AsSpan(4));
        }
        var zeros = new byte[64 * 1024];
        var position = from;
        while (position < to)
        {
            ReadOnlyMemory<byte> chunk;
            if (position < sample.Length)
            {
                chunk = sample.AsMemory((int)position, (int)Math.Min(sample.Length - position, to - position));
            }
            else if (position < sample.Length + 8)
            {
                var offset = (int)(position - sample.Length);
                chunk = header.AsMemory(offset, (int)Math.Min(8 - offset, to - position));
            }
            else
            {
                chunk = zeros.AsMemory(0, (int)Math.Min(zeros.Length, to - position));
            }
            await output.WriteAsync(chunk, cancellationToken);
            position += chunk.Length;
        }
    }
}
