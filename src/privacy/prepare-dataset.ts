import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { utf8Bytes } from '../core/strict-utf8.js';
import { randomBytes } from 'node:crypto';
import { invalidInput, LangtrainError } from '../core/errors.js';
import { holdTemporary, type HeldTemporary } from '../core/pending-temporaries.js';
import type { ConsentFilterResult } from './consent/consent-filter.js';
import { filterByConsent } from './consent/consent-filter.js';
import type { ConsentManager } from './consent/consent-manager.js';
import { checkArtifactName, digestFile, type LineageStore } from './lineage/lineage-store.js';
import { sameFile } from './lineage/same-file.js';
import { labelOfPath } from './pii/dataset-label.js';
import type { RedactDatasetReport } from './pii/dataset-redaction.js';
import type { PIIDetector } from './pii/pii-detector.js';
import { MAX_SUBJECT_ID, subjectIdOf } from './subject-id.js';

/**
 * The front of the data path (ARCHITECTURE.md): consent filter, then PII redaction, each step
 * recorded as a lineage edge from its input's digest to its output's, and the subjects the
 * result holds recorded against it, as are the subjects the input holds against the input
 * (those the consent filter dropped included), so erasure can name both later. Steps not
 * asked for are skipped; intermediate files live beside the output and are removed either way.
 */
export interface PrepareDatasetSteps {
  /** Drop records whose subject lacks consent for `purpose` to use `dataType`. */
  consent?: { manager: ConsentManager; dataType: string; purpose: string };
  /** `actor` is named as the user of the redaction's audit events. */
  redaction?: { detector: PIIDetector; fields?: string[]; actor?: string };
  lineage?: { store: LineageStore; actor: string; outputName?: string };
  /**
   * Intermediate files (the consented but not yet redacted records, when both steps run) are
   * overwritten with zeros and synced before they are removed, not only unlinked. The input and
   * output are not touched; on filesystems that do not overwrite in place (copy-on-write, SSD
   * wear levelling, snapshots) the old blocks may survive all the same.
   */
  secureDeletion?: boolean;
}

export interface PrepareDatasetJob {
  input: string;
  output: string;
  /** JSONL field naming each record's data subject: needed for consent and for lineage's subject list. */
  subjectField?: string;
}

export interface PreparedDataset {
  consent?: ConsentFilterResult;
  redaction?: RedactDatasetReport;
  /** Digests from input to output, one per step. */
  digests: string[];
  /** Distinct subjects in the output (recorded against it when lineage is tracked). */
  subjects?: number;
}

export async function prepareDataset(job: PrepareDatasetJob, steps: PrepareDatasetSteps): Promise<PreparedDataset> {
  await checkFiles(job);
  if (steps.lineage?.outputName !== undefined) checkArtifactName(steps.lineage.outputName, 'outputName');
  if (steps.consent && !job.subjectField) throw invalidInput('the consent step needs subjectField: the field naming each record\'s subject', { field: 'subjectField' });
  const planned = [steps.consent && 'consent', steps.redaction && 'redaction'].filter(Boolean);
  if (planned.length === 0) throw invalidInput('nothing to do: give a consent purpose or enable automaticPiiRedaction');
  const temporary = (step: string) => join(dirname(job.output), `.${basename(job.output)}.${step}.${randomBytes(6).toString('hex')}.jsonl`);
  // Held: removed (scrubbed first with secureDeletion) when the job ends, or by a signal's handler.
  const made: HeldTemporary[] = [];
  const hold = (file: string) => made.push(holdTemporary(file, { scrub: steps.secureDeletion === true }));
  const result: PreparedDataset = { digests: [] };
  const lineage = steps.lineage;
  // The input's subjects are read before any step writes: a subject id no store can keep (a
  // number JSON rounds, NUL) fails the job here, with nothing written and no edge recorded.
  // Without a consent step (which refuses a field no record has), a misspelt field is refused
  // here too: its lists would be empty, and complete, so erasure would name nothing.
  const inputSubjects = lineage && job.subjectField ? await subjectsIn(job.input, job.subjectField, !steps.consent) : undefined;
  try {
    let current = job.input;
    if (lineage) result.digests.push(await digestFile(current));
    const edge = async (output: string, operation: string, parameters: Record<string, string | number | boolean | string[]>) => {
      if (!lineage) return;
      const outputDigest = await digestFile(output);
      // A step that changed no byte (a consent filter that kept every record) made no new artifact: no edge to itself.
      if (outputDigest !== result.digests.at(-1)) await lineage.store.recordTransformation({ inputDigest: result.digests.at(-1)!, outputDigest, operation, parameters, actor: lineage.actor });
      result.digests.push(outputDigest);
    };
    const target = (step: string) => (planned.at(-1) === step ? job.output : temporary(step));

    if (steps.consent) {
      const out = target('consent');
      if (out !== job.output) hold(out);
      result.consent = await filterByConsent({ manager: steps.consent.manager, input: current, output: out, subjectField: job.subjectField!, dataType: steps.consent.dataType, purpose: steps.consent.purpose });
      await edge(out, 'consent_filter', { dataType: steps.consent.dataType, purpose: steps.consent.purpose, kept: result.consent.kept, dropped: result.consent.dropped });
      current = out;
    }
    // Subjects are read before redaction, which may mask the subject field itself.
    const subjects = inputSubjects !== undefined && steps.consent ? await subjectsIn(current, job.subjectField!, false) : inputSubjects;
    if (steps.redaction) {
      const out = target('redaction');
      if (out !== job.output) hold(out);
      const { detector, fields, actor } = steps.redaction;
      result.redaction = await detector.processDataset({ input: current, output: out }, { ...(fields ? { fields } : {}), ...(actor ? { userId: actor } : {}), dataset: labelOfPath(job.input) });
      await edge(out, 'redact', { method: detector.settings.redactionMethod, types: [...detector.types], threshold: detector.settings.confidenceThreshold });
      current = out;
    }
    if (lineage) {
      const output = result.digests.at(-1)!;
      if (lineage.outputName) await lineage.store.nameArtifact(output, lineage.outputName);
      if (subjects && inputSubjects) {
        // Every list here is read from a whole file, so complete: an erasure of a subject the
        // consent filter dropped names the input, and neither the filtered file, nor the
        // output, nor what is built from them. The filtered file (before redaction) and the
        // output hold the same subjects. An empty list is never recorded as complete (it would
        // say the artifact holds no one): an output the filter left empty gets no list.
        const filtered = steps.consent ? result.digests[1]! : output;
        if (subjects.length > 0) for (const digest of new Set([filtered, output])) await lineage.store.recordSubjects(digest, subjects, { complete: true });
        result.subjects = subjects.length;
        // The input holds its subjects in clear too, including those the consent filter dropped:
        // recorded against its digest so erasure names it (and, downstream, what was built from it).
        if (inputSubjects.length > 0) await lineage.store.recordSubjects(result.digests[0]!, inputSubjects, { complete: true });
      }
    }
    return result;
  } finally {
    await Promise.all(made.map((held) => held.discard()));
  }
}

