import type { CredentialMaterial } from "@/server/credential-material";

/** What generating a credential answers: the material, shown once by the form that asked. */
export interface CredentialState {
  status: "idle" | "ok" | "error";
  message?: string;
  material?: CredentialMaterial;
  nonce?: number;
}

export const CREDENTIAL_IDLE: CredentialState = { status: "idle" };
