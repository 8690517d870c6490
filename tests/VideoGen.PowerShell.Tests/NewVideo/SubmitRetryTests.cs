using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>
/// Issue 23 item 9, through New-Video: a submission answered 503 (as a proxy or gateway may answer after it forwarded the
/// POST) is sent once, and its error says a job may exist (VideoGen.SubmissionOutcomeUnknown) instead of paying again.
/// </summary>
public class SubmitRetryTests
{
    [Fact]
    public void New_Video_answered_503_posts_once_and_reports_that_a_job_may_exist()
    {
        // Answers every request 503 with an HTML page, as a busy proxy does.
        using var stub = new StubServer(c => StubServer.RespondAsync(c, 503, "text/html", "<html>upstream busy</html>"u8.ToArray()));
        using var ps = Engine.Start();

        var result = ps.Set("key", KeyScopeTests.Secure("vk-" + Guid.NewGuid().ToString("N"))).Run(
            "New-Video -Prompt 'Behind a busy proxy' -Provider FastRouter -Model google/veo3 -BaseUri $args[0] -ApiKey $key", stub.Root);

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("VideoGen.SubmissionOutcomeUnknown", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("may have been created", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, stub.Count("POST"));
    }
}
