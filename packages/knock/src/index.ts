export * from "./knock";
export * from "./args";
export * from "./targets";
export { runCli, USAGE, VERSION_TEXT, type CliIo } from "./cli";
export { runSesameCli, type SesameIo } from "./sesame-cli";
export * from "./totp-args";
