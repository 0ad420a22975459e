export * from "./types";
export * from "./cidr";
export * from "./schemas";
