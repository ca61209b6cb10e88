/**
 * Markdown sections: ATX headings start them, outside fenced code and YAML front matter; a
 * section's blocks keep fenced code and loose lists whole.
 */
import type { Section } from './sections.ts';

const ATX_HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const LIST_ITEM = /^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const INDENTED = /^(?: {2}|\t)/;

/** Tracks fenced code blocks line by line (CommonMark rules, simplified). */
class FenceTracker {
  private marker: string | undefined;

  /** Whether this line is inside a fence (the opening and closing lines count as inside). */
  step(line: string): boolean {
    if (this.marker !== undefined) {
      const close = FENCE_CLOSE.exec(line);
      if (close?.[1] !== undefined && close[1][0] === this.marker[0] && close[1].length >= this.marker.length) {
        this.marker = undefined;
      }
      return true;
    }
    const open = FENCE_OPEN.exec(line);
    // A backtick fence's info string may not contain backticks (that is inline code instead).
    if (open?.[1] !== undefined && !(open[1][0] === '`' && (open[2] ?? '').includes('`'))) {
      this.marker = open[1];
      return true;
    }
    return false;
  }
}

export function markdownSections(text: string): Section[] {
  const lines = text.split('\n');
  // Raw sections: heading line (if any) + body lines. An unclosed fence runs to the end of the
  // document (as in CommonMark), so fences never span sections.
  const raw: { heading: string | undefined; body: string[] }[] = [{ heading: undefined, body: [] }];
  let start = 0;
  if (lines[0] === '---') {
    // YAML front matter: its `# comment` lines are not headings; it stays in the preamble.
    const end = lines.findIndex((line, i) => i > 0 && (line === '---' || line === '...'));
    if (end > 0) {
      raw[0]!.body.push(...lines.slice(0, end + 1));
      start = end + 1;
    }
  }
  const fence = new FenceTracker();
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    if (!fence.step(line) && ATX_HEADING.test(line)) {
      raw.push({ heading: line.trim(), body: [] });
    } else {
      raw[raw.length - 1]!.body.push(line);
    }
  }

  const sections: Section[] = [];
  let pendingHeadings: string[] = [];
  // The open headings by level (1–6): a section's path is its ancestors' titles and its own.
  const open: Array<string | undefined> = [];
  for (const { heading, body } of raw) {
    const blocks = markdownBlocks(body);
    if (heading === undefined) {
      // The preamble (always first) has no heading and nothing to absorb; drop it if empty.
      if (blocks.length > 0) sections.push({ headings: [], path: [], blocks });
      continue;
    }
    const level = /^ {0,3}(#{1,6})/.exec(heading)?.[1]?.length ?? 1;
    open.length = level;
    open[level - 1] = headingTitle(heading);
    const headings = [...pendingHeadings, heading];
    if (blocks.length === 0) {
      // Heading-only section: carry it into the next section rather than emit a bare-heading
      // chunk. Locality cost is small: only the next section's chunks depend on it.
      pendingHeadings = headings;
      continue;
    }
    pendingHeadings = [];
    sections.push({ headings, path: pathOf(open), blocks });
  }
  if (pendingHeadings.length > 0) sections.push({ headings: pendingHeadings, path: pathOf(open), blocks: [] });
  return sections;
}

/** A heading line's title: without its `#` marks, optional closing `#`s and surrounding space. */
function headingTitle(line: string): string {
  return line.replace(/^ {0,3}#{1,6}(?:[ \t]+|$)/, '').replace(/(?:^|[ \t]+)#+[ \t]*$/, '').trim();
}

function pathOf(open: ReadonlyArray<string | undefined>): string[] {
  return open.filter((title): title is string => title !== undefined && title !== '');
}

/** Blank-line separated blocks; fenced code is never split and loose lists are kept together. */
function markdownBlocks(lines: readonly string[]): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  // Whether the previous emitted block was a list, so a following item/continuation joins it.
  let previousIsList = false;
  const flush = (): void => {
    if (current.length === 0) return;
    const block = current.join('\n').trimEnd();
    current = [];
    const firstLine = block.split('\n', 1)[0] ?? '';
    if (previousIsList && blocks.length > 0 && (LIST_ITEM.test(firstLine) || INDENTED.test(firstLine))) {
      blocks[blocks.length - 1] += `\n\n${block}`;
    } else {
      blocks.push(block);
      previousIsList = LIST_ITEM.test(firstLine);
    }
  };
  const fence = new FenceTracker();
  for (const line of lines) {
    const inFence = fence.step(line);
    if (!inFence && !/\S/.test(line)) {
      flush();
    } else {
      current.push(line);
    }
  }
  flush();
  return blocks;
}
