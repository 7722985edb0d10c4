import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, where package.json, bin/, src/ and deploy/ are. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
