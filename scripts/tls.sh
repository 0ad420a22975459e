#!/usr/bin/env bash
# The admin UI's certificate, in DIR (root:sesame 0750, made by prepare-state.ts):
# the admin's own (SESAME_TLS_CERT + SESAME_TLS_KEY, copied so the web user can
# read them), or one generated on first start (ECDSA P-256, self-signed, named
# after this host and its addresses, 825 days). Prints the SHA-256 fingerprint
# so the admin can check what the browser shows.
set -euo pipefail
dir=$1
cert="$dir/cert.pem" key="$dir/key.pem"
if [ -n "${SESAME_TLS_CERT:-}" ] || [ -n "${SESAME_TLS_KEY:-}" ]; then
  if [ ! -r "${SESAME_TLS_CERT:-}" ] || [ ! -r "${SESAME_TLS_KEY:-}" ]; then
    echo "start: SESAME_TLS_CERT and SESAME_TLS_KEY must both name readable PEM files" >&2
    exit 2
  fi
  # The key must belong to the certificate (same public key).
  if [ "$(openssl x509 -in "$SESAME_TLS_CERT" -noout -pubkey)" != "$(openssl pkey -in "$SESAME_TLS_KEY" -pubout)" ]; then
    echo "start: SESAME_TLS_KEY is not the key of SESAME_TLS_CERT" >&2
    exit 2
  fi
  install -m 0644 -o root -g root "$SESAME_TLS_CERT" "$cert.new"
  install -m 0640 -o root -g sesame "$SESAME_TLS_KEY" "$key.new"
  mv -f "$cert.new" "$cert"; mv -f "$key.new" "$key"
  origin="provided"
elif [ ! -s "$cert" ] || [ ! -s "$key" ] || ! openssl x509 -in "$cert" -noout -checkend 86400 >/dev/null; then
  host=$(hostname -f 2>/dev/null || hostname)
  san="DNS:$host,DNS:localhost,IP:127.0.0.1,IP:::1"
  for a in $(hostname -I 2>/dev/null); do san="$san,IP:$a"; done
  (umask 077; openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=$host/O=Sesame appliance" -addext "subjectAltName=$san" \
    -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=serverAuth" \
    -keyout "$key.new" -out "$cert.new" 2>/dev/null)
  chgrp sesame "$key.new"; chmod 0640 "$key.new"; chmod 0644 "$cert.new"
  mv -f "$cert.new" "$cert"; mv -f "$key.new" "$key"
  origin="generated for $host"
else
  origin="generated earlier"
fi
fp=$(openssl x509 -in "$cert" -noout -fingerprint -sha256 | cut -d= -f2)
echo "start: TLS certificate ($origin), SHA-256 fingerprint $fp"
