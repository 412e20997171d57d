import { chmodSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The local stack's data folder holds the database, the local seal and JWT signing keys and demo.json (valid
 * staff tokens): none of it is for other users of the machine. Folders are 0700, files 0600, whatever the
 * caller's umask; DynamoDB Local itself runs under umask 077 (infra/local/dynamodb-local.ts).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder (and its parents) if needed and makes it 0700, also when it already existed. */
export function privateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
  return dir;
}

/** Writes a file readable by its owner only (0600), also when it existed before with a wider mode. */
export function writePrivateFile(file: string, data: string): void {
  writeFileSync(file, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(file, PRIVATE_FILE_MODE);
}

/**
 * Narrows everything under `dir` to 0700 folders and 0600 files: data folders written by an older version
 * (or copied in) are tightened on start. Symbolic links are left alone (chmod would follow them).
 */
export function lockDown(dir: string): void {
  chmodSync(dir, PRIVATE_DIR_MODE);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) lockDown(path);
    else chmodSync(path, PRIVATE_FILE_MODE);
  }
}
