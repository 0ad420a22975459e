import { DEFAULT_SPA_PORT } from "../settings/settings";
import { isYes, readFwknopLines, type FwknopConfMessage } from "./lines";

/**
 * fwknopd.conf (config_init.c): global settings, one `NAME value` a line.
 * What Sesame's drop-in uses is read into typed fields; fwknopd's settings
 * for its own iptables/firewalld handling, syslog and file layout are known
 * and reported as not used (Sesame enforces with nftables itself); SPA over
 * HTTP/TCP and external commands are named as unsupported; anything else is
 * "unknown" as fwknopd says ("Ignoring unknown configuration parameter").
 */

export interface FwknopdConfig {
  pcapIntf?: string;
  /** PCAP_FILTER; default `udp port 62201`. */
  pcapFilter: string;
  /** The UDP port the filter names (what Sesame captures), when it is that simple. */
  spaPort: number;
  enableSpaPacketAging: boolean;
  maxSpaPacketAge: number;
  enableDigestPersistence: boolean;
  digestFile?: string;
  /** Default for stanzas without FW_ACCESS_TIMEOUT. */
  fwAccessTimeout?: number;
  accessFile?: string;
  pidFile?: string;
  verbose: number;
}

export type ParseFwknopdConfResult =
  | { ok: true; config: FwknopdConfig; warnings: FwknopConfMessage[] }
  | { ok: false; errors: FwknopConfMessage[]; warnings: FwknopConfMessage[] };

export const DEFAULT_PCAP_FILTER = "udp port 62201";

const UNUSED = /^(ENABLE_(IPT|FIREWD)_|(IPT|FIREWD|IPFW|PF)_|FLUSH_(IPT|FIREWD|IPFW)_|SNAT_TRANSLATE_IP$|FIREWALL_(TYPE|EXE)$|SYSLOG_|LOCALE$|FWKNOP_(RUN|CONF)_DIR$|ENABLE_PCAP_PROMISC$|PCAP_DISPATCH_COUNT$|PCAP_LOOP_SLEEP$|ENABLE_PCAP_ANY_DIRECTION$|EXIT_AT_INTF_DOWN$|MAX_SNIFF_BYTES$|RULES_CHECK_THRESHOLD$|GPG_HOME_DIR$|GPG_EXE$|SUDO_EXE$|ENABLE_RULE_PREPEND$|ENABLE_DESTINATION_RULE$|ENABLE_NAT_DNS$|DIGEST_DB_FILE$)/;
const UNSUPPORTED: Record<string, string> = {
  ENABLE_SPA_OVER_HTTP: "SPA over HTTP is not supported",
  ALLOW_ANY_USER_AGENT: "SPA over HTTP is not supported",
  ENABLE_X_FORWARDED_FOR: "SPA over HTTP is not supported",
  ENABLE_TCP_SERVER: "SPA over TCP is not supported",
  TCPSERV_PORT: "SPA over TCP is not supported",
  ENABLE_UDP_SERVER: "Sesame always captures with pcap",
  UDPSERV_PORT: "Sesame always captures with pcap",
  UDPSERV_SELECT_TIMEOUT: "Sesame always captures with pcap",
  ENABLE_NFQ_CAPTURE: "NFQ capture is not supported",
  PCAP_FILE: "reading packets from a file is not supported",
  BLACKLIST: "use Sesame's bans instead",
  ENABLE_EXTERNAL_CMDS: "Sesame runs no command",
  EXTERNAL_CMD_OPEN: "Sesame runs no command",
  EXTERNAL_CMD_CLOSE: "Sesame runs no command",
  EXTERNAL_CMD_ALARM: "Sesame runs no command",
  ENABLE_EXT_CMD_PREFIX: "Sesame runs no command",
  EXT_CMD_PREFIX: "Sesame runs no command",
  CMD_EXEC_TIMEOUT: "Sesame runs no command",
  ACCESS_FOLDER: "only one access.conf is read",
  OVERRIDE_CONFIG: "only one fwknopd.conf is read",
};

/** The one UDP destination port of a simple filter (`udp port N`, `udp dst port N`), else null. */
export function spaPortOfFilter(filter: string): number | null {
  const m = /^\s*udp\s+(?:dst\s+)?port\s+(\d{1,5})\s*$/i.exec(filter);
  return m && Number(m[1]) >= 1 && Number(m[1]) <= 65535 ? Number(m[1]) : null;
}

export function parseFwknopdConf(text: string): ParseFwknopdConfResult {
  const { lines, errors: invalid } = readFwknopLines(text);
  // fwknopd logs an invalid line of fwknopd.conf and goes on (access.conf stops it).
  const warnings: FwknopConfMessage[] = invalid.map((e) => ({ line: e.line, message: `${e.message}; ignored` }));
  const errors: FwknopConfMessage[] = [];
  const config: FwknopdConfig = { pcapFilter: DEFAULT_PCAP_FILTER, spaPort: DEFAULT_SPA_PORT, enableSpaPacketAging: true, maxSpaPacketAge: 120, enableDigestPersistence: true, verbose: 0 };
  let filterLine = 0;
  const seconds = (line: number, name: string, value: string): number | undefined => {
    if (/^\d{1,8}$/.test(value) && Number(value) >= 1) return Number(value);
    errors.push({ line, message: `${name}: '${value}' is not a number of seconds` });
    return undefined;
  };
  for (const { line, name, value } of lines) {
    if (value.startsWith("$")) {
      warnings.push({ line, message: `${name}: variable expansion ('${value}') is not supported; the value is used as written` });
    }
    switch (name) {
      case "PCAP_INTF":
        config.pcapIntf = value;
        break;
      case "PCAP_FILTER":
        config.pcapFilter = value;
        filterLine = line;
        break;
      case "ENABLE_SPA_PACKET_AGING":
        config.enableSpaPacketAging = isYes(value);
        break;
      case "MAX_SPA_PACKET_AGE": {
        const s = seconds(line, name, value);
        if (s !== undefined) config.maxSpaPacketAge = s;
        break;
      }
      case "ENABLE_DIGEST_PERSISTENCE":
        config.enableDigestPersistence = isYes(value);
        break;
      case "DIGEST_FILE":
        config.digestFile = value;
        break;
      case "FW_ACCESS_TIMEOUT": {
        const s = seconds(line, name, value);
        if (s !== undefined) config.fwAccessTimeout = s;
        break;
      }
      case "ACCESS_FILE":
        config.accessFile = value;
        break;
      case "FWKNOP_PID_FILE":
        config.pidFile = value;
        break;
      case "VERBOSE":
        config.verbose = /^\d+$/.test(value) ? Number(value) : 0;
        break;
      default:
        if (UNSUPPORTED[name]) warnings.push({ line, message: `${name} is not supported: ${UNSUPPORTED[name]}` });
        else if (UNUSED.test(name)) warnings.push({ line, message: `${name} is not used: Sesame enforces with its own nftables table` });
        else warnings.push({ line, message: `Ignoring unknown configuration parameter: '${name}'` });
    }
  }
  const port = spaPortOfFilter(config.pcapFilter);
  if (port === null) errors.push({ line: filterLine, message: `PCAP_FILTER '${config.pcapFilter}' is not supported: Sesame captures one UDP port ('udp port N')` });
  else config.spaPort = port;
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, config, warnings };
}
