#!/usr/bin/env node
// `sesame knock HOST --totp CODE`: loads the TypeScript source through tsx, as bin/knock.js does.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/sesame-cli.ts");
await main();
