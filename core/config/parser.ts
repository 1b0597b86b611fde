/**
 * keepalived.conf block structure: `keyword args…` statements and `{ … }` blocks (reference §4). The `{`
 * may be on the keyword's line or the next one; one-liners such as `track_script { chk }` work (the rest
 * of a line after `{` is read as statements). Unbalanced braces are reported where they are, and parsing
 * goes on so every error of the file is seen.
 */
import type { Diagnostics } from './diagnostics.ts';
import type { Token } from './lexer.ts';
import type { SourceLine } from './preprocess.ts';

export interface Node {
  keyword: Token;
  args: Token[];
  /** Present when the statement has a `{ … }` block (possibly empty). */
  children?: Node[];
  /** The `{` token, when there is a block. */
  open?: Token;
}

const isOpen = (t: Token): boolean => t.text === '{' && !t.quoted;
const isClose = (t: Token): boolean => t.text === '}' && !t.quoted;

export function parseBlocks(lines: SourceLine[], diags: Diagnostics, maxDepth: number): Node[] {
  const parser = blockParser(diags, maxDepth);
  for (const line of lines) parser.line(line);
  return parser.end();
}

/**
 * parseBlocks one line at a time: the pre-processor hands each line over as it makes it, so the whole
 * file's tokenised lines never exist at once (at 10,000 real servers they were ~15 MB of the agent's
 * start-up peak beside the tree; test/core/config/parser.test.ts).
 */
export function blockParser(
  diags: Diagnostics,
  maxDepth: number,
): { line(line: SourceLine): void; end(): Node[] } {
  const root: Node[] = [];
  const stack: Node[] = [];
  let depthExceeded = 0;
  let last: Node | undefined;
  let lastLineHadBlock = true;
  const current = (): Node[] => {
    const top = stack[stack.length - 1];
    return top?.children ?? root;
  };
  return { line, end };

  function line(line: SourceLine): void {
    const toks = line.tokens;
    let i = 0;
    // A `{` at the start of a line opens the block of the previous line's statement.
    if (toks[0] && isOpen(toks[0]) && last && !lastLineHadBlock && last.children === undefined) {
      openBlock(last, toks[0]);
      i = 1;
    }
    lastLineHadBlock = false;
    while (i < toks.length) {
      const t = toks[i] as Token;
      if (isClose(t)) {
        if (depthExceeded > 0) depthExceeded--;
        else if (stack.length === 0) {
          diags.error(t, {
            code: 'syntax',
            keyword: '}',
            message: "extra '}' with no block to close",
          });
        } else trim(stack.pop());
        i++;
        lastLineHadBlock = true;
        continue;
      }
      if (isOpen(t)) {
        if (depthExceeded > 0) {
          depthExceeded++;
        } else {
          diags.error(t, {
            code: 'syntax',
            keyword: '{',
            message: "'{' without a keyword before it",
            expected: 'keyword {',
          });
          const anon: Node = { keyword: { ...t, text: '' }, args: [] };
          openBlock(anon, t);
        }
        i++;
        continue;
      }
      i++;
      const from = i;
      while (i < toks.length && !isOpen(toks[i] as Token) && !isClose(toks[i] as Token)) i++;
      // A slice is exactly as long as its words; pushing into [] would reserve 17 slots per statement.
      const node: Node = { keyword: t, args: toks.slice(from, i) };
      if (depthExceeded === 0) current().push(node);
      last = node;
      if (i < toks.length && isOpen(toks[i] as Token)) {
        openBlock(node, toks[i] as Token);
        lastLineHadBlock = true;
        i++;
      }
    }
  }
  function end(): Node[] {
    for (const open of stack) {
      diags.error(open.open ?? open.keyword, {
        code: 'syntax',
        keyword: open.keyword.text,
        message: `block '${open.keyword.text} {' is never closed`,
        expected: "a matching '}'",
      });
    }
    return root;
  }

  /** A closed block's list, copied to its exact length (built by push, it reserved room to grow). */
  function trim(node: Node | undefined): void {
    if (node?.children) node.children = node.children.slice();
  }

  function openBlock(node: Node, brace: Token): boolean {
    if (depthExceeded > 0) {
      depthExceeded++;
      return false;
    }
    if (stack.length >= maxDepth) {
      diags.error(brace, {
        code: 'limit',
        keyword: node.keyword.text,
        message: `blocks nested deeper than ${maxDepth} levels`,
      });
      depthExceeded = 1;
      return false;
    }
    node.children = [];
    node.open = brace;
    stack.push(node);
    return true;
  }
}
