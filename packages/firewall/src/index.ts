export * from "./types";
export * from "./exec";
export * from "./nftables";
export * from "./iptables";
export * from "./command-template";
export * from "./command";
