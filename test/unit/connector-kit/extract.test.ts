/** Text out of files: each supported kind from real (minimal, valid) files, and every refusal with its reason. */
import { describe, expect, it } from 'vitest';
import { extractText, fileKind, unsupportedReason } from '../../../shared/connectors/kit/extract.ts';
import { docx, pdfWithText, pptx, xlsx } from '../../support/office-files.ts';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

describe('extractText', () => {
  it('reads Markdown and text as they are, and HTML as Markdown', async () => {
    expect(await extractText(bytes('# Title 🎉\n\nbody'), { name: 'notes/a.md' })).toEqual({ text: '# Title 🎉\n\nbody', format: 'markdown' });
    expect(await extractText(bytes('a,b\n1,2'), { name: 'data.csv' })).toEqual({ text: 'a,b\n1,2', format: 'text' });
    expect(await extractText(bytes('plain'), { name: 'README', mimeType: 'text/plain; charset=utf-8' })).toEqual({ text: 'plain', format: 'text' });
    const html = await extractText(bytes('<html><head><style>p{}</style></head><body><h2>Runbook</h2><p>Rotate <b>keys</b></p><script>x()</script></body></html>'), { name: 'page.html' });
    expect(html).toEqual({ text: '## Runbook\n\nRotate **keys**', format: 'markdown' });
  });

  it('reports invalid UTF-8 and refuses binary content named as text', async () => {
    const warned = await extractText(new Uint8Array([...Buffer.from('café '.repeat(10)), 0xff]), { name: 'a.txt' });
    expect(warned).toMatchObject({ format: 'text', warning: '1 invalid UTF-8 sequence replaced by U+FFFD' });
    expect(await extractText(new Uint8Array([0x41, 0, 0x42]), { name: 'a.md' })).toEqual({ skip: expect.stringContaining('binary content') });
  });

  it('reads the text layer of a PDF, page by page', async () => {
    const result = await extractText(pdfWithText([['Incident review', 'Root cause: expired cert'], ['Actions (two)']]), { name: 'r.pdf' });
    expect(result).toEqual({ text: 'Incident review\nRoot cause: expired cert\n\nActions (two)', format: 'text' });
  });

  it('skips a PDF without text, and a file that is not the PDF it claims to be', async () => {
    expect(await extractText(pdfWithText([[]]), { name: 'scan.pdf' })).toEqual({ skip: 'PDF of 1 page with no text layer (a scan?): not indexed' });
    expect(await extractText(bytes('not a pdf at all'), { name: 'x.pdf' })).toEqual({ skip: expect.stringMatching(/^PDF could not be read: /) });
  });

  it('reads Word documents as Markdown with their headings', async () => {
    expect(await extractText(await docx(['# Onboarding', 'Day one: laptop & accounts.', 'Ask in #help.']), { name: 'o.docx' }))
      .toEqual({ text: '# Onboarding\n\nDay one: laptop & accounts.\n\nAsk in #help.', format: 'markdown' });
  });

  it('reads every slide of a deck, in slide order', async () => {
    const deck = await pptx([['Q3 plan', 'Hire two <engineers>'], [], ['Risks']]);
    expect(await extractText(deck, { name: 'plan.pptx' })).toEqual({ text: '## Slide 1\n\nQ3 plan\nHire two <engineers>\n\n## Slide 3\n\nRisks', format: 'markdown' });
  });

  it('reads the first sheet of a workbook as CSV, in workbook order', async () => {
    const book = await xlsx([
      { name: 'Budget', rows: [['Team', 'Amount'], ['Infra, core', 1200], ['Say "hi"', 3]] },
      { name: 'Other', rows: [['ignored']] },
    ]);
    expect(await extractText(book, { name: 'b.xlsx' })).toEqual({ text: 'Team,Amount\n"Infra, core",1200\n"Say ""hi""",3', format: 'text' });
  });

  it('skips what it cannot read, with the reason and the fix', async () => {
    expect(await extractText(bytes('PK-not-a-zip'), { name: 'x.docx' })).toEqual({ skip: expect.stringMatching(/^Word document could not be read: /) });
    expect(await extractText(await docx([]), { name: 'empty.docx' })).toEqual({ skip: 'Word document with no text' });
    expect(await extractText(bytes('x'), { name: 'old.doc' })).toEqual({ skip: 'legacy Word .doc: not indexed (save it as .docx)' });
    expect(await extractText(bytes('x'), { name: 'logo.png', mimeType: 'image/png' })).toEqual({ skip: 'image (image/png): not indexed' });
    expect(await extractText(bytes('x'), { name: 'blob' })).toEqual({ skip: 'not a text or document format (no extension): not indexed' });
  });
});

describe('fileKind', () => {
  it('goes by extension, then by MIME type', () => {
    expect(fileKind('a/B.MD')).toBe('markdown');
    expect(fileKind('x', 'application/pdf')).toBe('pdf');
    expect(fileKind('x', 'text/x-python')).toBe('text');
    expect(fileKind('x.bin', 'application/octet-stream')).toBeUndefined();
    expect(unsupportedReason('a.md')).toBeUndefined();
  });
});
