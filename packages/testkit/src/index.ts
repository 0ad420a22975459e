export * from "./netns";
export * from "./tcp";
export * from "./session";
export * from "./tcpdump";
export * from "./gateway-net";
