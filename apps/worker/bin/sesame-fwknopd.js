#!/usr/bin/env node
// sesame-fwknopd: fwknopd's drop-in (see src/fwknopd-main.ts). TypeScript
// source loaded through tsx, resolved from this file like sesame-worker.
import { register } from "tsx/esm/api";

register();
await import("../src/fwknopd-main.ts");
