import { Command } from 'commander';
import { LangtrainError, invalidInput } from '../../core/errors.js';
import { filterByConsent } from '../../privacy/consent/consent-filter.js';
import type { ConsentEvent, ConsentManager, ConsentWithdrawal, ValidConsent } from '../../privacy/consent/consent-manager.js';
import type { SecurityManager } from '../../security-manager.js';
import { CheckFailed, cliActor, output, withCommonOptions, withSecurity, type CommonOptions, type Opening, type Run } from '../context.js';
import { checkLineageStep, describeLineage, lineageJson, recordLineageStep } from '../lineage-step.js';
import { startProgress } from '../progress.js';

/**
 * `langtrain consent …`: the subject's consent, per data type and purpose (GDPR Art. 6(1)(a),
 * 7): record, withdraw, check, history, export (Art. 15), and the pipeline step that keeps
 * only the records whose subject consents.
 */
export function consentCommand(run: Run): Command {
  const consent = new Command('consent').description('consent per data type and purpose: record, withdraw, check, history, export, filter a data set');
  const withConsent = (o: CommonOptions, work: (manager: ConsentManager, security: SecurityManager) => Promise<void>, opening?: Opening) =>
    withSecurity(run, o, async (security) => work(await security.consentManager(), security), opening);

  withCommonOptions(consent.command('record'))
    .description('record that a subject consents to data types for purposes')
    .requiredOption('--user <id>', 'the data subject')
    .requiredOption('--data-types <names>', 'comma-separated lower_snake_case names, e.g. email,chat_transcripts')
    .requiredOption('--purposes <names>', 'comma-separated, e.g. model_training,analytics')
    .option('--consent-date <date>', 'ISO 8601 date or date-time with zone (default: now)')
    .option('--expiry-date <date>', 'ISO 8601; omitted: until withdrawn')
    .action((o) =>
      withConsent(o, async (manager) => {
        const grant = await inFlagTerms(manager.recordConsent({
          userId: o.user,
          dataTypes: names(o.dataTypes, '--data-types'),
          purposes: names(o.purposes, '--purposes'),
          ...(o.consentDate ? { consentDate: o.consentDate } : {}),
          ...(o.expiryDate ? { expiryDate: o.expiryDate } : {}),
          actor: cliActor(),
        }));
        output(o, grant, () => `recorded consent #${grant.seq} of ${grant.userId}: ${grant.dataTypes.join(', ')} for ${grant.purposes.join(', ')}, ${grant.expiryDate ? `until ${grant.expiryDate}` : 'until withdrawn'}`);
      }, { store: 'create' }),
    );

  withCommonOptions(consent.command('withdraw'))
    .description('withdraw consent (omitted lists: every data type / every purpose)')
    .requiredOption('--user <id>', 'the data subject')
    .option('--data-types <names>', 'comma-separated (default: all)')
    .option('--purposes <names>', 'comma-separated (default: all)')
    .action((o) =>
      withConsent(o, async (manager) => {
        const input = {
          userId: o.user as string,
          ...(o.dataTypes ? { dataTypes: names(o.dataTypes, '--data-types') } : {}),
          ...(o.purposes ? { purposes: names(o.purposes, '--purposes') } : {}),
          actor: cliActor(),
        };
        // The library records every withdrawal, as the subject's stated wish; what it ended is told
        // from the valid consents before and after, so that a mistyped name is not taken for a success.
        const before = (await inFlagTerms(manager.subjectRecords(input.userId))).validConsents;
        const withdrawal = await inFlagTerms(manager.withdrawConsent(input));
        const after = (await manager.subjectRecords(input.userId)).validConsents;
        const ended = endedConsents(before, after);
        output(o, { ...withdrawal, ended }, () =>
          [
            `withdrew consent of ${withdrawal.userId}: ${listOrAll(withdrawal.dataTypes)} for ${listOrAll(withdrawal.purposes)}`,
            ended.length > 0 ? `ended: ${ended.map((c) => `${c.dataType} for ${c.purpose}`).join(', ')}` : nothingEnded(withdrawal, before),
          ].join('\n'),
        );
      }),
    );

  withCommonOptions(consent.command('check'))
    .description('exit 0 when the subject consents now to the data type (for the purpose), 1 when not')
    .requiredOption('--user <id>', 'the data subject')
    .requiredOption('--data-type <name>', 'e.g. chat_transcripts')
    .option('--purpose <name>', 'e.g. model_training (default: any purpose)')
    .action((o) =>
      withConsent(o, async (manager) => {
        const valid = await inFlagTerms(manager.hasValidConsent(o.user, o.dataType, o.purpose));
        const what = `${o.dataType}${o.purpose ? ` for ${o.purpose}` : ''}`;
        output(o, { userId: o.user, dataType: o.dataType, purpose: o.purpose ?? null, valid }, () =>
          valid ? `${o.user} consents to ${what}` : `${o.user} has no valid consent to ${what} (never given, withdrawn or expired; \`langtrain consent history --user ${o.user}\` shows which)`,
        );
        if (!valid) throw new CheckFailed();
      }),
    );

  withCommonOptions(consent.command('history'))
    .description("every grant and withdrawal of a subject, oldest first")
    .requiredOption('--user <id>', 'the data subject')
    .action((o) =>
      withConsent(o, async (manager) => {
        const events = await inFlagTerms(manager.history(o.user));
        output(o, events, () => (events.length === 0 ? `no consent recorded for ${o.user}` : events.map(describeEvent).join('\n')));
      }),
    );

  withCommonOptions(consent.command('export'))
    .description("everything the privacy domains hold about the subject (consent, data sets and models holding their data, keys of their own), as JSON (GDPR Art. 15 access request; audited)")
    .requiredOption('--user <id>', 'the data subject')
    .action((o) =>
      withSecurity(run, o, async (security) => {
        // JSON either way: the answer to an access request is handed over as a file.
        process.stdout.write(JSON.stringify(await security.exportSubject(o.user, { actor: cliActor() }), null, 2) + '\n');
      }),
    );

  withCommonOptions(consent.command('filter'))
    .description('keep only the records whose subject consents to the data type for the purpose; records the step in lineage')
    .requiredOption('--input <file>', 'data set (.jsonl or .csv)')
    .requiredOption('--output <file>', 'where the kept records go (written only when complete)')
    .requiredOption('--subject-field <name>', "the field holding each record's subject id, e.g. user_id")
    .requiredOption('--data-type <name>', 'e.g. chat_transcripts')
    .requiredOption('--purpose <name>', 'e.g. model_training')
    .option('--format <format>', 'jsonl | csv (default: from the file extension)')
    .option('--quiet', 'no progress')
    .action((o) =>
      withConsent(o, async (manager, security) => {
        const parameters = (kept: number, dropped: number) => ({ subjectField: o.subjectField as string, dataType: o.dataType as string, purpose: o.purpose as string, kept, dropped });
        await checkLineageStep(parameters(0, 0), { ...o, lineageOptional: false }); // a consent filter always records its step
        const progress = startProgress('consent filter (records)', undefined, o.quiet || o.json);
        const result = await filterByConsent({ manager, input: o.input, output: o.output, subjectField: o.subjectField, dataType: o.dataType, purpose: o.purpose, ...(o.format ? { format: o.format } : {}), onProgress: (n) => progress.update(n) });
        progress.finish();
        const edges = await recordLineageStep(security, {
          operation: 'consent_filter',
          actor: cliActor(),
          files: [{ input: o.input, output: o.output, parameters: parameters(result.kept, result.dropped) }],
        });
        output(o, { ...result, output: o.output, lineage: lineageJson(edges)[0] }, () =>
          [`${result.kept} kept, ${result.dropped} dropped${result.missingSubject > 0 ? ` (${result.missingSubject} without a usable ${o.subjectField}: absent, empty, or an id no store can keep; quote numeric ids past 2^53 as strings)` : ''} -> ${o.output}`, describeLineage(edges)].join('\n'),
        );
      }),
    );

  return consent;
}

