import { buildPcapFilter, formatStartingUp } from "@sesame/core";
import type { CaptureFilter, CaptureManager } from "./capture";
import type { WorkerOptions } from "./cli";
import type { WorkerSettings } from "./db-read";
import type { DoorTable } from "./door-table";
import type { Health } from "./health";
import type { KnockdConfHolder } from "./knockd-conf-file";
import type { LocalAddresses } from "./local-addresses";
import { findDefaultRouteInterfaces } from "./net-info";

/**
 * What capture listens on and for: the interfaces (-i, else the UI's
 * settings, else knockd.conf's Interface, else the default-route ones) and
 * the BPF filter (the doors' active sequence ports to this machine's
 * addresses), both followed as settings, doors and addresses change.
 */

export interface ListenPlanOptions {
  options: Pick<WorkerOptions, "interfaces" | "ipv4Only">;
  settings: { currentSettings(): WorkerSettings };
  knockdConf: KnockdConfHolder;
  doors: DoorTable;
  local: LocalAddresses;
  capture: CaptureManager;
  health: Health;
  log: { log(msg: string): void; error(msg: string): void; verbose(msg: string): void; debug(msg: string): void };
  /** The UDP port SPA datagrams are captured on; 0: no SPA user, none. */
  spaPort?: () => number;
}

export class ListenPlan {
  private filter = "";
  private noInterfaceLogged = false;

  constructor(private readonly o: ListenPlanOptions) {}

  /** Start-up: the filter first, so the first session opens with it (no swap right after start). */
  start(): void {
    this.o.local.refresh();
    const ifaces = this.resolveInterfaces();
    this.o.log.log(formatStartingUp(ifaces.length > 0 ? ifaces : ["(no interface yet)"]));
    this.refresh();
    this.o.capture.setInterfaces(ifaces);
  }

  /** Every second: follow addresses and interfaces (and re-check those that are failing). */
  tick(): void {
    const { local, capture } = this.o;
    if (local.refresh()) {
      this.o.log.verbose(`local addresses: ${local.all().join(", ")}`);
      this.refresh();
    }
    if (!this.followInterfaces()) capture.tick();
  }

  /** Settings or doors changed. */
  onSettings(): void {
    this.refresh();
    this.followInterfaces();
  }

  /** Rebuilds the capture filter from the doors as they are now (also after a one-time door moved on). */
  refresh(): void {
    let filter: CaptureFilter;
    try {
      const doors = this.o.doors.list();
      const localAddresses = this.o.local.all();
      const port = this.o.spaPort?.() ?? 0;
      const spa = port > 0 ? { spaPort: port } : {};
      filter = { vlan: buildPcapFilter(doors, { localAddresses, ...spa }), plain: buildPcapFilter(doors, { localAddresses, vlan: false, ...spa }) };
    } catch (e) {
      this.o.log.error(`capture filter: ${(e as Error).message}; keeping the previous one`);
      return;
    }
    if (filter.vlan === this.filter) return;
    this.filter = filter.vlan;
    this.o.log.debug(`pcap filter: ${filter.vlan}`);
    this.o.capture.setFilter(filter);
  }

  /** True when the interface list changed (capture then opens and closes what differs). */
  private followInterfaces(): boolean {
    const ifaces = this.resolveInterfaces();
    if (ifaces.join() === this.o.capture.interfaces.join()) return false;
    this.o.capture.setInterfaces(ifaces);
    return true;
  }

  private resolveInterfaces(): string[] {
    const { options, health } = this.o;
    if (options.interfaces.length > 0) return options.interfaces;
    const fromSettings = this.o.settings.currentSettings().interfaces;
    if (fromSettings.length > 0) return fromSettings;
    const conf = this.o.knockdConf.current()?.config.options.interface;
    if (conf) return [conf];
    const found = findDefaultRouteInterfaces(options.ipv4Only);
    if (found.length === 0) {
      if (!this.noInterfaceLogged) this.o.log.error("no default route to find the interface from; pass -i or set interfaces in the UI");
      this.noInterfaceLogged = true;
      health.set("iface:default", "no interface: no default route, no -i, no interfaces setting");
    } else {
      this.noInterfaceLogged = false;
      health.clear("iface:default");
    }
    return found;
  }
}
