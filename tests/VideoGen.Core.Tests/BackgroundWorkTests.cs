using VideoGen.Core;

namespace VideoGen.Core.Tests;

/// <summary>The throttled background work behind New-Video and Save-Video.</summary>
public class BackgroundWorkTests
{
    [Fact]
    public async Task At_most_the_throttle_limit_run_at_once_and_every_outcome_is_taken_once()
    {
        var running = 0;
        var peak = 0;
        using var work = new BackgroundWork<int>(3, default);
        for (var i = 0; i < 20; i++)
        {
            var n = i;
            work.Add(n, async ct =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                await Task.Delay(20, ct);
                Interlocked.Decrement(ref running);
                return n * 2;
            });
        }
        work.CompleteAdding();
        var results = new List<int>();
        while (!work.IsDone)
        {
            if (work.TryTake(TimeSpan.FromMilliseconds(100), out var outcome))
            {
                Assert.Null(outcome!.Error);
                Assert.Equal((int)outcome.State! * 2, outcome.Value);
                results.Add(outcome.Value);
            }
        }
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 2), results.OrderBy(x => x));
        Assert.InRange(peak, 1, 3);
        await Task.CompletedTask;
    }

    [Fact]
    public void Stop_starting_lets_running_items_finish_and_ends_the_rest_as_not_started()
    {
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        using var work = new BackgroundWork<string>(1, default);
        work.Add("first", _ => Task.Run(() =>
        {
            started.Set();
            release.Wait();
            return "done";
        }));
        // "first" holds the only slot before the others are added, so they wait for it.
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        work.Add("second", _ => Task.FromResult("should not run"));
        work.Add("third", _ => Task.FromResult("should not run"));
        work.CompleteAdding();

        work.StopStarting();
        release.Set();
        var outcomes = new List<WorkOutcome<string>>();
        while (!work.IsDone)
        {
            if (work.TryTake(TimeSpan.FromMilliseconds(100), out var outcome))
            {
                outcomes.Add(outcome!);
            }
        }

        Assert.Equal("done", Assert.Single(outcomes, o => (string)o.State! == "first").Value);
        Assert.All(outcomes.Where(o => (string)o.State! != "first"), o => Assert.IsType<NotStartedException>(o.Error));
        Assert.Equal(3, outcomes.Count);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

public class BackgroundWorkStopTests
{
    [Fact]
    public void A_stopping_failure_lets_no_waiting_item_start_even_with_one_slot()
    {
        var started = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var work = new BackgroundWork<int>(1, default, ex => ex is InvalidOperationException);
        for (var i = 0; i < 10; i++)
        {
            var n = i;
            work.Add(n, async _ =>
            {
                started.Add(n);
                await Task.Yield();
                // Every item would fail the same way (an account out of credits): only the first may run.
                throw new InvalidOperationException("out of credits");
            });
        }
        work.CompleteAdding();
        var outcomes = new List<WorkOutcome<int>>();
        while (!work.IsDone)
        {
            if (work.TryTake(TimeSpan.FromMilliseconds(100), out var outcome))
            {
                outcomes.Add(outcome!);
            }
        }

        // Whichever item ran first and failed, none started after it.
        Assert.Single(outcomes, o => o.Error is InvalidOperationException);
        Assert.Single(started);
        Assert.Equal(9, outcomes.Count(o => o.Error is NotStartedException));
        Assert.Equal(10, outcomes.Count);
    }
}
