import type { Step } from "@sesame/core";

/**
 * Previewing / applying an access.conf import (Users → Import), as sent to
 * the browser. It never holds key material, nor the file's text: the browser
 * keeps the file it chose and sends it again to apply.
 */

/** One stanza as a user to be created, without its keys. */
export interface AccessImportStanza {
  /** 1-based, as fwknopd logs it ("stanza #N"). */
  stanza: number;
  line: number;
  name: string;
  /** Empty: any source (SOURCE ANY). */
  sources: string[];
  ports: Step[];
  grantSec: number;
  maxGrantSec: number;
  requireSourceAddress: boolean;
  expiresAt: number | null;
  hmacDigest: string;
  hasHmacKey: boolean;
  /** What is carried over differently, or not at all. */
  notes: string[];
}

export interface AccessImportState {
  status: "idle" | "preview" | "error";
  message?: string;
  fieldErrors?: Record<string, string[]>;
  /** The file's errors, by line: nothing can be imported while there are any. */
  errors?: { line: number; message: string }[];
  warnings?: { line: number; message: string }[];
  stanzas?: AccessImportStanza[];
  /** The admin's address is not trusted and these ports become protected: confirm to apply. */
  lockout?: { message: string; ports: string[] } | null;
  /** Ties "apply" to the text and prefix previewed (an HMAC, not the text). */
  tag?: string;
  prefix?: string;
  configVersion?: number;
  nonce?: number;
}

export const ACCESS_IMPORT_IDLE: AccessImportState = { status: "idle" };
