/**
 * What an input says once the usual disguises are taken off, so that the detectors read what a
 * model would: compatibility forms folded (NFKC: full-width letters, ligatures, styled maths
 * letters), invisible format characters and control characters dropped (zero-width spaces and
 * joiners, bidi overrides, tag characters), and base64 runs decoded where they hold text.
 * `obfuscated` says whether any of that changed the text: a disguise is itself a signal.
 */
export interface TransformedInput {
  text: string;
  obfuscated: boolean;
  /** What was taken off, for the explanation: `format_characters`, `compatibility_forms`, `base64`. */
  disguises: string[];
}

const FORMAT_OR_CONTROL = /[\p{Cf}\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/gu;
const BASE64_RUN = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=])/g;

export function transformInput(input: string): TransformedInput {
  const disguises: string[] = [];
  let text = input.replace(FORMAT_OR_CONTROL, '');
  if (text.length !== input.length) disguises.push('format_characters');
  const folded = text.normalize('NFKC');
  if (folded !== text) disguises.push('compatibility_forms');
  text = folded;
  let decodedAny = false;
  text = text.replace(BASE64_RUN, (run) => {
    const decoded = decodedText(run);
    if (decoded === null) return run;
    decodedAny = true;
    return `${run} ${decoded}`;
  });
  if (decodedAny) disguises.push('base64');
  return { text, obfuscated: disguises.length > 0, disguises };
}

/** The run decoded, when it is UTF-8 text of mostly letters and spaces (not a key or a hash). */
function decodedText(run: string): string | null {
  const bytes = Buffer.from(run, 'base64');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\uFFFD')) return null;
  const wordy = text.match(/[\p{L}\s]/gu)?.length ?? 0;
  return wordy / Math.max(1, text.length) >= 0.8 ? text : null;
}
