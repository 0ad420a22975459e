/**
 * Writing knockd.conf: a parsed config back to text (round-trips through
 * parseKnockdConf), and Sesame doors as knockd sections.
 */
import type { KnockdConfig, KnockdDoor } from "./conf";
import { DEFAULT_CMD_TIMEOUT_SEC, formatSequence, formatTcpFlags } from "./sequence";
import type { Door, Step } from "../types";

const INDENT = "    ";

function assertOneLine(what: string, value: string): void {
  // A newline would end the directive early and smuggle in another one.
  if (/[\r\n]/.test(value)) throw new Error(`knockd.conf export: ${what} contains a line break`);
}

function directive(key: string, value: string): string {
  assertOneLine(key, value);
  return value === "" ? `${INDENT}${key.padEnd(18)} =` : `${INDENT}${key.padEnd(18)} = ${value}`;
}

function sectionHeader(name: string): string {
  assertOneLine("section name", name);
  if (name === "options" || name.trim() === "") throw new Error(`knockd.conf export: "${name}" cannot be a door section name`);
  return `[${name}]`;
}

function knockdDoorLines(d: KnockdDoor): string[] {
  const lines = [sectionHeader(d.name)];
  if (d.sequence.length > 0) lines.push(directive("Sequence", formatSequence(d.sequence)));
  if (d.oneTimeSequencesFile) lines.push(directive("One_Time_Sequences", d.oneTimeSequencesFile));
  lines.push(directive("Seq_Timeout", String(d.seqTimeoutSec)));
  const flags = formatTcpFlags(d.tcpFlags);
  if (flags) lines.push(directive("TCPFlags", flags));
  if (d.target) lines.push(directive("Target", d.target));
  if (d.startCommand) lines.push(directive("Start_Command", d.startCommand));
  if (d.startCommand6 !== undefined) lines.push(directive("Start_Command_6", d.startCommand6));
  if (d.stopCommand || d.stopCommand6 !== undefined || d.cmdTimeoutSec !== DEFAULT_CMD_TIMEOUT_SEC) {
    lines.push(directive("Cmd_Timeout", String(d.cmdTimeoutSec)));
  }
  if (d.stopCommand) lines.push(directive("Stop_Command", d.stopCommand));
  if (d.stopCommand6 !== undefined) lines.push(directive("Stop_Command_6", d.stopCommand6));
  return lines;
}

/** knockd.conf text that parseKnockdConf reads back to an equal config (line numbers aside). */
export function exportKnockdConf(config: KnockdConfig): string {
  const blocks: string[][] = [];
  const o = config.options;
  const opt: string[] = [];
  if (o.useSyslog) opt.push(`${INDENT}UseSyslog`);
  if (o.logFile) opt.push(directive("LogFile", o.logFile));
  if (o.pidFile) opt.push(directive("PidFile", o.pidFile));
  if (o.interface) opt.push(directive("Interface", o.interface));
  if (opt.length > 0) blocks.push(["[options]", ...opt]);
  for (const d of config.doors) blocks.push(knockdDoorLines(d));
  return blocks.map((b) => `${b.join("\n")}\n`).join("\n");
}

export interface DoorSectionContext {
  /** All doors, to resolve what a close door closes and which ports a ban covers. */
  doors?: Door[];
}

function portRule(binary: "iptables" | "ip6tables", op: "-I" | "-D", p: Step, target: "ACCEPT" | "DROP"): string {
  return `/usr/sbin/${binary} ${op} INPUT -s %IP% -p ${p.protocol} --dport ${p.port} -j ${target}`;
}

function rules(binary: "iptables" | "ip6tables", op: "-I" | "-D", ports: Step[], target: "ACCEPT" | "DROP"): string {
  return ports.map((p) => portRule(binary, op, p, target)).join("; ");
}

function uniquePorts(ports: Step[]): Step[] {
  const seen = new Map<string, Step>();
  for (const p of ports) seen.set(`${p.protocol}/${p.port}`, p);
  return [...seen.values()];
}

function describePorts(ports: Step[]): string {
  return ports.map((p) => `${p.protocol}/${p.port}`).join(", ");
}

/**
 * A Sesame door as a knockd section. knockd only runs shell commands, so
 * open/close/ban doors are written as the iptables/ip6tables commands a
 * knockd user would write for the same effect (the classic
 * `-I INPUT -s %IP% ... -j ACCEPT` with Cmd_Timeout and the matching `-D`),
 * preceded by `#` comments stating what Sesame does natively and what knockd
 * cannot express (kernel-side timeouts, never banning trusted networks,
 * cooldown, duplicate tolerance). Without `ctx.doors`, a close or ban door
 * cannot know its ports and gets comments only (knockd then just logs).
 * Command doors export their own commands. A disabled door, or a one-time
 * door with no sequence left, is written fully commented out.
 */
