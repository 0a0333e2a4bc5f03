/**
 * `npm run bench -- <area>`: runs bench/<area>.ts, which prints one JSON object with its
 * figures and the same work done by a baseline in the same run.
 */
import { existsSync, readdirSync } from 'node:fs';

const area = process.argv[2];
const areas = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));
if (!area || !existsSync(new URL(`./${area}.ts`, import.meta.url))) {
  process.stderr.write(`usage: npm run bench -- <area>   (areas: ${areas.join(', ')})\n`);
  process.exit(2);
}
await import(`./${area}.ts`);
