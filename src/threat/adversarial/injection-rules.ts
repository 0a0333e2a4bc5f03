/**
 * Phrases that turn a prompt against its instructions, in English and German (the languages of
 * the evaluation set). `strong` ones say so outright (override the instructions, reveal the
 * prompt, a named jailbreak): one alone makes an input adversarial. `weak` ones also occur in
 * ordinary requests ("act as a reviewer", "from now on", "new task"): they count only beside
 * other evidence (the classifier, a disguise). The classifier (statistical_analysis) catches what
 * no phrase names; the ensemble weighs both. Every pattern is linear in the input: no two
 * adjacent parts can match the same characters.
 */
const RULES: ReadonlyArray<{ name: string; strength: 'strong' | 'weak'; pattern: RegExp }> = [
  { name: 'override_instructions', strength: 'strong', pattern: /\b(?:ignore|disregard|forget|skip|override|bypass)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|rules|directions|guidelines|context|tasks?|everything|above|before)\b/i },
  { name: 'reveal_prompt', strength: 'strong', pattern: /\b(?:reveal|show|print|repeat|output|tell\s+me|what\s+(?:is|are|was|were))\b[^.!?\n]{0,30}\b(?:system\s+prompt|initial\s+(?:prompt|instructions)|your\s+(?:prompt|instructions|rules))\b/i },
  { name: 'named_jailbreak', strength: 'strong', pattern: /\b(?:jailbreak|jailbroken|do\s+anything\s+now|developer\s+mode)\b/i },
  // DAN, the "Do Anything Now" persona, in capitals only: Dan is a name
  { name: 'named_jailbreak', strength: 'strong', pattern: /\bDAN\b/ },
  { name: 'override_instructions_de', strength: 'strong', pattern: /\b(?:vergiss|vergessen\s+sie|ignorier(?:e|en\s+sie)?|missachte)\b[^.!?\n]{0,40}\b(?:anweisungen|aufgaben?|befehle|regeln|alles|vorherige[nms]?|bisherige[nms]?|oben)\b/i },
  { name: 'forget_everything', strength: 'weak', pattern: /\bforget\s+(?:everything|all\s+(?:that|this|of\s+it)|about\s+all)\b/i },
  { name: 'new_role', strength: 'weak', pattern: /\b(?:you\s+are\s+now|you're\s+now|act\s+as|pretend\s+(?:to\s+be|you\s+are)|role-?play|from\s+now\s+on|henceforth)\b/i },
  { name: 'unrestricted', strength: 'weak', pattern: /\b(?:no\s+restrictions|without\s+(?:any\s+)?(?:restrictions|limitations|filters))\b/i },
  { name: 'new_task', strength: 'weak', pattern: /\b(?:new\s+(?:task|instructions?|assignment)|now\s+(?:focus|concentrate)\s+on|instead(?:\s*,\s+|\s+)(?:say|write|answer|respond|tell))\b/i },
  { name: 'new_role_de', strength: 'weak', pattern: /\b(?:du\s+bist\s+(?:jetzt|nun|ab\s+jetzt)|tu\s+so\s+als|stell\s+dir\s+vor,?\s+du\s+bist|ab\s+(?:jetzt|sofort)|agiere\s+als|handle\s+als)\b/i },
  { name: 'new_task_de', strength: 'weak', pattern: /\b(?:neue\s+(?:aufgabe|anweisung)|konzentriere\s+dich\s+(?:jetzt|nun)\s+auf|stattdessen)\b/i },
];

export interface RuleMatches {
  /** The names of the rules matched, each once. */
  names: string[];
  strong: boolean;
}

/** The rules `text` matches, and whether any is strong. */
export function matchInjectionRules(text: string): RuleMatches {
  const hit = RULES.filter((r) => r.pattern.test(text));
  return { names: [...new Set(hit.map((r) => r.name))], strong: hit.some((r) => r.strength === 'strong') };
}
