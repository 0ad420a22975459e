#!/usr/bin/env node
// The knock client CLI. The package ships TypeScript source, so load it
// through tsx's loader, resolved from this file (not the cwd): works from any
// directory, through the node_modules/.bin symlink, and in `ip netns exec`.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
await main();