export function doorToKnockdSection(door: Door, ctx: DoorSectionContext = {}): string {
  const notes: string[] = [];
  const body: string[] = [];
  if (door.sequence.length > 0) body.push(directive("Sequence", formatSequence(door.sequence)));
  body.push(directive("Seq_Timeout", String(Math.max(1, Math.round(door.seqTimeoutMs / 1000)))));
  const flags = formatTcpFlags(door.tcpFlags);
  if (flags) body.push(directive("TCPFlags", flags));
  if (door.target) body.push(directive("Target", door.target));

  const a = door.action;
  const openDoors = (ctx.doors ?? []).filter((d) => d.enabled && d.action.kind === "open");
  const portsOf = (d: Door) => (d.action.kind === "open" ? d.action.ports : []);
  if (a.kind === "command") {
    if (a.start) body.push(directive("Start_Command", a.start));
    if (a.start6 !== undefined) body.push(directive("Start_Command_6", a.start6));
    body.push(directive("Cmd_Timeout", String(a.cmdTimeoutSec)));
    if (a.stop) body.push(directive("Stop_Command", a.stop));
    if (a.stop6 !== undefined) body.push(directive("Stop_Command_6", a.stop6));
  } else if (a.kind === "open") {
    const ports = uniquePorts(a.ports);
    notes.push(`Sesame: opens ${describePorts(ports)} to the knocker for ${a.durationSec} s (kernel-side timeout).`);
    body.push(directive("Start_Command", rules("iptables", "-I", ports, "ACCEPT")));
    body.push(directive("Start_Command_6", rules("ip6tables", "-I", ports, "ACCEPT")));
    body.push(directive("Cmd_Timeout", String(a.durationSec)));
    body.push(directive("Stop_Command", rules("iptables", "-D", ports, "ACCEPT")));
    body.push(directive("Stop_Command_6", rules("ip6tables", "-D", ports, "ACCEPT")));
  } else if (a.kind === "close") {
    const sources = a.doorName ? openDoors.filter((d) => d.name === a.doorName) : openDoors;
    const ports = uniquePorts(sources.flatMap(portsOf));
    notes.push(`Sesame: closes the knocker's grants${a.doorName ? ` opened by door ${a.doorName}` : ""}.`);
    if (ports.length === 0) notes.push("knockd equivalent unknown (no matching open door given): this section only logs.");
    else {
      body.push(directive("Start_Command", rules("iptables", "-D", ports, "ACCEPT")));
      body.push(directive("Start_Command_6", rules("ip6tables", "-D", ports, "ACCEPT")));
    }
  } else {
    const ports = uniquePorts(openDoors.flatMap(portsOf));
    notes.push(`Sesame: decoy; drops the knocker on protected ports for ${a.durationSec} s, never a trusted network (knockd cannot exempt them).`);
    if (ports.length === 0) notes.push("knockd equivalent unknown (no protected ports given): this section only logs.");
    else {
      body.push(directive("Start_Command", rules("iptables", "-I", ports, "DROP")));
      body.push(directive("Start_Command_6", rules("ip6tables", "-I", ports, "DROP")));
      body.push(directive("Cmd_Timeout", String(a.durationSec)));
      body.push(directive("Stop_Command", rules("iptables", "-D", ports, "DROP")));
      body.push(directive("Stop_Command_6", rules("ip6tables", "-D", ports, "DROP")));
    }
  }
  if (door.cooldownMs > 0) notes.push(`Sesame: cooldown of ${Math.round(door.cooldownMs / 1000)} s after a success (knockd has none).`);
  if (door.tolerateDuplicates) notes.push("Sesame: tolerates an immediately repeated knock (knockd does not).");
  if (door.oneTimeSequences) {
    const left = door.oneTimeSequences.length - (door.oneTimeIndex ?? 0);
    notes.push(`Sesame: one-time sequences (${Math.max(0, left)} left, kept in Sesame's database); Sequence is the current one.`);
  }

  const commentOut = !door.enabled || door.sequence.length === 0;
  if (!door.enabled) notes.unshift("Disabled in Sesame: the whole section is commented out.");
  else if (door.sequence.length === 0) notes.unshift("No sequence left: the whole section is commented out.");
  for (const n of notes) assertOneLine("comment", n);
  const header = sectionHeader(door.name);
  const lines = [...notes.map((n) => `# ${n}`), ...(commentOut ? [header, ...body].map((l) => `# ${l}`) : [header, ...body])];
  return `${lines.join("\n")}\n`;
}

/** Several Sesame doors as one knockd.conf (sections separated by blank lines). */
export function doorsToKnockdConf(doors: Door[], options: KnockdConfig["options"] = { useSyslog: true }): string {
  const head = exportKnockdConf({ options, doors: [] });
  const sections = doors.map((d) => doorToKnockdSection(d, { doors }));
  return [head, ...sections].filter((s) => s !== "").join("\n");
}
