package dev.pier.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * One pass of a reactor's event loop, the work between two selects (ready channels, timers, tasks, flushes), that
 * took longer than the threshold: every connection of that loop waited meanwhile. The event's duration is the pass.
 *
 * <p>Use: {@code new LoopStall()}, {@code begin()} after the select, and at the end of the pass {@code end()} then
 * {@code commit()} if {@code shouldCommit()}. A disabled event reads no clock.
 */
@Name("dev.pier.LoopStall")
@Label("Event Loop Stall")
@Description("A pass of a reactor's event loop (callbacks, timers, tasks between two selects) took longer than the "
        + "threshold; every connection of the loop waited")
@Category({"Pier"})
@Threshold("50 ms")
@StackTrace(false)
public final class LoopStall extends jdk.jfr.Event {

    @Label("Loop Thread")
    @Description("The name of the event loop's thread")
    String loop;

    /** Names the loop, for an event about to be committed. */
    public void loop(String name) {
        this.loop = name;
    }
}
