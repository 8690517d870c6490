using System.Management.Automation;
using System.Security;
using VideoGen.Emulator;
using VideoGen.PowerShell.Tests.Support;

namespace VideoGen.PowerShell.Tests;

/// <summary>Tests that change process-wide environment variables run alone, after the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentGroup
{
    public const string Name = "Process environment";
}

/// <summary>-ApiKey with $env:VIDEOGEN_PROVIDER choosing its provider, while rows name others.</summary>
[Collection(ProcessEnvironmentGroup.Name)]
public class ApiKeyProviderTests
{
    [Fact]
    public void ApiKey_given_for_the_default_provider_never_reaches_a_row_that_names_another()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        // The emulator accepts only the shared key: a row that received this other key is answered 401.
        var rows = Csv.Rows("Name,Prompt,Provider\r\nfast,Fast " + tag + ",FastRouter\r\nopen,Open " + tag + ",OpenRouter\r\n");
        Environment.SetEnvironmentVariable("VIDEOGEN_PROVIDER", "FastRouter");
        PsResult result;
        try
        {
            result = ps.Set("rows", rows).Set("key", KeyScopeTests.Secure("vg-other-key-for-fastrouter-only")).Run("$rows | New-Video -ApiKey $key -ThrottleLimit 1");
        }
        finally
        {
            Environment.SetEnvironmentVariable("VIDEOGEN_PROVIDER", null);
        }

        var created = Assert.Single(result.Output);
        Assert.Equal("open", created.Text("Name"));
        Assert.Equal("OpenRouter", created.Text("Provider"));
        Assert.Single(SharedEmulator.JobsTagged(tag));
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("row 1 ('fast')", error.Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("vg-other-key", result.AllText(), StringComparison.Ordinal);
    }
}

/// <summary>-BaseUri typed for the provider $env:VIDEOGEN_PROVIDER names, while rows name others.</summary>
[Collection(ProcessEnvironmentGroup.Name)]
public class BaseUriProviderTests
{
    [Fact]
    public async Task A_BaseUri_typed_for_one_provider_is_not_used_for_rows_of_another()
    {
        await using var gateway = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Provider\r\nopen,Open " + tag + ",OpenRouter\r\nfast,Fast " + tag + ",FastRouter\r\n");
        Environment.SetEnvironmentVariable("VIDEOGEN_PROVIDER", "OpenRouter");
        PsResult result;
        try
        {
            result = ps.Set("rows", rows).Run("$rows | New-Video -BaseUri $args[0]", gateway.BaseUriFor("OpenRouter").AbsoluteUri);
        }
        finally
        {
            Environment.SetEnvironmentVariable("VIDEOGEN_PROVIDER", null);
        }

        Assert.Empty(result.Errors);
        // The OpenRouter row went to the address typed for OpenRouter; the FastRouter row to FastRouter's own.
        Assert.Equal("Open " + tag, Assert.Single(gateway.State.Jobs.Values).Prompt);
        Assert.Equal("Fast " + tag, Assert.Single(SharedEmulator.JobsTagged(tag)).Prompt);
    }
}

/// <summary>No key at all: one error saying how to give it, not one per row.</summary>
[Collection(ProcessEnvironmentGroup.Name)]
public class NoKeyTests
{
    private static PsResult WithoutFastRouterKey(Func<PsResult> run)
    {
        var saved = Environment.GetEnvironmentVariable("FASTROUTER_API_KEY");
        Environment.SetEnvironmentVariable("FASTROUTER_API_KEY", null);
        try
        {
            return run();
        }
        finally
        {
            Environment.SetEnvironmentVariable("FASTROUTER_API_KEY", saved);
        }
    }

    [Fact]
    public void No_key_for_the_provider_typed_is_one_error_before_any_row()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt\r\na,One " + tag + "\r\nb,Two " + tag + "\r\nc,Three " + tag + "\r\n");

        var result = WithoutFastRouterKey(() => ps.Set("rows", rows).Run("$rows | New-Video -Provider FastRouter"));

        var error = (result.Terminating as RuntimeException)?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.Equal("VideoGen.NoApiKey,VideoGen.Commands.NewVideoCommand", error.FullyQualifiedErrorId);
        Assert.Contains("$env:FASTROUTER_API_KEY", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.Empty(SharedEmulator.JobsTagged(tag));
    }

    [Fact]
    public void Rows_naming_a_provider_without_a_key_give_one_error_and_the_other_rows_go_on()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Provider\r\na,One " + tag + ",FastRouter\r\nb,Two " + tag + ",FastRouter\r\nc,Three " + tag + ",OpenRouter\r\nd,Four " + tag + ",FastRouter\r\n");

        var result = WithoutFastRouterKey(() => ps.Set("rows", rows).Run("$rows | New-Video -Verbose"));

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Equal("c", Assert.Single(result.Output).Text("Name"));
        Assert.Contains(result.Verbose, v => v.Message.Contains("2 more row(s)", StringComparison.Ordinal));
    }
}

