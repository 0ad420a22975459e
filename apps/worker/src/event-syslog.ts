import { formatSyslogEvent } from "@sesame/core";
import type { SyslogSink } from "./log";
import type { EventRow } from "./write-behind";

/**
 * The worker's events as key=value syslog lines (`event=open door=ssh
 * ip=10.0.0.5 ports=tcp/22 duration=300`, ident `sesame`), for log
 * pipelines and Fail2Ban-style tools, while the "send events to syslog"
 * setting is on. Every event the write-behind queues passes here: one
 * string format and a buffered pipe write to the long-lived logger child,
 * never a wait on the packet path (the sink drops lines past its backlog).
 */

export interface EventSyslogOptions {
  /** Opens the sink (a `logger` child) when the setting turns on. */
  open: () => SyslogSink;
}

export class EventSyslog {
  private sink: SyslogSink | null = null;
  private droppedBefore = 0;

  constructor(private readonly o: EventSyslogOptions) {}

  setEnabled(on: boolean): void {
    if (on && !this.sink) this.sink = this.o.open();
    if (!on && this.sink) void this.close();
  }

  get enabled(): boolean {
    return this.sink !== null;
  }

  record(row: EventRow & { userName?: string | null }): void {
    this.sink?.write(formatSyslogEvent(row));
  }

  /** Lines dropped so far (logger not keeping up), across sinks. */
  dropped(): number {
    return this.droppedBefore + (this.sink?.dropped() ?? 0);
  }

  close(): Promise<void> {
    const s = this.sink;
    this.sink = null;
    if (!s) return Promise.resolve();
    this.droppedBefore += s.dropped();
    return s.close();
  }
}

/** `logger` arguments for the event lines: ident sesame with the worker's pid, auth facility. */
export function eventSyslogArgs(socket: string | undefined, pid = process.pid): string[] {
  return ["-t", "sesame", `--id=${pid}`, "-p", "authpriv.info", ...(socket ? ["-u", socket] : [])];
}
