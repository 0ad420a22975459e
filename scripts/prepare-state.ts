/**
 * Lays out the state directory that the root worker and the unprivileged web
 * user share, so that root never follows a path the web user can write:
 *
 *   STATE/              root:sesame 0750  the web user can enter, never add, rename or remove
 *   STATE/sesame.db     root:sesame 0660  (and -wal, -shm: SQLite gives them the database's owner and mode)
 *   STATE/tls/          root:sesame 0750  certificate and key for the admin UI (start.sh writes them)
 *   STATE/app/          root:root   0755  the installed copy of the built admin UI
 *   STATE/web/          sesame      0700  the web user's own secrets; root never looks inside
 *
 * Every file is opened with O_NOFOLLOW and changed through its descriptor
 * (fchown/fchmod), after the directory itself stopped being writable by the web
 * user. A link or a foreign owner where one of these entries should be (left by
 * an older layout, whose directory the web user could write) stops the start
 * with one sentence instead of being followed. Before changing anything it checks
 * that the web user can reach the directory at all (a state directory under
 * /root cannot work) and that no ancestor is writable by anyone but root.
 *
 * Usage: tsx scripts/prepare-state.ts --db PATH [--secrets DIR] [--web-user sesame]
 */
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, lstatSync, mkdirSync, openSync, realpathSync, type Stats } from "node:fs";
import { execFileSync } from "node:child_process";
import { basename, dirname, join, resolve, sep } from "node:path";

const { O_RDONLY, O_RDWR, O_CREAT, O_NOFOLLOW, O_DIRECTORY, O_NONBLOCK } = constants;

class Refusal extends Error {}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

function mode(st: Stats): string {
  return (st.mode & 0o7777).toString(8).padStart(4, "0");
}

/** The strict ancestors of `dir`, from "/" down, with links in the existing part resolved. */
function ancestors(dir: string): string[] {
  let existing = resolve(dir);
  const rest: string[] = [];
  while (!lstatOrNull(existing)) {
    rest.unshift(basename(existing));
    existing = dirname(existing);
  }
  const parts = join(realpathSync(existing), ...rest).split(sep).filter(Boolean);
  return parts.slice(0, -1).map((_, i) => sep + parts.slice(0, i + 1).join(sep)).reverse().concat(sep).reverse();
}

interface WebUser {
  name: string;
  uid: number;
  gid: number;
}

function lookupUser(name: string): WebUser {
  const id = (flag: string) => Number(execFileSync("id", [flag, name], { encoding: "utf8" }).trim());
  return { name, uid: id("-u"), gid: id("-g") };
}

/**
 * Every existing ancestor must be a root-owned directory that only root can
 * change (or sticky, like /tmp), and the web user must be able to pass through.
 */
function checkAncestors(dir: string, web: WebUser): void {
  for (const a of ancestors(dir)) {
    const st = lstatOrNull(a);
    if (!st) continue; // created below, by root
    if (!st.isDirectory()) throw new Refusal(`${a} is not a directory`);
    const sticky = (st.mode & 0o1000) !== 0;
    if (st.uid !== 0 || (!sticky && (st.mode & 0o022) !== 0)) {
      throw new Refusal(
        `${a} (owner uid ${st.uid}, mode ${mode(st)}) can be changed by a user other than root, so the state directory ${dir} inside it cannot be protected: put SESAME_DB under a root-owned directory such as /var/lib/sesame`,
      );
    }
    const passable = (st.mode & 0o001) !== 0 || ((st.mode & 0o010) !== 0 && st.gid === web.gid);
    if (!passable) {
      throw new Refusal(
        `the web user ${web.name} cannot reach ${dir}: ${a} is mode ${mode(st)}; put SESAME_DB in a directory every user can traverse, such as the default /var/lib/sesame (the checkout itself may stay in a private directory)`,
      );
    }
  }
}

/** Create `path` as a directory if missing; then set owner and mode through a no-follow descriptor. */
function ensureDir(path: string, uid: number, gid: number, perm: number, expectOwner: number[] = [0]): void {
  const st = lstatOrNull(path);
  if (!st) mkdirSync(path, { mode: 0o700 });
  else if (st.isSymbolicLink()) throw new Refusal(`${path} is a symbolic link (to where the web user chose?); remove it and check the machine`);
  else if (!st.isDirectory()) throw new Refusal(`${path} is not a directory`);
  else if (!expectOwner.includes(st.uid)) throw new Refusal(`${path} belongs to uid ${st.uid}, not root; remove it and check the machine`);
  const fd = openSync(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  try {
    fchownSync(fd, uid, gid);
    fchmodSync(fd, perm);
  } finally {
    closeSync(fd);
  }
}

/**
 * Set owner and mode of a regular file through a no-follow descriptor;
 * `create` makes it (empty) when missing. A link or a file with other names
 * (a hard link to something else) is refused.
 */
function ensureFile(path: string, uid: number, gid: number, perm: number, create: boolean): void {
  const st = lstatOrNull(path);
  if (!st && !create) return;
  if (st?.isSymbolicLink()) throw new Refusal(`${path} is a symbolic link (to where the web user chose?); remove it and check the machine`);
  const fd = openSync(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | (create ? O_CREAT : 0), 0o600);
  try {
    const f = fstatSync(fd);
    if (!f.isFile()) throw new Refusal(`${path} is not a regular file`);
    if (f.nlink !== 1) throw new Refusal(`${path} has ${f.nlink} names (a hard link to another file?); remove it and check the machine`);
    if (f.uid !== 0 && f.uid !== uid) throw new Refusal(`${path} belongs to uid ${f.uid}; remove it and check the machine`);
    fchownSync(fd, uid, gid);
    fchmodSync(fd, perm);
  } finally {
    closeSync(fd);
  }
}

function main(): void {
  const db = arg("--db");
  if (!db || !db.startsWith("/")) throw new Refusal("--db must be an absolute path");
  const state = dirname(db);
  const secrets = arg("--secrets") ?? join(state, "web");
  const web = lookupUser(arg("--web-user") ?? "sesame");
  if (web.uid === 0) throw new Refusal(`the web user ${web.name} is root`);

  // Checks first: nothing is created or changed if the layout cannot work.
  checkAncestors(state, web);
  if (dirname(secrets) !== state) checkAncestors(secrets, web);

  // The directory first: from here on the web user cannot add, swap or remove entries.
  ensureDir(state, 0, web.gid, 0o750);
  for (const suffix of ["", "-wal", "-shm", "-journal"]) ensureFile(db + suffix, 0, web.gid, 0o660, suffix === "");
  ensureDir(join(state, "tls"), 0, web.gid, 0o750);
  ensureDir(join(state, "app"), 0, 0, 0o755);
  // The web user's own directory: owned by it; the entry itself sits in a root-only directory.
  ensureDir(secrets, web.uid, web.gid, 0o700, [0, web.uid]);
  console.log(`state: ${state} ready (database ${db}, web secrets ${secrets})`);
}

try {
  main();
} catch (e) {
  if (e instanceof Refusal) {
    console.error(`start: ${e.message}`);
    process.exit(2);
  }
  throw e;
}
