export * from "./types";
export * from "./cidr";
export * from "./schemas";
export * from "./matcher";
export * from "./actions";
export * from "./pcap-filter";
export * from "./knockd-conf";
export * from "./one-time";
