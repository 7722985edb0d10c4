/**
 * The data directory holds handler signing secrets (kept in clear: HMACs need them) and the
 * initial admin token, so it and its files are private to Hoist's user whatever the umask:
 * the directory 0700, the files 0600. `mode` at creation is filtered by the umask and ignored
 * for files that already exist, so every helper here sets the mode explicitly afterwards.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** Creates `dir` 0700, or makes an existing one 0700; throws, saying what to do, when it cannot. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const mode = statSync(dir).mode;
  if ((mode & 0o777) === DIR_MODE) return;
  // A sticky directory (/tmp) is shared by design: making it 0700 would break everyone else.
  if (mode & 0o1000) {
    throw new Error(
      `the data directory ${dir} is a shared directory (sticky bit, like /tmp); set HOIST_DATA_DIR to a directory of Hoist's own`,
    );
  }
  tighten(dir, DIR_MODE, mode, 'the data directory');
}

/**
 * Makes `file` 0600, creating it empty when missing. SQLite creates its -wal and -shm files
 * with its database file's permissions, so a database made private first stays private.
 */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', FILE_MODE));
  tightenIfPresent(file);
}

/** Makes `file` 0600 when it exists (a -wal or -shm left by an older Hoist). */
export function tightenIfPresent(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((mode & 0o777) !== FILE_MODE) tighten(file, FILE_MODE, mode, 'the file');
}

/** Writes `text` to `file`, 0600 even when a file of that name was there with looser bits. */
export function writePrivateFile(file: string, text: string): void {
  ensurePrivateFile(file);
  writeFileSync(file, text);
}

function tighten(target: string, wanted: number, mode: number, what: string): void {
  try {
    chmodSync(target, wanted);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(
      `${what} ${target} has mode ${octal(mode)}, which lets other users read Hoist's secrets, and Hoist could not change it to ${octal(wanted)} (${code}); run \`chmod ${octal(wanted)} ${target}\` as its owner, or set HOIST_DATA_DIR to a directory Hoist's user owns`,
    );
  }
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}
