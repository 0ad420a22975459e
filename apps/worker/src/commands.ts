import { spawn } from "node:child_process";
import { normalizeIp, type Decision } from "@sesame/core";
import type { SesameDb } from "@sesame/db";
import { readSetting } from "./db-read";
import { writeSetting } from "./db-write";
import type { WriteBehind } from "./write-behind";

/**
 * knockd's Start_Command / Stop_Command, with knockd's semantics: `/bin/sh -c
 * CMD`, %IP% substituted, the stop command Cmd_Timeout after the start. The
 * command text only ever comes from the root-owned knockd.conf the worker was
 * given (`-c`), never from the database. Unlike knockd, the pending stop is
 * not a sleeping child: it is recorded in the database (section + IP + due
 * time, no command text) so a restart still runs it when due.
 */

export const PENDING_COMMANDS_KEY = "workerPendingCommands";

export interface PendingStop {
  id: string;
  section: string;
  doorName: string;
  doorId: number | null;
  ip: string;
  family: 4 | 6;
  dueAt: number;
}

export interface CommandLog {
  log(msg: string): void;
  error(msg: string): void;
}

export interface CommandRunnerOptions {
  log: CommandLog;
  writer: WriteBehind;
  now: () => number;
  /** The stop command (unsubstituted) of a knockd.conf section, from the loaded file; undefined when absent. */
  stopCommandFor: (section: string, family: 4 | 6) => string | undefined;
  /** Where the commands' own output goes (knockd lets it through to its stdout). */
  stdio?: "inherit" | "ignore";
  shell?: string;
}

interface Scheduled {
  stop: PendingStop;
  /** Substituted stop command when known at schedule time (same run); restored ones resolve from the file. */
  command?: string;
  timer: NodeJS.Timeout;
  after: Promise<void>;
}

function substitute(command: string, ip: string): string {
  return command.split("%IP%").join(ip);
}

export class CommandRunner {
  private readonly opts: CommandRunnerOptions;
  private readonly scheduled = new Map<string, Scheduled>();
  private readonly running = new Set<Promise<void>>();
  private serial = 0;

  constructor(opts: CommandRunnerOptions) {
    this.opts = opts;
  }

  get runningCount(): number {
    return this.running.size;
  }

  get pendingStops(): PendingStop[] {
    return [...this.scheduled.values()].map((s) => s.stop);
  }

  /** Runs a command decision: start now, stop scheduled (and persisted) when there is one. */
  start(d: Extract<Decision, { kind: "command" }>, meta: { doorName: string; doorId: number | null; section: string }): void {
    const done = this.exec(meta.doorName, meta.doorId, d.ip, d.start, "command");
    if (d.stop === undefined) return;
    const stop: PendingStop = {
      id: `${this.opts.now()}-${++this.serial}`,
      section: meta.section,
      doorName: meta.doorName,
      doorId: meta.doorId,
      ip: d.ip,
      family: d.family,
      dueAt: this.opts.now() + d.stopAfterSec * 1000,
    };
    this.schedule(stop, d.stop, done);
    this.persist();
  }

  /** Re-schedules stop commands recorded by a previous run (validated: the database is not trusted). */
  restore(db: SesameDb): void {
    const raw = readSetting(db, PENDING_COMMANDS_KEY);
    if (!Array.isArray(raw)) return;
    for (const r of raw as unknown[]) {
      const p = r as Partial<PendingStop>;
      const ipOk = typeof p.ip === "string" && normalizeIp(p.ip) === p.ip;
      if (!ipOk || typeof p.section !== "string" || typeof p.dueAt !== "number" || (p.family !== 4 && p.family !== 6)) {
        this.opts.log.error(`ignoring malformed pending stop command record ${JSON.stringify(r).slice(0, 200)}`);
        continue;
      }
      const stop: PendingStop = {
        id: typeof p.id === "string" ? p.id : `restored-${++this.serial}`,
        section: p.section,
        doorName: typeof p.doorName === "string" ? p.doorName : p.section,
        doorId: typeof p.doorId === "number" ? p.doorId : null,
        ip: p.ip as string,
        family: p.family,
        dueAt: p.dueAt,
      };
      this.schedule(stop, undefined, Promise.resolve());
    }
    this.persist();
  }

