import { readFileSync, statSync } from 'node:fs';
import { Command } from 'commander';
import { invalidInput } from '../../core/errors.js';
import type { LineageParameters, LineageParameterValue } from '../../privacy/lineage/schema.js';
import { checkArtifactName, digestFile, type LineageGraph, type LineageStore } from '../../privacy/lineage/lineage-store.js';
import { sameFile } from '../../privacy/lineage/same-file.js';
import { cliActor, output, withCommonOptions, withSecurity, type CommonOptions, type Opening, type Run } from '../context.js';
import { wholeNumberOption } from '../number-options.js';
import { collect } from './users.js';

/**
 * `langtrain lineage …`: which artifact (data set, model) was made from which, by what
 * operation with which settings, and which data subjects each holds. Artifacts are named by
 * the SHA-256 of their bytes, computed here from the files.
 */
export function lineageCommand(run: Run): Command {
  const lineage = new Command('lineage').description('data lineage: record transformations, name artifacts, show where an artifact came from or went');
  const withLineage = (o: CommonOptions, work: (store: LineageStore) => Promise<void>, opening?: Opening) =>
    withSecurity(run, o, async (security) => work(await security.lineage()), opening);

  withCommonOptions(lineage.command('record'))
    .description('record that --output was made from --input by --operation')
    .requiredOption('--input <file>', 'the input artifact (its digest is computed)')
    .requiredOption('--output <file>', 'the output artifact')
    .requiredOption('--operation <name>', 'lower_snake_case, e.g. filter, redact, encrypt, train')
    .option('--param <key=value>', 'a setting that shaped the output (repeatable; true/false, null and numbers are typed, a number only when it prints back as written: 007 stays text); never secrets', collect)
    .option('--name-output <name>', 'also name the output, e.g. dataset:customers-v2')
    .action((o) =>
      withLineage(o, async (store) => {
        if (o.nameOutput !== undefined) checkArtifactName(o.nameOutput, '--name-output');
        if (await sameFile(o.input, o.output)) {
          throw invalidInput(`--input and --output are the same file (${o.output}): an edge from an artifact to itself says nothing of where it came from; give the file the step read and the file it wrote`, { field: 'output' });
        }
        const [inputDigest, outputDigest] = await Promise.all([digestFile(o.input), digestFile(o.output)]);
        const edge = await store.recordTransformation({ inputDigest, outputDigest, operation: o.operation, parameters: parseParams(o.param ?? []), actor: cliActor() });
        if (o.nameOutput) await store.nameArtifact(outputDigest, o.nameOutput);
        output(o, { ...edge, ...(o.nameOutput ? { outputName: o.nameOutput } : {}) }, () => `recorded #${edge.seq}: ${inputDigest} -> ${outputDigest} (${edge.operation})${o.nameOutput ? `, output named ${o.nameOutput}` : ''}`);
      }, { store: 'create' }),
    );

  withCommonOptions(lineage.command('name'))
    .description('name an artifact file or digest, e.g. model:classifier-3')
    .argument('<artifact>', ARTIFACT_REF)
    .argument('<name>')
    .action((ref: string, name: string, o) =>
      withLineage(o, async (store) => {
        const digest = await artifactDigest(store, ref);
        await store.nameArtifact(digest, name);
        output(o, { digest, name }, () => `${name} names ${digest}`);
      }, { store: 'create' }),
    );

  withCommonOptions(lineage.command('show'))
    .description('where an artifact came from (default) or, with --downstream, what was built from it')
    .argument('<artifact>', ARTIFACT_REF)
    .option('--downstream', 'walk to what was built from it')
    .option('--depth <n>', 'at most this many steps (default: all)', (v) => wholeNumberOption(v, '--depth', 1))
    .action((ref: string, o) =>
      withLineage(o, async (store) => {
        const graph = await store.lineageOf(await artifactDigest(store, ref), { direction: o.downstream ? 'downstream' : 'upstream', ...(o.depth !== undefined ? { depth: o.depth } : {}) });
        output(o, graph, () => describeGraph(graph));
      }),
    );

  withCommonOptions(lineage.command('subjects'))
    .description('record which data subjects an artifact holds (so erasure can name it)')
    .requiredOption('--artifact <artifact>', ARTIFACT_REF)
    .requiredOption('--subjects-file <file>', 'subject ids, one per line')
    .option('--complete', 'the file lists every subject the artifact holds: an erasure of anyone else does not name it, nor what is built from it alone')
    .action((o) =>
      withLineage(o, async (store) => {
        const digest = await artifactDigest(store, o.artifact);
        const ids = readFileSync(o.subjectsFile, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
        if (ids.length === 0) throw invalidInput(`${o.subjectsFile} lists no subject ids: write one id per line`);
        const added = await store.recordSubjects(digest, ids, { complete: o.complete === true });
        output(o, { digest, subjects: new Set(ids).size, added }, () => `${digest}: ${added} new subject(s) of ${new Set(ids).size} listed`);
      }, { store: 'create' }),
    );

  withCommonOptions(lineage.command('containing'))
    .description("the artifacts holding a subject's data, directly or because they were built from one that does")
    .requiredOption('--user <id>', 'the data subject')
    .action((o) =>
      withLineage(o, async (store) => {
        const artifacts = await store.artifactsContaining(o.user);
        output(o, artifacts, () =>
          artifacts.length === 0 ? `no recorded artifact holds data of ${o.user}` : artifacts.map((a) => `${a.digest}  ${a.via}${a.names.length > 0 ? `  ${a.names.join(', ')}` : ''}`).join('\n'),
        );
      }),
    );

  return lineage;
}

const ARTIFACT_REF = 'a file (its digest is computed), sha256:<64 hex>, or a name such as dataset:customers-v2';
const DIGEST_REF = /^sha256:[0-9a-f]{64}$/;
/** The shape LineageStore accepts for a name (kind:name); a name that is no file is looked up there. */
const NAME_REF = /^[a-z][a-z0-9_]*:[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;

/**
 * The digest an artifact reference stands for, the same way for every subcommand: a digest
 * as given, a path to an existing file by its bytes' digest, a name by the store. A file
 * wins over a name of the same spelling: it is what is on disk now (`lineage name` took
 * files before it took names).
 */
async function artifactDigest(store: LineageStore, ref: string): Promise<string> {
  if (DIGEST_REF.test(ref)) return ref;
  const entry = statSync(ref, { throwIfNoEntry: false });
  if (entry?.isFile()) return digestFile(ref);
  const digestLike = /^sha256:/i.test(ref);
  if (!digestLike && NAME_REF.test(ref)) return store.resolve(ref);
  const why = entry?.isDirectory() ? 'is a directory, not an artifact' : digestLike ? 'is not a digest (sha256: and 64 lower-case hex digits)' : 'is no file, digest or artifact name';
  throw invalidInput(`${ref} ${why}: give a path to an existing file, a digest (sha256:<64 hex>) or a name (kind:name, e.g. dataset:customers-v2)`, { field: 'artifact' });
}

/** `--param k=v` pairs as JSON: numbers, booleans and null typed, so `epochs=3` stays a number. */
function parseParams(pairs: string[]): LineageParameters {
  const params: LineageParameters = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw invalidInput(`--param ${pair}: write KEY=VALUE, e.g. --param epochs=3`);
    params[pair.slice(0, at)] = typed(pair.slice(at + 1));
  }
  return params;
}

/**
 * A number only when the number prints back as the text given: `007` (a shard id, a zip code),
 * `1.50`, `0x1f` or `1e3` stay text, as typed, rather than lose what the number would drop.
 */
function typed(text: string): LineageParameterValue {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  const n = Number(text);
  return Number.isFinite(n) && String(n) === text ? n : text; // NaN and Infinity print back too, but JSON has no such numbers
}

function describeGraph(graph: LineageGraph): string {
  const label = (digest: string) => {
    const names = graph.nodes.find((n) => n.digest === digest)?.names ?? [];
    return names.length > 0 ? `${digest} (${names.join(', ')})` : digest;
  };
  if (graph.edges.length === 0) return `${label(graph.root)}: no recorded ${graph.direction === 'upstream' ? 'inputs' : 'outputs'}`;
  return [
    `${graph.direction} of ${label(graph.root)}:`,
    ...graph.edges.map((e) => `  #${e.seq} ${e.at}  ${label(e.inputDigest)} -> ${label(e.outputDigest)}  ${e.operation} ${JSON.stringify(e.parameters)} by ${e.actor}`),
  ].join('\n');
}
