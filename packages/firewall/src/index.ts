export * from "./types";
export * from "./exec";
export * from "./nftables";
