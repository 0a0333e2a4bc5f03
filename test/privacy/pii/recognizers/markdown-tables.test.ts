import { describe, expect, it } from 'vitest';
import { markdownTables } from '../../../../src/privacy/pii/recognizers/markdown-tables.js';

/** Each table as its header names and each row's cell values. */
function tablesOf(text: string): Array<{ names: readonly string[]; rows: string[][] }> {
  return markdownTables(text).map(({ names, rows }) => ({ names, rows: rows.map((row) => row.map(({ start, end }) => text.slice(start, end))) }));
}

/**
 * The GitHub Flavored Markdown spec 0.29-gfm, section 4.10 "Tables (extension)"
 * (https://github.github.com/gfm/#tables-extension-), examples 198-205, as far as cell offsets go.
 */
describe('markdownTables, on the GFM spec examples', () => {
  it('198: a header row, a delimiter row and a body row', () => {
    expect(tablesOf('| foo | bar |\n| --- | --- |\n| baz | bim |')).toEqual([{ names: ['foo', 'bar'], rows: [['baz', 'bim']] }]);
  });

  it('199: alignment colons, and rows without leading or trailing pipes', () => {
    expect(tablesOf('| abc | defghi |\n:-: | -----------:\nbar | baz')).toEqual([{ names: ['abc', 'defghi'], rows: [['bar', 'baz']] }]);
  });

  it('200: an escaped pipe stays inside its cell; a one-column table', () => {
    expect(tablesOf('| f\\|oo  |\n| ------ |\n| b `\\|` az |\n| b **\\|** im |')).toEqual([{ names: ['f\\|oo'], rows: [['b `\\|` az'], ['b **\\|** im']] }]);
  });

  it('203: a header whose cell count differs from the delimiter row is no table', () => {
    expect(tablesOf('| abc | def |\n| --- |\n| bar |')).toEqual([]);
  });

  it('204: a row with fewer cells has fewer; one with more keeps them', () => {
    expect(tablesOf('| abc | def |\n| --- | --- |\n| bar |\n| bar | baz | boo |')).toEqual([{ names: ['abc', 'def'], rows: [['bar'], ['bar', 'baz', 'boo']] }]);
  });

  it('205: a table with no body rows', () => {
    expect(tablesOf('| abc | def |\n| --- | --- |')).toEqual([{ names: ['abc', 'def'], rows: [] }]);
  });
});

describe('markdownTables, in text', () => {
  it('finds each table of a message, ending each at a blank line, with CR LF line ends', () => {
    const text = 'Here you go:\r\n\r\n| Name | Phone |\r\n|:-----|------:|\r\n| Ana | 1 |\r\n\r\nand\n\nA | B\n--|--\nx | y\n';
    expect(tablesOf(text)).toEqual([
      { names: ['Name', 'Phone'], rows: [['Ana', '1']] },
      { names: ['A', 'B'], rows: [['x', 'y']] },
    ]);
  });

  it('reads a delimiter row of a few million characters, which overflowed a regex\'s stack', () => {
    const cells = 1_600_000;
    const text = `| a |\n|${'-|'.repeat(cells)}\n| b |`;
    expect(markdownTables(text)).toEqual([]); // one header cell against 1.6 million delimiter cells
    const wide = `${'| h '.repeat(cells)}|\n${'|-'.repeat(cells)}|\n`;
    expect(markdownTables(wide)[0]!.names.length).toBe(cells);
  });

  it('takes a single-column delimiter row with a pipe ("|-"), not a row of hyphens alone', () => {
    expect(tablesOf('| Phone |\n|-\n| 085 012 5448 |')).toEqual([{ names: ['Phone'], rows: [['085 012 5448']] }]);
    expect(tablesOf('Phone |\n---\n085 |')).toEqual([]);
  });

  it('reads no table in prose, a horizontal rule, a setext heading or a list of dashes', () => {
    for (const text of ['Title\n---\nbody', 'a | b\n\n---\n', 'Total - 5 | see below\n- item\n- item', 'x\n- - -\ny', '---|']) {
      expect(tablesOf(text)).toEqual([]);
    }
  });
});
