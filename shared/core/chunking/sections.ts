/**
 * Sections: the parts of a document that are chunked on their own, so an edit changes only the
 * chunks of its own section. Markdown's are in ./markdown-sections.ts.
 */

/** A section: its heading lines and its body blocks. */
export interface Section {
  /** Heading lines (Markdown only), trimmed; used as the context prefix of the chunks. */
  readonly headings: readonly string[];
  /**
   * Markdown only: the titles of the section's heading and its ancestors, outermost first
   * (`["Runbook", "Procedure", "Step 2"]`): the heading path in each chunk's context.
   */
  readonly path?: readonly string[];
  /** Body blocks in order, each non-empty with no trailing whitespace. */
  readonly blocks: readonly string[];
}

/** `text`: sections are separated by two or more blank lines, blocks (paragraphs) by one. */
export function textSections(text: string): Section[] {
  return text
    .split(/\n[ \t]*\n(?:[ \t]*\n)+/)
    .map((part) => ({
      headings: [],
      blocks: part
        .split(/\n[ \t]*\n/)
        .map((block) => block.replace(/^(?:[ \t]*\n)+/, '').trimEnd())
        .filter((block) => /\S/.test(block)),
    }))
    .filter((section) => section.blocks.length > 0);
}