/** The library's field names and the flags that set them. */
const FLAGS: Record<string, string> = {
  userId: '--user',
  dataTypes: '--data-types',
  purposes: '--purposes',
  consentDate: '--consent-date',
  expiryDate: '--expiry-date',
  dataType: '--data-type',
  purpose: '--purpose',
};
const FIELD = new RegExp(`\\b(${Object.keys(FLAGS).join('|')})(?:\\[(\\d+)\\])?(?![\\w-])`, 'g');

/**
 * A refusal of the library's input, told in the flags the user typed: `dataTypes[0] must be …`
 * becomes `--data-types (name 1) must be …`, `expiryDate` `--expiry-date`; `details.field`
 * names the flag too (the library's name stays in `details.libraryField`).
 */
async function inFlagTerms<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    const field = err instanceof LangtrainError ? err.details.field : undefined;
    if (!(err instanceof LangtrainError) || err.code !== 'ERR_INVALID_INPUT' || typeof field !== 'string') throw err;
    // Only before `; got …`: the value quoted there is the user's, left as typed.
    const flagged = (text: string) => {
      const at = text.indexOf('; got ');
      const [said, value] = at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at)];
      return said.replace(FIELD, (_, name: string, index?: string) => `${FLAGS[name]}${index === undefined ? '' : ` (name ${Number(index) + 1})`}`) + value;
    };
    throw new LangtrainError(err.code, flagged(err.message), { ...err.details, field: flagged(field), libraryField: field }, { cause: err });
  }
}

