export * from "./knock";
export * from "./args";
export * from "./targets";
export { runCli, USAGE, VERSION_TEXT, type CliIo } from "./cli";
export * from "./spa";
export { runSpaCli, SPA_USAGE } from "./spa-cli";
export { parseSpaArgs } from "./spa-args";
export { runSesameCli, type SesameIo } from "./sesame-cli";
export * from "./totp-args";
