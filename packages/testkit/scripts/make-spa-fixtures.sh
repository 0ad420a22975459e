#!/usr/bin/env bash
# Generates packages/testkit/src/fixtures/spa-packets.ts ONCE with Debian's real
# fwknop client (fwknop-client 2.6.10): each packet is built in test mode (-T,
# nothing sent), saved with -B, and its fields are taken from the client's own
# -v dump. Keys are throwaway test keys. Run again only to refresh the fixtures:
#   bash packages/testkit/scripts/make-spa-fixtures.sh > packages/testkit/src/fixtures/spa-packets.ts
set -euo pipefail
KEY=mqVEqLLM0GE9Oh91HQwf53hQASd0akk2CTscXvf2U+U=
HMAC=hwHtcjDyvlfIGlucX8rvFYNQ0XgxxiFQs4CRZj0OHeOPIvSCGhICcQlZKjtST8n6qOD+G82kEGeE/h5sn+OH9Q==
PASS='correct horse battery'
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export HOME=$dir

field() { sed -n "s/^ *$1: //p" "$dir/out" | head -1; }

# gen NAME KEYKIND HMACDIGEST(or none) DIGEST -- fwknop args...
gen() {
  local name=$1 keykind=$2 hmacd=$3 digest=$4; shift 5
  local keyargs=(--key-base64-rijndael "$KEY") hmacargs=()
  [ "$keykind" = pass ] && keyargs=(--key-rijndael "$PASS")
  [ "$hmacd" != none ] && hmacargs=(--use-hmac --key-base64-hmac "$HMAC" --hmac-digest-type "$hmacd")
  rm -f "$dir/pkt"
  fwknop --no-rc-file --no-save-args -D 127.0.0.1 -U alice -T -B "$dir/pkt" -v -m "$digest" "${keyargs[@]}" "${hmacargs[@]}" "$@" >"$dir/out" 2>&1
  local key=$KEY; [ "$keykind" = pass ] && key=$(printf %s "$PASS" | base64 -w0)
  cat <<TS
  {
    name: "$name",
    args: $(printf '%s\n' "$*" | sed 's/"/\\"/g; s/.*/"&"/'),
    packet: "$(cat "$dir/pkt")",
    keyBase64: "$key",
    hmacKeyBase64: $([ "$hmacd" = none ] && echo null || echo "\"$HMAC\""),
    hmacDigest: $([ "$hmacd" = none ] && echo null || echo "\"$hmacd\""),
    digest: "$digest",
    random: "$(field 'Random Value')",
    username: "$(field Username)",
    timestamp: $(field Timestamp),
    version: "$(field 'FKO Version')",
    messageType: $(field 'Message Type' | cut -d' ' -f1),
    message: "$(field 'Message String')",
    natAccess: $(v=$(field 'Nat Access'); [ "$v" = '<NULL>' ] && echo null || echo "\"$v\""),
    clientTimeout: $(field 'Client Timeout'),
    encoded: "$(field 'Encoded Data')",
    digestB64: "$(field 'SPA Data Digest')",
    hmacB64: $(v=$(field HMAC); [ -z "$v" ] || [ "$v" = '<NULL>' ] && echo null || echo "\"$v\""),
  },
TS
}

cat <<'TS'
/**
 * SPA packets made by Debian's real fwknop client 2.6.10 in test mode
 * (generated once by packages/testkit/scripts/make-spa-fixtures.sh; the
 * fields are the client's own -v dump). Throwaway keys.
 */
export interface FwknopPacketFixture {
  name: string;
  /** The fwknop arguments beyond keys, digest and -U alice. */
  args: string;
  /** What the client sends as the UDP payload. */
  packet: string;
  keyBase64: string;
  hmacKeyBase64: string | null;
  hmacDigest: "md5" | "sha1" | "sha256" | "sha384" | "sha512" | "sha3_256" | "sha3_512" | null;
  digest: "md5" | "sha1" | "sha256" | "sha384" | "sha512" | "sha3_256" | "sha3_512";
  random: string;
  username: string;
  timestamp: number;
  version: string;
  messageType: number;
  message: string;
  natAccess: string | null;
  clientTimeout: number;
  encoded: string;
  digestB64: string;
  hmacB64: string | null;
}

export const FWKNOP_PACKETS: FwknopPacketFixture[] = [
TS
gen hmac-sha256-timeout key sha256 sha256 -- -A tcp/22 -a 10.0.0.2 -f 60
for d in md5 sha1 sha384 sha512 sha3_256 sha3_512; do
  gen "hmac-$d" key "$d" sha256 -- -A tcp/22 -a 10.0.0.2
done
for d in md5 sha1 sha384 sha512 sha3_256 sha3_512; do
  gen "digest-$d" key sha256 "$d" -- -A tcp/22 -a 10.0.0.2
done
gen source-ip key sha256 sha256 -- -A tcp/22 -s
gen two-ports key sha256 sha256 -- -A tcp/22,udp/53 -a 10.0.0.2 -f 7200
gen passphrase pass sha256 sha256 -- -A tcp/22 -a 10.0.0.2
gen no-hmac key none sha256 -- -A tcp/22 -a 10.0.0.2
gen command key sha256 sha256 -- -C 'touch /tmp/pwned' -a 10.0.0.2
gen nat key sha256 sha256 -- -A tcp/22 -a 10.0.0.2 -N 192.168.1.2,22
echo "];"