/** A comma-separated option as a list; the library checks each name. */
function names(value: string, option: string): string[] {
  const list = value.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (list.length === 0) throw invalidInput(`${option} needs at least one name, e.g. ${option} email,chat_transcripts`);
  return list;
}

/** The (data type, purpose) pairs valid before a withdrawal and not after it. */
function endedConsents(before: readonly ValidConsent[], after: readonly ValidConsent[]): Array<{ dataType: string; purpose: string }> {
  const pair = (c: { dataType: string; purpose: string }) => `${c.dataType}\0${c.purpose}`;
  const still = new Set(after.map(pair));
  const ended = new Map(before.filter((c) => !still.has(pair(c))).map((c) => [pair(c), { dataType: c.dataType, purpose: c.purpose }]));
  return [...ended.values()];
}

/** Said when a withdrawal ended nothing: most often a mistyped name, or a subject who never consented to it. */
function nothingEnded(withdrawal: ConsentWithdrawal, before: readonly ValidConsent[]): string {
  const named = [
    ...(withdrawal.dataTypes === 'all' ? [] : [`to ${withdrawal.dataTypes.join(', ')}`]),
    ...(withdrawal.purposes === 'all' ? [] : [`for ${withdrawal.purposes.join(', ')}`]),
  ];
  const unique = (values: string[]) => [...new Set(values)].join(', ');
  const held = before.length === 0 ? 'they hold no valid consent at all' : `consented data types: ${unique(before.map((c) => c.dataType))}; purposes: ${unique(before.map((c) => c.purpose))}`;
  return `note: ${withdrawal.userId} had no valid consent${named.length > 0 ? ` ${named.join(' ')}` : ''}; nothing they had consented to changed (${held}). The withdrawal is recorded all the same, as their stated wish`;
}

function listOrAll(list: string[] | 'all'): string {
  return list === 'all' ? 'all' : list.join(', ');
}

function describeEvent(event: ConsentEvent): string {
  const by = event.actor ? ` by ${event.actor}` : '';
  return event.kind === 'granted'
    ? `#${event.seq}  ${event.recordedAt}  granted    ${event.dataTypes.join(', ')} for ${event.purposes.join(', ')}  from ${event.consentDate}${event.expiryDate ? ` until ${event.expiryDate}` : ''}${by}`
    : `#${event.seq}  ${event.recordedAt}  withdrawn  ${listOrAll(event.dataTypes)} for ${listOrAll(event.purposes)}${by}`;
}