/// <summary>A key goes only to the provider it was given for, at a base URI the user configured; it travels with the job in memory.</summary>
public class KeyScopeTests
{
    internal static SecureString Secure(string text)
    {
        var s = new SecureString();
        foreach (var c in text)
        {
            s.AppendChar(c);
        }
        s.MakeReadOnly();
        return s;
    }

    [Fact]
    public void BaseUri_without_a_provider_is_refused_before_any_row()
    {
        using var ps = Engine.Start();

        var result = ps.Run("Get-VideoStatus -Id abc -Model google/veo3 -BaseUri http://127.0.0.1:9/");

        var error = (result.Terminating as RuntimeException)?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.Equal("VideoGen.BaseUriNeedsProvider,VideoGen.Commands.GetVideoStatusCommand", error.FullyQualifiedErrorId);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void ApiKey_without_a_provider_is_refused_before_any_row()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        var rows = Csv.Rows("Name,Prompt,Provider\r\nopen,Open " + tag + ",OpenRouter\r\n");

        var result = ps.Set("rows", rows).Set("key", Secure(SharedEmulator.Key)).Run("$rows | New-Video -ApiKey $key");

        // A statement-terminating error: the command ends before its first row.
        var error = (result.Terminating as RuntimeException)?.ErrorRecord ?? Assert.Single(result.Errors);
        Assert.Equal("VideoGen.ApiKeyNeedsProvider,VideoGen.Commands.NewVideoCommand", error.FullyQualifiedErrorId);
        Assert.Empty(result.Output);
        Assert.Empty(SharedEmulator.JobsTagged(tag));
    }

    [Theory]
    [InlineData("Get-VideoStatus")]
    [InlineData("Wait-Video")]
    [InlineData("Save-Video")]
    public async Task A_BaseUri_column_that_nobody_configured_is_refused_before_any_request(string cmdlet)
    {
        await using var elsewhere = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var rows = Csv.Rows("Id,Provider,BaseUri,Status\r\nor-abc123,OpenRouter," + elsewhere.BaseUriFor("OpenRouter").AbsoluteUri + ",Succeeded\r\n");

        var result = ps.Set("rows", rows).Run("$rows | " + cmdlet + (cmdlet == "Save-Video" ? " -OutputDirectory $args[0]" : string.Empty), Path.Combine(ps.Directory, "x"));

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("not one configured for OpenRouter", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, elsewhere.State.TotalPolls + elsewhere.State.Unauthorized + elsewhere.State.Submissions);
        Assert.Empty(elsewhere.State.Jobs);
    }

    [Fact]
    public async Task A_job_imported_from_a_crafted_file_and_taken_by_a_rerun_never_takes_the_key_to_its_address()
    {
        // A file naming another address for a job: imported, then a re-run of the same row takes that job instead of paying.
        await using var elsewhere = await SharedEmulator.StartPrivateAsync();
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        // Rows as Import-Csv reads them (the engine has no Import-Csv; the Pester suite imports files by -Path).
        var crafted = Csv.Rows("Id,Provider,Model,Name,Prompt,BaseUri,Status\r\nor-crafted1,OpenRouter,google/veo-3.1,cat,A cat on a mat " + tag + "," +
            elsewhere.BaseUriFor("OpenRouter").AbsoluteUri + ",Running\r\n");
        Assert.Empty(ps.Set("crafted", crafted).Run("$crafted | Import-VideoJob").Errors);
        var row = Csv.Rows("Name,Prompt,Model\r\ncat,A cat on a mat " + tag + ",google/veo-3.1\r\n");

        var result = ps.Set("rows", row).Run("$rows | New-Video -Provider OpenRouter");

        // The imported job went to another address, so it is another request: the row is paid for at the configured
        // server, and the crafted job (and its address) is never taken.
        Assert.DoesNotContain(result.Warnings, w => w.Message.Contains("or-crafted1", StringComparison.Ordinal));
        Assert.Single(SharedEmulator.JobsTagged(tag));
        Assert.DoesNotContain(result.Output, o => o.Text("Id") == "or-crafted1");
        Assert.Equal(0, elsewhere.State.TotalPolls + elsewhere.State.Unauthorized + elsewhere.State.Submissions);
    }

