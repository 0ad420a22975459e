#!/usr/bin/env bash
# Install the built admin UI (Next's standalone output: its server, the
# node_modules it needs, static files, public/ and our launcher) into DIR, a
# root-owned directory the web user can read. The web user then never reads the
# checkout, which may sit in a private directory such as /root/sesame.
# The copy is made beside DIR/current and swapped in with one rename.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1
web=apps/web
id=$(cat "$web/.next/BUILD_ID")
if [ "$(cat "$dir/current/.sesame-build" 2>/dev/null)" = "$id" ]; then
  echo "install-web: up to date"
  exit 0
fi
new="$dir/.new-$$"
rm -rf "$new"
mkdir -m 0755 "$new"
cp -a "$web/.next/standalone/." "$new/"
cp -a "$web/.next/static" "$new/$web/.next/static"
cp -aL public "$new/$web/public"
cp -a "$web/server.mjs" "$new/$web/server.mjs"
echo "$id" > "$new/.sesame-build"
chown -R root:root "$new"
chmod -R u+rwX,go+rX,go-w "$new"
rm -rf "$dir/old"
[ -d "$dir/current" ] && mv "$dir/current" "$dir/old"
mv "$new" "$dir/current"
rm -rf "$dir/old"
echo "install-web: installed build $id in $dir/current"
