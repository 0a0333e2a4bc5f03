import { rename, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { utf8Bytes } from '../core/strict-utf8.js';
import { randomBytes } from 'node:crypto';
import { checkOutputWritable, syncDirectory } from '../core/atomic-file.js';
import { fileProblem, invalidInput, isLangtrainError, LangtrainError } from '../core/errors.js';
import { holdTemporary, type HeldTemporary } from '../core/pending-temporaries.js';
import type { ConsentFilterResult } from './consent/consent-filter.js';
import { filterByConsent } from './consent/consent-filter.js';
import type { ConsentManager } from './consent/consent-manager.js';
import { checkArtifactName, checkParameters, digestFile, type LineageParameters, type LineageStore } from './lineage/lineage-store.js';
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
 * asked for are skipped.
 *
 * Every step writes a temporary file beside the output. The last one is renamed to the output
 * only after its lineage (edges, subject lists, name) is recorded against its digest: an output
 * on disk always has its lineage, and a run that fails (a name taken by other data, the store
 * down) leaves the output as it was. The temporaries are removed either way.
 */
export interface PrepareDatasetSteps {
  /** Drop records whose subject lacks consent for `purpose` to use `dataType`. */
  consent?: { manager: ConsentManager; dataType: string; purpose: string };
  /** `actor` is named as the user of the redaction's audit events. */
  redaction?: { detector: PIIDetector; fields?: string[]; actor?: string };
  /** `outputName` must be free, or name the digest this run's output has (a re-run on the same data). */
  lineage?: { store: LineageStore; actor: string; outputName?: string };
  /**
   * Temporary files (the consented but not yet redacted records, when both steps run; a step's
   * partial output when it fails; the output itself when its lineage cannot be recorded) are
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
  /**
   * Records of the input without a usable subject id (the field absent, null, empty, or neither
   * a string nor a number), counted when lineage reads subjects. A consent step drops them (its
   * `missingSubject` is the same count); without one they reach the output. The input's subject
   * list, and without a consent step the output's, are then recorded as partial (not
   * `complete`): such a record may hold someone an upstream artifact names, and a complete list
   * would stop erasure's walk there.
   */
  missingSubject?: number;
}

export async function prepareDataset(job: PrepareDatasetJob, steps: PrepareDatasetSteps): Promise<PreparedDataset> {
  await checkFiles(job);
  const lineage = steps.lineage;
  if (lineage?.outputName !== undefined) checkArtifactName(lineage.outputName, 'outputName');
  if (steps.consent && !job.subjectField) throw invalidInput('the consent step needs subjectField: the field naming each record\'s subject', { field: 'subjectField' });
  const planned = [steps.consent && 'consent', steps.redaction && 'redaction'].filter(Boolean);
  if (planned.length === 0) throw invalidInput('nothing to do: give a consent purpose or enable automaticPiiRedaction');
  const scrub = steps.secureDeletion === true;
  const redactParameters = steps.redaction ? redactionParameters(steps.redaction) : undefined;
  if (lineage) {
    // What lineage would refuse after the work (a field path that looks like personal data), refused before it, as the CLI's checkLineageStep does.
    if (steps.consent) await checkParameters(consentParameters(steps.consent, 0, 0));
    if (redactParameters) await checkParameters(redactParameters);
  }
  // Read before any file is written. A taken name is accepted only for the very digest this run
  // writes (a re-run on the same data), which is known once the last step has run, and checked
  // then: before the output is replaced or any lineage is recorded.
  const named = lineage?.outputName !== undefined ? await namedDigest(lineage.store, lineage.outputName) : undefined;
  const temporary = (step: string) => join(dirname(job.output), `.${basename(job.output)}.${step}.${randomBytes(6).toString('hex')}.jsonl`);
  // Held: removed (scrubbed first with secureDeletion) when the job ends, or by a signal's handler.
  const made: HeldTemporary[] = [];
  const hold = (file: string) => made.push(holdTemporary(file, { scrub }));
  const result: PreparedDataset = { digests: [] };
  // The input's subjects are read before any step writes: a subject id no store can keep (a
  // number JSON rounds, NUL) fails the job here, with nothing written and no edge recorded.
  // Without a consent step (which refuses a field no record has), a misspelt field is refused
  // here too: its lists would be empty, and complete, so erasure would name nothing.
  const inputSubjects = lineage && job.subjectField ? await subjectsIn(job.input, job.subjectField, !steps.consent) : undefined;
  try {
    let current = job.input;
    // Recorded once every step has run and the output's name is known to be free for it.
    const edges: Array<{ inputDigest: string; outputDigest: string; operation: string; parameters: LineageParameters }> = [];
    if (lineage) result.digests.push(await digestFile(current));
    const stepDone = async (output: string, operation: string, parameters: LineageParameters) => {
      current = output;
      if (!lineage) return;
      const inputDigest = result.digests.at(-1)!;
      const outputDigest = await digestFile(output);
      // A step that changed no byte (a consent filter that kept every record) made no new artifact: no edge to itself.
      if (outputDigest !== inputDigest) edges.push({ inputDigest, outputDigest, operation, parameters });
      result.digests.push(outputDigest);
    };

    if (steps.consent) {
      const out = temporary('consent');
      hold(out);
      result.consent = await filterByConsent({ manager: steps.consent.manager, input: current, output: out, subjectField: job.subjectField!, dataType: steps.consent.dataType, purpose: steps.consent.purpose }, { scrub });
      await stepDone(out, 'consent_filter', consentParameters(steps.consent, result.consent.kept, result.consent.dropped));
    }
    // Subjects are read before redaction, which may mask the subject field itself.
    const subjects = inputSubjects !== undefined && steps.consent ? await subjectsIn(current, job.subjectField!, false) : inputSubjects;
    if (steps.redaction) {
      const out = temporary('redaction');
      hold(out);
      const { detector, fields, actor } = steps.redaction;
      result.redaction = await detector.processDataset({ input: current, output: out }, { ...(fields ? { fields } : {}), ...(actor ? { userId: actor } : {}), dataset: labelOfPath(job.input) }, { scrub });
      await stepDone(out, 'redact', redactParameters!);
    }

    const output = result.digests.at(-1);
    if (lineage) {
      if (named !== undefined && named !== output) {
        throw invalidInput(`${lineage.outputName!} already names ${named}, and this run's output is ${output!}: give the new output a new name (e.g. a new version); ${job.output} was left as it was and no lineage was recorded`, { field: 'outputName', path: job.output });
      }
      for (const edge of edges) await lineage.store.recordTransformation({ ...edge, actor: lineage.actor });
      if (subjects && inputSubjects) {
        // Every list here is read from a whole file. It is complete (names everyone the file
        // holds) only when every record had a usable subject id: then an erasure of a subject
        // the consent filter dropped names the input, and neither the filtered file, nor the
        // output, nor what is built from them. The filtered file (before redaction) and the
        // output hold the same subjects; the consent filter drops records without a subject,
        // so after it the lists are complete. An empty list is never recorded (it would say,
        // complete, that the artifact holds no one; partial, nothing).
        const filtered = steps.consent ? result.digests[1]! : output!;
        const outputComplete = subjects.missing === 0;
        if (subjects.ids.length > 0) for (const digest of new Set([filtered, output!])) await lineage.store.recordSubjects(digest, subjects.ids, { complete: outputComplete });
        result.subjects = subjects.ids.length;
        result.missingSubject = inputSubjects.missing;
        // The input holds its subjects in clear too, including those the consent filter dropped:
        // recorded against its digest so erasure names it (and, downstream, what was built from it).
        if (inputSubjects.ids.length > 0) await lineage.store.recordSubjects(result.digests[0]!, inputSubjects.ids, { complete: inputSubjects.missing === 0 });
      }
      // Named last: a name points only at an artifact whose lineage is recorded.
      if (lineage.outputName) await lineage.store.nameArtifact(output!, lineage.outputName);
    }
    // Last: the output appears only with its lineage recorded. A failure here leaves recorded
    // edges to a digest no file holds, which a re-run on the same data writes.
    await rename(current, job.output).catch((err: unknown) => {
      throw invalidInput(`cannot write ${job.output}: ${fileProblem(err)}${lineage ? `; its lineage was recorded against ${output!}, which no file holds: run it again to write it` : ''}`, { path: job.output });
    });
    made.pop()!.keep(); // the last step's temporary is the output now
    await syncDirectory(dirname(job.output));
    return result;
  } finally {
    await Promise.all(made.map((held) => held.discard()));
  }
}

/** The consent step's edge parameters: its settings and counts (no subject ids). */
function consentParameters(consent: NonNullable<PrepareDatasetSteps['consent']>, kept: number, dropped: number): LineageParameters {
  return { dataType: consent.dataType, purpose: consent.purpose, kept, dropped };
}

/**
 * The redaction's edge parameters, `fields` included (the paths are names, not data; `all` when
 * every field was scanned): without them the edge would claim that fields left out, which may
 * still hold personal data, were redacted. As the CLI's `pii redact` records them.
 */
function redactionParameters({ detector, fields }: NonNullable<PrepareDatasetSteps['redaction']>): LineageParameters {
  return { method: detector.settings.redactionMethod, types: [...detector.types], threshold: detector.settings.confidenceThreshold, fields: fields && fields.length > 0 ? [...new Set(fields)] : 'all' };
}

/** The digest `name` names, or undefined when it names none yet. */
async function namedDigest(store: LineageStore, name: string): Promise<string | undefined> {
  try {
    return await store.resolve(name);
  } catch (err) {
    if (isLangtrainError(err, 'ERR_NOT_FOUND')) return undefined;
    throw err;
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
  // Found now, not by the rename after all the work and the lineage writes.
  await checkOutputWritable(job.output);
}

/**
 * The distinct subjects of a JSONL file, as the consent filter reads them (subjectIdOf). An id
 * no store can keep fails the job, naming its line. With no consent step (`standalone`), a field
 * no record has is refused, and so is an id longer than a subject id can be: its record would
 * reach the output with no subject recorded, so erasure could not name it; a consent step drops
 * such records instead (they cannot have consent, nor be asked about: their absence from a
 * complete list hides no one erasure could name). `missing` counts the records with no usable
 * subject id, as the consent filter's `missingSubject` does.
 */
async function subjectsIn(file: string, field: string, standalone: boolean): Promise<{ ids: string[]; missing: number }> {
  let missing = 0;
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
    if (id === null) {
      missing += 1;
      continue;
    }
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
  return { ids: [...subjects], missing };
}

function parsedRecord(line: string, lineNumber: number): Record<string, unknown> | null {
  try {
    return JSON.parse(line) as Record<string, unknown> | null;
  } catch {
    throw invalidInput(`line ${lineNumber}: not valid JSON; nothing was written`, { line: lineNumber });
  }
}
