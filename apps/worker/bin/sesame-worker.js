#!/usr/bin/env node
// sesame-worker: the package ships TypeScript source, so load it through
// tsx's loader, resolved from this file (not the cwd): works from any
// directory, through node_modules/.bin, under systemd and in `ip netns exec`.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
