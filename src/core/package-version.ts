import { readFileSync } from 'node:fs';

/** This package's version, from package.json (the same relative path from src/core and dist/core). */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
