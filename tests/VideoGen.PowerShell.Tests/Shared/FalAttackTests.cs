using System.Text;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// fal through the real cmdlets against a hostile loopback server playing fal (a review of issue 25; the findings were fixed
/// since); tests/VideoGen.Core.Tests/AttackTests.cs has the unit-level reproductions.
/// </summary>
public class FalAttackTests
{
    /// <summary>
    /// fal answers an account out of credit with HTTP 403 {"detail":"User is locked. Reason: Exhausted balance. ..."}
    /// (fal-ai/fal issues #1112, #1147, #1163). New-Video takes it for a refused key: it does not stop submitting (every
    /// further row is POSTed) and each error tells the user to fix a key that is fine.
    /// </summary>
    [Fact]
    public void fals_exhausted_balance_stops_New_Video_as_out_of_credits()
    {
        using var stub = new StubServer(c => StubServer.JsonAsync(c, 403,
            """{"detail":"User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing."}"""));
        using var ps = Engine.Start();

        var result = ps.Set("key", KeyScopeTests.Secure("fal-id:" + Guid.NewGuid().ToString("N"))).Run(
            "1..4 | ForEach-Object { \"Row $_\" } | New-Video -Provider Fal -BaseUri $args[0] -ApiKey $key -ThrottleLimit 1", stub.Root);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Output);
        Assert.Equal(1, stub.Count("POST"));
        Assert.StartsWith("VideoGen.OutOfCredits", result.Errors[0].FullyQualifiedErrorId, StringComparison.Ordinal);
    }

    /// <summary>
    /// A fal key is key_id:key_secret. Another fal key quoted by the provider ("Authorization: Key id:secret") keeps its
    /// secret half through the sanitizer: in the error record, the job's Error in the output, and the job store on disk.
    /// </summary>
    [Fact]
    public void another_fal_keys_secret_quoted_by_the_provider_reaches_no_stream_and_no_store()
    {
        const string secret = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
        const string other = "1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718:" + secret;
        StubServer? self = null;
        using var stub = self = new StubServer(c =>
        {
            var path = c.Request.Url!.AbsolutePath;
            if (c.Request.HttpMethod == "POST")
            {
                return StubServer.JsonAsync(c, 200, "{\"request_id\":\"r1\",\"status_url\":\"" + self!.Root + "fal-ai/veo3.1/requests/r1/status\"," +
                    "\"response_url\":\"" + self.Root + "fal-ai/veo3.1/requests/r1\"}");
            }
            return path.EndsWith("/status", StringComparison.Ordinal)
                ? StubServer.JsonAsync(c, 200, """{"status":"COMPLETED"}""")
                : StubServer.JsonAsync(c, 422, "{\"detail\":[{\"loc\":[\"header\"],\"msg\":\"upstream rejected Authorization: Key " + other + "\",\"type\":\"value_error\"}]}");
        });
        using var ps = Engine.Start();

        var result = ps.Set("key", KeyScopeTests.Secure("fal-id:" + Guid.NewGuid().ToString("N"))).Run(
            "New-Video -Prompt 'quoted key' -Provider Fal -BaseUri $args[0] -ApiKey $key | Get-VideoStatus -Provider Fal -ApiKey $key -Verbose -Debug 4>&1 5>&1", stub.Root);

        var texts = result.Errors.Select(e => "error record: " + e)
            .Concat(result.Output.Select(o => o.Text("Error") is string error ? "output job's Error: " + error : "stream: " + o)).ToList();
        Assert.Contains(texts, t => t.Contains("upstream rejected", StringComparison.Ordinal)); // the provider's text did arrive
        foreach (var file in Directory.GetFiles(ps.Directory, "journal.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            texts.Add("store file " + Path.GetFileName(file) + ": " + Encoding.UTF8.GetString(copy.ToArray()));
        }
        var leaks = texts.Where(t => t.Contains(secret, StringComparison.Ordinal)).Select(t => t[..Math.Min(t.Length, 60)]).ToList();
        Assert.True(leaks.Count == 0, "the other key's secret half is in:\n" + string.Join("\n", leaks));
    }

    /// <summary>Held: the same fal rows run twice are paid once (the store's wire fingerprint), model spelled two ways.</summary>
    [Fact]
    public void the_same_fal_rows_run_twice_are_paid_once()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var first = ps.Run("New-Video -Provider Fal -Name a -Prompt ('Once ' + $args[0]) -Model fal-ai/veo3.1 -Duration 6", tag);
        var again = ps.Run("New-Video -Provider Fal -Name a -Prompt ('Once ' + $args[0]) -Model FAL-AI/VEO3.1 -Duration 6", tag);

        Assert.Empty(first.Errors);
        Assert.Equal(first.Output.Single().Text("Id"), again.Output.Single().Text("Id"));
        Assert.Single(SharedEmulator.JobsTagged(tag));
    }
}
