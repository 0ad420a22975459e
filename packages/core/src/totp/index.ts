export * from "./base32";
export * from "./hmac-sha1";
export * from "./totp";
export * from "./sequence";
export * from "./windows";
