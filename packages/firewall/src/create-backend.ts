import { CommandBackend, type CommandBackendOptions } from "./command";
import { IptablesBackend, type IptablesOptions } from "./iptables";
import { NftablesBackend, type NftablesOptions } from "./nftables";
import type { FirewallBackend } from "./types";

export type BackendSpec =
  | { kind: "nftables"; options?: NftablesOptions }
  | { kind: "iptables"; options?: IptablesOptions }
  | { kind: "command"; options: CommandBackendOptions };

/** The backend the worker's `--backend` / `backend` setting names. */
export function createFirewallBackend(spec: BackendSpec): FirewallBackend {
  switch (spec.kind) {
    case "nftables":
      return new NftablesBackend(spec.options);
    case "iptables":
      return new IptablesBackend(spec.options);
    case "command":
      return new CommandBackend(spec.options);
  }
}
