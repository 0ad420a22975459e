export * from "./netns";
export * from "./tcp";
