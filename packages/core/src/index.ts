export * from "./types";
export * from "./cidr";