    [Fact]
    public void An_imported_row_that_quotes_a_configured_key_never_puts_it_in_the_store()
    {
        SharedEmulator.EnsureStarted(); // the provider keys in this process's environment
        using var ps = Engine.Start();
        var rows = Csv.Rows("Id,Provider,Model,Name,Prompt,Status,Error\r\nor-quoted1,OpenRouter,google/veo-3.1,quoted,A quoted key,Failed,refused for key " + SharedEmulator.Key + " today\r\n");

        var result = ps.Set("rows", rows).Run("$rows | Import-VideoJob; Get-VideoJob -All");

        Assert.Empty(result.Errors);
        var job = Assert.Single(result.Output, o => o.Text("Id") == "or-quoted1");
        Assert.Equal("refused for key REDACTED today", job.Text("Error"));
        var bytes = File.ReadAllBytes(ps.Journal).Concat(File.Exists(ps.Journal + "-wal") ? File.ReadAllBytes(ps.Journal + "-wal") : []).ToArray();
        Assert.DoesNotContain(SharedEmulator.Key, System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_BaseUri_New_Video_recorded_in_the_journal_is_followed_after_export_and_import()
    {
        await using var gateway = await SharedEmulator.StartPrivateAsync();
        var baseUri = gateway.BaseUriFor("OpenRouter").AbsoluteUri;
        string exported;
        var journal = Path.Combine(Path.GetTempPath(), "vg-recorded-" + Guid.NewGuid().ToString("N") + ".db");
        using (var first = Engine.Start())
        {
            var created = first.Run("New-Video -Prompt 'Recorded gateway' -Provider OpenRouter -BaseUri $args[0] -Name recorded", baseUri);
            Assert.Empty(created.Errors);
            exported = Csv.Export(created.Output);
            File.Copy(first.Journal, journal);
        }
        using var second = Engine.Start();
        second.Run("$PSDefaultParameterValues['*:JournalPath'] = $args[0]", journal);
        var rows = Csv.Rows(exported);
        Assert.Equal(baseUri.TrimEnd('/') + "/", rows[0].Text("BaseUri"));

        var result = second.Set("rows", rows).Run("$rows | Wait-Video | Save-Video -OutputDirectory $args[0]", Path.Combine(second.Directory, "recorded"));

        File.Delete(journal);
        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        Assert.True(gateway.State.TotalPolls >= 1);
    }

    [Fact]
    public async Task ApiKey_given_to_New_Video_travels_with_the_job_to_Wait_Video_and_Save_Video_in_the_same_session()
    {
        const string gatewayKey = "vg-gateway-key-only-given-on-the-command-line";
        await using var gateway = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = gatewayKey, JobDuration = TimeSpan.FromSeconds(1) });
        using var ps = Engine.Start();
        var output = Path.Combine(ps.Directory, "carried");

        var result = ps.Set("key", Secure(gatewayKey)).Run(
            "New-Video -Prompt 'A carried key' -Provider OpenAICompatible -Duration 8 -BaseUri $args[0] -ApiKey $key -Name carried | Wait-Video | Save-Video -OutputDirectory $args[1]",
            gateway.BaseUriFor("OpenAICompatible").AbsoluteUri, output);

        Assert.Empty(result.Errors);
        Mp4.AssertMp4(Path.Combine(output, "carried.mp4"));
        Assert.Equal(0, gateway.State.Unauthorized);
        var everything = result.AllText() + File.ReadAllText(ps.Journal);
        Assert.DoesNotContain(gatewayKey, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenRouters_model_list_that_fails_is_asked_for_once_with_one_warning_for_all_rows()
    {
        await using var gateway = await SharedEmulator.StartPrivateAsync();
        var fault = new Fault { Route = "models", Provider = "openrouter", Status = 404, Count = 1000, Body = "{\"error\":{\"message\":\"no such route\"}}" };
        gateway.State.AddFault(fault);
        using var ps = Engine.Start();
        var rows = Csv.Rows("Name,Prompt\r\na,One\r\nb,Two\r\nc,Three\r\nd,Four\r\ne,Five\r\n");

        var result = ps.Set("rows", rows).Run("$rows | New-Video -Provider OpenRouter -BaseUri $args[0]", gateway.BaseUriFor("OpenRouter").AbsoluteUri);

        Assert.Empty(result.Errors);
        Assert.Equal(5, result.Output.Count);
        Assert.Equal(999, (int)typeof(Fault).GetField("Remaining", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(fault)!);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("model list", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_Image_path_is_resolved_against_the_PowerShell_location()
    {
        using var ps = Engine.Start();
        var tag = SharedEmulator.NewTag();
        File.WriteAllBytes(Path.Combine(ps.Directory, "ref.png"), Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="));
        Assert.NotEqual(Path.GetFullPath(ps.Directory), Path.GetFullPath(Environment.CurrentDirectory));

        var result = ps.Run("New-Video -Prompt ('From here ' + $args[0]) -Provider OpenAICompatible -Duration 8 -Image ./ref.png", tag);

        Assert.Empty(result.Errors);
        Assert.Single(result.Output);
        Assert.Equal(new FileInfo(Path.Combine(ps.Directory, "ref.png")).Length, Assert.Single(SharedEmulator.JobsTagged(tag)).Upload?.Length);
    }
}
