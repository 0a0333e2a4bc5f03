import { describe, expect, it } from 'vitest';
import { COMMAND_GROUPS } from '../../src/cli/command-groups.js';

/** main.ts loads only the group whose names hold the command line's first word: the names must be what each module adds. */
describe('COMMAND_GROUPS', () => {
  it('names each group by exactly the commands its module adds, each command once', async () => {
    const run = async (work: () => Promise<void>) => work();
    for (const group of COMMAND_GROUPS) {
      const added = (await group.load(run)).map((command) => command.name());
      expect(added, group.names.join(',')).toEqual(group.names);
    }
    const all = COMMAND_GROUPS.flatMap((group) => group.names);
    expect(new Set(all).size).toBe(all.length);
  });
});
