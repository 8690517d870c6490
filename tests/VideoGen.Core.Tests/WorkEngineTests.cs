using VideoGen.Core;

namespace VideoGen.Core.Tests;

/// <summary>The one background engine: throttling by slot, outcomes read once, stopping without cutting work in flight.</summary>
public class WorkEngineTests
{
    private static List<WorkOutcome<TState, TValue>> ReadAll<TState, TValue>(WorkEngine engine)
    {
        var outcomes = new List<WorkOutcome<TState, TValue>>();
        engine.CompleteAdding();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!engine.IsDone && DateTime.UtcNow < deadline)
        {
            if (engine.TryRead(TimeSpan.FromMilliseconds(100), out var o))
            {
                outcomes.Add((WorkOutcome<TState, TValue>)o!);
            }
        }
        Assert.True(engine.IsDone, "the engine did not finish");
        return outcomes;
    }

    [Fact]
    public void At_most_the_throttle_limit_hold_a_slot_at_once_and_every_outcome_is_read_once()
    {
        using var engine = new WorkEngine(3);
        var running = 0;
        var peak = 0;
        for (var i = 0; i < 20; i++)
        {
            var n = i;
            engine.Start(n, async ctx =>
            {
                using (await ctx.SlotAsync())
                {
                    var now = Interlocked.Increment(ref running);
                    InterlockedMax(ref peak, now);
                    await Task.Delay(20);
                    Interlocked.Decrement(ref running);
                    return n * 2;
                }
            });
        }

        var outcomes = ReadAll<int, int>(engine);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 2), outcomes.Select(o => o.Value).Order());
        Assert.All(outcomes, o => Assert.Equal(o.State * 2, o.Value));
        Assert.InRange(peak, 2, 3);
        Assert.Equal(0, engine.Pending);
    }

    [Fact]
    public void Items_started_in_order_take_the_only_slot_in_the_order_they_were_started()
    {
        using var engine = new WorkEngine(1);
        var order = new System.Collections.Concurrent.ConcurrentQueue<int>();
        for (var i = 0; i < 30; i++)
        {
            var n = i;
            engine.StartInSlot(n, async ctx =>
            {
                order.Enqueue(n);
                await Task.Delay(2);
                return n;
            });
        }

        ReadAll<int, int>(engine);

        Assert.Equal(Enumerable.Range(0, 30), order);
    }

    [Fact]
    public void Stop_starting_lets_items_holding_a_slot_finish_and_ends_the_waiting_ones_as_not_started()
    {
        using var engine = new WorkEngine(1);
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        engine.Start("first", async ctx =>
        {
            using (await ctx.SlotAsync())
            {
                started.Set();
                await Task.Run(() => release.Wait(TimeSpan.FromSeconds(10)));
                return "done";
            }
        });
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        engine.Start("second", async ctx => { using (await ctx.SlotAsync()) { return "never"; } });
        engine.Start("third", async ctx => { using (await ctx.SlotAsync()) { return "never"; } });

        engine.StopStarting();
        release.Set();
        var outcomes = ReadAll<string, string>(engine);

        Assert.Equal(3, outcomes.Count);
        Assert.Equal("done", Assert.Single(outcomes, o => o.State == "first").Value);
        Assert.All(outcomes.Where(o => o.State != "first"), o => Assert.IsType<NotStartedException>(o.Error));
    }

    [Fact]
    public void Cancel_reaches_the_items_that_observe_the_token_but_not_those_that_do_not()
    {
        using var engine = new WorkEngine(4);
        using var bothRunning = new CountdownEvent(2);
        engine.Start("poll", async ctx =>
        {
            using (await ctx.SlotAsync())
            {
                bothRunning.Signal();
                await Task.Delay(TimeSpan.FromSeconds(30), ctx.Token);
                return "late";
            }
        });
        engine.Start("submission", async ctx =>
        {
            using (await ctx.SlotAsync())
            {
                bothRunning.Signal();
                await Task.Delay(300, CancellationToken.None);
                return "answered";
            }
        });
        Assert.True(bothRunning.Wait(TimeSpan.FromSeconds(10)));

        engine.Cancel();
        var outcomes = ReadAll<string, string>(engine);

        Assert.IsAssignableFrom<OperationCanceledException>(Assert.Single(outcomes, o => o.State == "poll").Error);
        Assert.Equal("answered", Assert.Single(outcomes, o => o.State == "submission").Value);
    }

    [Fact]
    public void A_stopping_failure_lets_no_waiting_item_take_the_slot_it_frees()
    {
        using var engine = new WorkEngine(1, ex => ex is InvalidOperationException);
        var started = 0;
        for (var i = 0; i < 10; i++)
        {
            engine.StartInSlot<int, int>(i, async ctx =>
            {
                Interlocked.Increment(ref started);
                await Task.Delay(10);
                throw new InvalidOperationException("out of credits");
            });
        }

        var outcomes = ReadAll<int, int>(engine);

        Assert.Equal(1, started);
        Assert.Single(outcomes, o => o.Error is InvalidOperationException);
        Assert.Equal(9, outcomes.Count(o => o.Error is NotStartedException));
    }

    [Fact]
    public void Dispose_never_throws_and_is_bounded_with_work_still_running()
    {
        var engine = new WorkEngine(2);
        // An item that ignores cancellation (as a submission already sent does): Dispose waits for it only so long.
        engine.Start<object?, object?>(null, async ctx => { await Task.Delay(TimeSpan.FromSeconds(60), CancellationToken.None); return null; });
        engine.Start<object?, object?>(null, _ => throw new InvalidOperationException("boom"));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        engine.Dispose();
        var first = clock.Elapsed;
        engine.Dispose();

        Assert.InRange(first, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(20));
        Assert.Equal(1, engine.Running);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
