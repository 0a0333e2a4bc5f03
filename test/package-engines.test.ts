import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * The Node.js versions package.json promises must be ones every package the server and CLI
 * load accepts: a dependency that raises its own minimum (faker, cel-js and @noble/hashes want
 * 20.19) would otherwise break users on an older Node 20 with a crash at import, not at install.
 */
const readJson = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Record<string, unknown>;
const manifest = readJson('../package.json') as { engines: { node: string } };
const lock = readJson('../package-lock.json') as { packages: Record<string, { version: string; dev?: boolean; engines?: { node?: string } | string[] }> };

/**
 * Packages whose declared minimum is higher than what they need where we use them, and why
 * that holds: checked by reading their code, so bumping one re-opens the question.
 */
const DECLARED_HIGHER_THAN_NEEDED: Readonly<Record<string, { version: string; why: string }>> = {
  'node_modules/cookie': {
    version: '2.0.2',
    why: 'ESM-only; declares >=22 for require(esm). @fastify/cookie loads it with import(), and light-my-request (fastify.inject) with require(), which Node runs for ESM from 20.19 on.',
  },
};

describe('package.json engines', () => {
  const oldest = semver.minVersion(manifest.engines.node)!;

  it('admits the Node.js running the tests', () => {
    expect(semver.satisfies(process.version, manifest.engines.node)).toBe(true);
  });

  it('is no lower than what any runtime dependency declares', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([path, pkg]) => path !== '' && !pkg.dev && !Array.isArray(pkg.engines) && pkg.engines?.node !== undefined)
      .filter(([path, pkg]) => DECLARED_HIGHER_THAN_NEEDED[path]?.version !== pkg.version)
      .filter(([, pkg]) => !semver.satisfies(oldest, (pkg.engines as { node: string }).node))
      .map(([path, pkg]) => `${path}@${pkg.version} wants node ${(pkg.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });

  it('lists only exceptions that are still in the lock file at their checked version', () => {
    for (const [path, { version }] of Object.entries(DECLARED_HIGHER_THAN_NEEDED)) expect(lock.packages[path]?.version, path).toBe(version);
  });
});
