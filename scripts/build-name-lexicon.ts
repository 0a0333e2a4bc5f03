/** `npm run build:name-lexicon`: compiles the person-name lexicon into name-lexicon-data.ts (see name-lexicon.ts for why). */
import { writeFileSync } from 'node:fs';
import { buildNameLexicon, nameLexiconModule } from '../src/privacy/pii/recognizers/name-lexicon-build.js';

const target = new URL('../src/privacy/pii/recognizers/name-lexicon-data.ts', import.meta.url);
const lexicon = buildNameLexicon();
writeFileSync(target, nameLexiconModule(lexicon));
process.stdout.write(`wrote ${target.pathname}: ${lexicon.flags.size} words, ${lexicon.placeNames.size} place names, ${lexicon.cjkSurnames.length + lexicon.cjkGivenNames.size} CJK names\n`);
