import { readFileSync, statSync } from "node:fs";
import { CommandBackend, IptablesBackend, NftablesBackend, type CommandTemplates, type FirewallBackend, type FirewallError } from "@sesame/firewall";
import type { BackendName } from "./cli";
import { commandFileProblem } from "./knockd-conf-file";

/**
 * Builds the firewall backend the worker drives. Only the worker imports
 * @sesame/firewall. The command backend's templates are argv vectors read
 * from a root-owned JSON file, never from the database.
 */
export function createFirewall(
  name: BackendName,
  opts: { commandTemplates?: string; onBackgroundError?: (msg: string) => void },
): FirewallBackend {
  switch (name) {
    case "nftables":
      return new NftablesBackend();
    case "iptables":
      return new IptablesBackend();
    case "command": {
      const path = opts.commandTemplates;
      if (!path) throw new Error("--backend command needs --command-templates FILE");
      const problem = commandFileProblem(statSync(path));
      if (problem) throw new Error(`refusing command templates ${path}: ${problem}`);
      const templates = JSON.parse(readFileSync(path, "utf8")) as CommandTemplates;
      return new CommandBackend({
        templates,
        onError: (err: FirewallError, context) => opts.onBackgroundError?.(`firewall (${context}): ${err.message}`),
      });
    }
  }
}