  private schedule(stop: PendingStop, command: string | undefined, after: Promise<void>): void {
    const delay = Math.max(0, stop.dueAt - this.opts.now());
    const timer = setTimeout(() => void this.fire(stop.id), Math.min(delay, 2 ** 31 - 1));
    this.scheduled.set(stop.id, { stop, command, timer, after });
  }

  private async fire(id: string): Promise<void> {
    const s = this.scheduled.get(id);
    if (!s) return;
    // knockd runs the stop command after the start command has finished.
    await s.after;
    this.scheduled.delete(id);
    this.persist();
    const { stop } = s;
    this.opts.log.log(`${stop.ip}: ${stop.doorName}: command timeout`);
    this.opts.writer.event({ ts: this.opts.now(), kind: "command-timeout", ip: stop.ip, doorId: stop.doorId, doorName: stop.doorName });
    let command = s.command;
    if (command === undefined) {
      const text = this.opts.stopCommandFor(stop.section, stop.family);
      if (text === undefined) {
        this.opts.log.error(`${stop.doorName}: no stop command for section [${stop.section}] in the config file; nothing run for ${stop.ip}`);
        this.opts.writer.event({ ts: this.opts.now(), kind: "command-error", ip: stop.ip, doorId: stop.doorId, doorName: stop.doorName, detail: "stop command not found in the config file" });
        return;
      }
      command = substitute(text, stop.ip);
    }
    await this.exec(stop.doorName, stop.doorId, stop.ip, command, "command");
  }

  /** `/bin/sh -c CMD` as knockd does; resolves when it exits. Never throws. */
  private exec(doorName: string, doorId: number | null, ip: string, command: string, kind: "command"): Promise<void> {
    this.opts.log.log(`${doorName}: running command: ${command}`);
    this.opts.writer.event({ ts: this.opts.now(), kind, ip, doorId, doorName, detail: command });
    const p = new Promise<void>((resolve) => {
      let child;
      try {
        child = spawn(this.opts.shell ?? "/bin/sh", ["-c", command], { stdio: ["ignore", this.opts.stdio ?? "inherit", this.opts.stdio ?? "inherit"] });
      } catch (e) {
        this.failed(doorName, doorId, ip, command, (e as Error).message);
        resolve();
        return;
      }
      child.on("error", (e) => {
        this.failed(doorName, doorId, ip, command, e.message);
        resolve();
      });
      child.on("exit", (code, signal) => {
        if (code !== 0) this.failed(doorName, doorId, ip, command, signal ? `killed by ${signal}` : `exit status ${code}`);
        resolve();
      });
    });
    this.running.add(p);
    void p.then(() => this.running.delete(p));
    return p;
  }

  private failed(doorName: string, doorId: number | null, ip: string, command: string, why: string): void {
    this.opts.log.error(`${doorName}: command failed (${why}): ${command}`);
    this.opts.writer.event({ ts: this.opts.now(), kind: "command-error", ip, doorId, doorName, detail: `${why}: ${command}` });
  }

  private persist(): void {
    const list = this.pendingStops;
    const now = this.opts.now();
    this.opts.writer.latest("pending-commands", { describe: "pending stop commands", run: (db) => writeSetting(db, PENDING_COMMANDS_KEY, list, now) });
  }

  /**
   * Shutdown: stop timers (the pending stops stay recorded and run after a
   * restart) and wait, bounded, for running commands like knockd does.
   */
  async close(timeoutMs = 5000): Promise<void> {
    for (const s of this.scheduled.values()) clearTimeout(s.timer);
    if (this.running.size === 0) return;
    this.opts.log.log("waiting for child processes...");
    await Promise.race([Promise.all([...this.running]), new Promise((r) => setTimeout(r, timeoutMs))]);
  }
}
