export * from "./netns";
export * from "./tcp";
export * from "./session";
