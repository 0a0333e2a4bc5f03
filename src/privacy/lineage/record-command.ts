import type { LineageParameters } from './lineage-store.js';

/**
 * The `langtrain lineage record` command that records a step's edge by hand, its arguments
 * quoted for a POSIX shell: what an error says when a step's output was written but its edge
 * could not be recorded (the CLI's data set steps, `train`).
 */
export function lineageRecordCommand(input: string, output: string, operation: string, parameters: LineageParameters): string {
  const quoted = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  const params = Object.entries(parameters).map(([key, value]) => `--param ${quoted(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)}`);
  return ['langtrain lineage record --input', quoted(input), '--output', quoted(output), '--operation', operation, ...params].join(' ');
}
