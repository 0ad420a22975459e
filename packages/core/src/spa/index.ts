/**
 * fwknop-compatible Single Packet Authorization (libfko's wire format, byte
 * for byte): import from "@sesame/core/spa" (node:crypto inside, so not in
 * the main entry the web's client code bundles).
 */
export * from "./digest";
export * from "./cipher";
export * from "./message";
export * from "./packet";
export * from "./keys";
export * from "./decide";
export * from "../fwknop/lines";
export * from "../fwknop/access-conf";
export * from "../fwknop/fwknopd-conf";
export * from "../fwknop/stanza-users";
export * from "../fwknop/fwknoprc";
