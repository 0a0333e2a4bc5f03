import { isLangtrainError, LangtrainError } from '../core/errors.js';
import type { LineageEdge, LineageParameters } from '../privacy/lineage/lineage-store.js';
import { lineageRecordCommand } from '../privacy/lineage/record-command.js';
import type { SecurityManager } from '../security-manager.js';
import { refuseOutputIsInput } from './output-is-input.js';

/**
 * A data set step the CLI ran (consent filter, redaction, encryption), recorded as a lineage
 * edge from the input's digest to the output's, so that `langtrain lineage show` traces it and
 * an erasure lists what was made from a subject's data. A directory of shards is an edge per
 * file.
 */
export interface LineageStep {
  operation: string;
  actor: string;
  /** One file, or each shard of a directory: its input, its output and what the step did to it. */
  files: ReadonlyArray<{ input: string; output: string; parameters: LineageParameters }>;
}

export async function recordLineageStep(security: SecurityManager, step: LineageStep): Promise<LineageEdge[]> {
  const { digestFile } = await import('../privacy/lineage/lineage-store.js');
  const lineage = await security.lineage();
  const edges: LineageEdge[] = [];
  for (const { input, output, parameters } of step.files) {
    try {
      const [inputDigest, outputDigest] = [await digestFile(input), await digestFile(output)];
      // The step changed no byte (a filter that kept every record): the output is the input's artifact, no edge to itself.
      if (inputDigest === outputDigest) continue;
      edges.push(await lineage.recordTransformation({ inputDigest, outputDigest, operation: step.operation, parameters, actor: step.actor }));
    } catch (err) {
      // the output stands: say so, and how to record the step by hand
      if (!isLangtrainError(err)) throw err;
      throw new LangtrainError(
        err.code,
        `${output} was written, but its lineage step could not be recorded: ${err.message}; record it with: ${lineageRecordCommand(input, output, step.operation, parameters)}`,
        { ...err.details, written: output },
        { cause: err },
      );
    }
  }
  return edges;
}

/**
 * Refuses, before the job runs, the parameters lineage would refuse after it (a secret in a data
 * set name, a key that names one), so that an output is not written only for its step to fail.
 * Counts the job will add are numbers, which lineage always takes.
 *
 * With the step's `file`: refuses an output that is its input. The edge's input digest is read
 * after the job, when an in-place run has replaced the raw data with its output, and the edge
 * (output -> itself) would let lineage, and so erasure, lose the raw data set's trace.
 */
export async function checkLineageStep(parameters: LineageParameters, file?: { input: string; output: string; lineageOptional: boolean }): Promise<void> {
  const { checkParameters } = await import('../privacy/lineage/lineage-store.js');
  await checkParameters(parameters);
  if (file) {
    const orWithout = file.lineageOptional ? ' (or pass --no-lineage)' : '';
    await refuseOutputIsInput(file.input, file.output, `write to another file, so that lineage can record the step from the input's digest to the output's${orWithout}`);
  }
}

/** The human line for recorded edges: where to look. */
export function describeLineage(edges: readonly LineageEdge[]): string {
  if (edges.length === 0) return 'lineage: no edge recorded: the output has the same bytes as the input (the step changed nothing)';
  if (edges.length === 1) return `lineage: ${edges[0]!.inputDigest} -> ${edges[0]!.outputDigest} (langtrain lineage show ${edges[0]!.outputDigest})`;
  return `lineage: ${edges.length} edges, one per file (langtrain lineage show <digest>)`;
}

/** The JSON form: digests only. */
export function lineageJson(edges: readonly LineageEdge[]): Array<{ seq: number; inputDigest: string; outputDigest: string }> {
  return edges.map(({ seq, inputDigest, outputDigest }) => ({ seq, inputDigest, outputDigest }));
}
