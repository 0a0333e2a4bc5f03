/**
 * Phrases that turn a prompt against its instructions, in English and German (the languages of
 * the evaluation set): overriding earlier instructions, taking on another role, asking for the
 * hidden prompt, the named jailbreaks. Each has a name, shown in the explanation. They catch the
 * common forms; the classifier (statistical_analysis) catches the rest, and the ensemble
 * weighs both.
 */
const RULES: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'override_instructions', pattern: /\b(?:ignore|disregard|forget|skip|override|bypass)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|rules|directions|guidelines|context|tasks?|everything|above|before)\b/i },
  { name: 'forget_everything', pattern: /\bforget\s+(?:everything|all|about\s+all|what)\b/i },
  { name: 'new_role', pattern: /\b(?:you\s+are\s+now|you're\s+now|act\s+as|pretend\s+(?:to\s+be|you\s+are)|role-?play|from\s+now\s+on|henceforth)\b/i },
  { name: 'reveal_prompt', pattern: /\b(?:reveal|show|print|repeat|output|tell\s+me|what\s+(?:is|are|was|were))\b[^.!?\n]{0,30}\b(?:system\s+prompt|initial\s+(?:prompt|instructions)|your\s+(?:prompt|instructions|rules))\b/i },
  { name: 'named_jailbreak', pattern: /\b(?:jailbreak|jailbroken|DAN|do\s+anything\s+now|developer\s+mode|no\s+restrictions|without\s+(?:any\s+)?(?:restrictions|limitations|filters))\b/i },
  { name: 'new_task', pattern: /\b(?:new\s+(?:task|instructions?|assignment)|now\s+(?:focus|concentrate)\s+on|instead\s*,?\s+(?:say|write|answer|respond|tell))\b/i },
  { name: 'override_instructions_de', pattern: /\b(?:vergiss|vergessen\s+sie|ignorier(?:e|en\s+sie)?|missachte)\b[^.!?\n]{0,40}\b(?:anweisungen|aufgaben?|befehle|regeln|alles|vorherige[nms]?|bisherige[nms]?|oben)\b/i },
  { name: 'new_role_de', pattern: /\b(?:du\s+bist\s+(?:jetzt|nun|ab\s+jetzt)|tu\s+so\s+als|stell\s+dir\s+vor,?\s+du\s+bist|ab\s+(?:jetzt|sofort)|agiere\s+als|handle\s+als)\b/i },
  { name: 'new_task_de', pattern: /\b(?:neue\s+(?:aufgabe|anweisung)|konzentriere\s+dich\s+(?:jetzt|nun)\s+auf|stattdessen)\b/i },
];

export const INJECTION_RULE_NAMES = RULES.map((r) => r.name);

/** The names of the rules `text` matches. */
export function matchedInjectionRules(text: string): string[] {
  return RULES.filter((r) => r.pattern.test(text)).map((r) => r.name);
}
