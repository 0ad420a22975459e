import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { formatLogFileLine } from "@sesame/core";

/**
 * knockd's logging: its lines (`10.0.0.5: openSSH: Stage 1`, `OPEN SESAME`,
 * `running command: …`) go to stdout always, to the LogFile as
 * `[YYYY-MM-DD HH:MM] msg`, and to syslog (ident knockd) when UseSyslog is on.
 * Verbose and debug lines only go to stdout. Writes are buffered streams so a
 * knock flood never blocks the capture on disk I/O.
 */

export interface LoggerOptions {
  verbose: boolean;
  debug: boolean;
  logFile?: string;
  useSyslog: boolean;
  now?: () => Date;
  /** stdout / stderr sinks (tests capture them). */
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** How syslog lines are delivered; default spawns `logger -t knockd` once. */
  openSyslog?: () => SyslogSink;
}

export interface SyslogSink {
  write(line: string): void;
  close(): Promise<void>;
  /** Lines dropped because logger was not keeping up (or not running). */
  dropped(): number;
}

const SYSLOG_RESPAWN_MS = 10_000;
/** Bytes waiting in logger's stdin past which lines are dropped: a stuck syslog never grows the worker. */
const SYSLOG_MAX_BACKLOG = 1 << 20;

/**
 * One long-lived util-linux `logger` child fed lines through its stdin
 * (argv, no shell; `-t knockd` unless other `args` are given); respawned at
 * most every 10 s. Writing is a buffered pipe write, never a wait.
 */
export function spawnSyslogSink(onError: (msg: string) => void, args: string[] = ["-t", "knockd"]): SyslogSink {
  let child: ChildProcess | null = null;
  let lastSpawn = 0;
  let dropped = 0;
  const ensure = (): ChildProcess | null => {
    if (child && child.exitCode === null && child.signalCode === null) return child;
    if (Date.now() - lastSpawn < SYSLOG_RESPAWN_MS) return null;
    lastSpawn = Date.now();
    const c = spawn("logger", args, { stdio: ["pipe", "ignore", "ignore"] });
    c.on("error", (e) => onError(`syslog: cannot run logger: ${e.message}`));
    c.on("exit", (code) => {
      if (code !== 0 && code !== null) onError(`syslog: logger exited with status ${code}; retrying in ${SYSLOG_RESPAWN_MS / 1000} s`);
    });
    c.stdin?.on("error", () => {});
    child = c;
    return c;
  };
  return {
    write(line) {
      const stdin = ensure()?.stdin;
      if (!stdin || stdin.writableLength > SYSLOG_MAX_BACKLOG) dropped++;
      else stdin.write(`${line}\n`);
    },
    dropped: () => dropped,
    close() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          c.kill("SIGKILL");
          resolve();
        }, 1000);
        c.once("exit", () => {
          clearTimeout(t);
          resolve();
        });
        c.stdin?.end();
      });
    },
  };
}

export class Logger {
  private readonly now: () => Date;
  private readonly out: (line: string) => void;
  private readonly err: (line: string) => void;
  private readonly openSyslog: () => SyslogSink;
  private file: WriteStream | null = null;
  private filePath: string | undefined;
  private fileFailed = false;
  private syslog: SyslogSink | null = null;
  verboseOn: boolean;
  debugOn: boolean;

  constructor(opts: LoggerOptions) {
    this.now = opts.now ?? (() => new Date());
    this.out = opts.out ?? ((l) => process.stdout.write(`${l}\n`));
    this.err = opts.err ?? ((l) => process.stderr.write(`${l}\n`));
    this.openSyslog = opts.openSyslog ?? (() => spawnSyslogSink((m) => this.err(m)));
    this.verboseOn = opts.verbose || opts.debug;
    this.debugOn = opts.debug;
    this.setLogFile(opts.logFile);
    this.setSyslog(opts.useSyslog);
  }

  /** (Re)opens the log file; also how SIGHUP follows a logrotate. */
  setLogFile(path: string | undefined): void {
    const old = this.file;
    this.file = null;
    old?.end();
    this.filePath = path;
    this.fileFailed = false;
    if (path === undefined) return;
    const stream = createWriteStream(path, { flags: "a", mode: 0o640 });
    stream.on("error", (e) => {
      if (!this.fileFailed) this.err(`error: log file ${path}: ${e.message}`);
      this.fileFailed = true;
      if (this.file === stream) this.file = null;
    });
    this.file = stream;
  }

  setSyslog(on: boolean): void {
    if (on && !this.syslog) this.syslog = this.openSyslog();
    if (!on && this.syslog) {
      void this.syslog.close();
      this.syslog = null;
    }
  }

  get logFile(): string | undefined {
    return this.filePath;
  }

  /** A knockd log line: stdout, log file, syslog. */
  log(msg: string): void {
    this.out(msg);
    this.persist(msg);
  }

  /** An error: stderr, log file, syslog. */
  error(msg: string): void {
    this.err(`error: ${msg}`);
    this.persist(`error: ${msg}`);
  }

  /** A warning: stderr, log file, syslog. */
  warn(msg: string): void {
    this.err(`warning: ${msg}`);
    this.persist(`warning: ${msg}`);
  }

  /** -v detail, stdout only. */
  verbose(msg: string): void {
    if (this.verboseOn) this.out(msg);
  }

  /** -D detail, stdout only. */
  debug(msg: string): void {
    if (this.debugOn) this.out(msg);
  }

  private persist(msg: string): void {
    this.file?.write(`${formatLogFileLine(this.now(), msg)}\n`);
    this.syslog?.write(msg);
  }

  /** Flushes and closes the file and the syslog child. */
  async close(): Promise<void> {
    const f = this.file;
    this.file = null;
    const closing: Promise<void>[] = [];
    if (f) closing.push(new Promise<void>((r) => f.end(() => r())));
    if (this.syslog) closing.push(this.syslog.close());
    this.syslog = null;
    await Promise.all(closing);
  }
}
