import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { invalidInput } from '../core/errors.js';
import type { ConsentFilterResult } from './consent/consent-filter.js';
import { filterByConsent } from './consent/consent-filter.js';
import type { ConsentManager } from './consent/consent-manager.js';
import { digestFile, type LineageStore } from './lineage/lineage-store.js';
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
  if (!job.input.endsWith('.jsonl')) throw invalidInput('prepareDataset takes a JSON Lines data set (.jsonl)');
  if (steps.consent && !job.subjectField) throw invalidInput('the consent step needs subjectField: the field naming each record\'s subject', { field: 'subjectField' });
  const planned = [steps.consent && 'consent', steps.redaction && 'redaction'].filter(Boolean);
  if (planned.length === 0) throw invalidInput('nothing to do: give a consent purpose or enable automaticPiiRedaction');
  const temporary = (step: string) => join(dirname(job.output), `.${basename(job.output)}.${step}.${randomBytes(6).toString('hex')}.jsonl`);
  const made: string[] = [];
  const result: PreparedDataset = { digests: [] };
  const lineage = steps.lineage;
  try {
    let current = job.input;
    if (lineage) result.digests.push(await digestFile(current));
    const edge = async (output: string, operation: string, parameters: Record<string, string | number | boolean | string[]>) => {
      if (!lineage) return;
      const outputDigest = await digestFile(output);
      await lineage.store.recordTransformation({ inputDigest: result.digests.at(-1)!, outputDigest, operation, parameters, actor: lineage.actor });
      result.digests.push(outputDigest);
    };
    const target = (step: string) => (planned.at(-1) === step ? job.output : temporary(step));

    if (steps.consent) {
      const out = target('consent');
      if (out !== job.output) made.push(out);
      result.consent = await filterByConsent({ manager: steps.consent.manager, input: current, output: out, subjectField: job.subjectField!, dataType: steps.consent.dataType, purpose: steps.consent.purpose });
      await edge(out, 'consent_filter', { dataType: steps.consent.dataType, purpose: steps.consent.purpose, kept: result.consent.kept, dropped: result.consent.dropped });
      current = out;
    }
    // Subjects are read before redaction, which may mask the subject field itself.
    const subjects = lineage && job.subjectField ? await subjectsIn(current, job.subjectField) : undefined;
    if (steps.redaction) {
      const out = target('redaction');
      if (out !== job.output) made.push(out);
      const { detector, fields, actor } = steps.redaction;
      result.redaction = await detector.processDataset({ input: current, output: out }, { ...(fields ? { fields } : {}), ...(actor ? { userId: actor } : {}), dataset: job.input });
      await edge(out, 'redact', { method: detector.settings.redactionMethod, types: [...detector.types], threshold: detector.settings.confidenceThreshold });
      current = out;
    }
    if (lineage) {
      const output = result.digests.at(-1)!;
      if (lineage.outputName) await lineage.store.nameArtifact(output, lineage.outputName);
      if (subjects) {
        // Every list here is read from a whole file, so complete: an erasure of a subject the
        // consent filter dropped names the input, and neither the filtered file, nor the
        // output, nor what is built from them. The filtered file (before redaction) and the
        // output hold the same subjects.
        const filtered = steps.consent ? result.digests[1]! : output;
        for (const digest of new Set([filtered, output])) await lineage.store.recordSubjects(digest, subjects, { complete: true });
        result.subjects = subjects.length;
        // The input holds its subjects in clear too, including those the consent filter dropped:
        // recorded against its digest so erasure names it (and, downstream, what was built from it).
        // Without a consent step the input's subjects are the ones just read.
        await lineage.store.recordSubjects(result.digests[0]!, steps.consent ? await subjectsIn(job.input, job.subjectField!) : subjects, { complete: true });
      }
    }
    return result;
  } finally {
    await Promise.all(made.map((file) => rm(file, { force: true })));
  }
}

/**
 * The distinct subjects of a JSONL file (already read whole by a step, so well-formed), as the
 * consent filter reads them (subjectIdOf), and no longer than a subject id can be (longer
 * ones cannot have consent, be recorded, or be asked to be erased).
 */
async function subjectsIn(file: string, field: string): Promise<string[]> {
  const subjects = new Set<string>();
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const id = subjectIdOf(JSON.parse(line) as Record<string, unknown> | null, field);
    if (id !== null && id.length <= MAX_SUBJECT_ID) subjects.add(id);
  }
  return [...subjects];
}