/**
 * The job's files, before any is read: paths given, the input an existing .jsonl file, and the
 * output another file (writing over the input would lose the raw data, and lineage the trace of
 * the subjects a step dropped).
 */
async function checkFiles(job: PrepareDatasetJob): Promise<void> {
  if (typeof job !== 'object' || job === null || typeof job.input !== 'string' || typeof job.output !== 'string' || job.input === '' || job.output === '') {
    throw invalidInput('prepareDataset takes the files { input, output }: the path of a JSON Lines data set (.jsonl) to read and of the file to write');
  }
  if (!job.input.endsWith('.jsonl')) throw invalidInput(`prepareDataset takes a JSON Lines data set (.jsonl), not ${job.input}`, { path: job.input });
  const entry = await stat(job.input).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw invalidInput(`the input ${job.input} does not exist: give the path of an existing JSON Lines data set`, { path: job.input });
    throw invalidInput(`the input ${job.input} cannot be read (${err.code ?? err.name}): check its path and permissions`, { path: job.input });
  });
  if (!entry.isFile()) throw invalidInput(`the input ${job.input} is not a file (a directory?): give the path of a JSON Lines data set`, { path: job.input });
  if (await sameFile(job.input, job.output)) {
    throw invalidInput(`the output is the input (${job.output}): write to another file, so that the raw data set stays as it was and lineage can record each step from the input's digest to the output's`, { path: job.output });
  }
}

/**
 * The distinct subjects of a JSONL file, as the consent filter reads them (subjectIdOf). An id
 * no store can keep fails the job, naming its line. With no consent step (`standalone`), a field
 * no record has is refused, and so is an id longer than a subject id can be: its record would
 * reach the output with no subject recorded, so erasure could not name it; a consent step drops
 * such records instead (they cannot have consent).
 */
async function subjectsIn(file: string, field: string, standalone: boolean): Promise<string[]> {
  const subjects = new Set<string>();
  let records = 0;
  let withField = 0;
  let lineNumber = 0;
  let first: Record<string, unknown> | null = null;
  for await (const line of createInterface({ input: utf8Bytes(file), crlfDelay: Infinity })) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const record = parsedRecord(line, lineNumber);
    records += 1;
    first ??= record;
    if (record !== null && typeof record === 'object' && Object.hasOwn(record, field)) withField += 1;
    let id: string | null;
    try {
      id = subjectIdOf(record, field);
    } catch (err) {
      if (err instanceof LangtrainError) throw invalidInput(`line ${lineNumber}: ${err.message}; nothing was written`, { ...err.details, line: lineNumber });
      throw err;
    }
    if (id === null) continue;
    if (id.length <= MAX_SUBJECT_ID) subjects.add(id);
    else if (standalone) {
      throw invalidInput(`line ${lineNumber}: ${field} holds a subject id of ${id.length} characters, longer than a subject id can be (${MAX_SUBJECT_ID}): erasure could never name it; shorten the ids (a digest of them, say); nothing was written`, { field: 'subjectField', line: lineNumber });
    }
  }
  if (standalone && records > 0 && withField === 0) {
    // As the consent filter says it: the field names, never the values, of the first record.
    const fields = first !== null && typeof first === 'object' ? Object.keys(first).slice(0, 20).map((k) => JSON.stringify(k)).join(', ') : '';
    throw invalidInput(
      `no record has the field ${JSON.stringify(field)} (${records} record${records === 1 ? '' : 's'} read; the first has ${fields === '' ? 'no fields' : `the fields ${fields}`}): give subjectField the field naming each record's data subject; nothing was written`,
      { field: 'subjectField' },
    );
  }
  return [...subjects];
}

function parsedRecord(line: string, lineNumber: number): Record<string, unknown> | null {
  try {
    return JSON.parse(line) as Record<string, unknown> | null;
  } catch {
    throw invalidInput(`line ${lineNumber}: not valid JSON; nothing was written`, { line: lineNumber });
  }
}
