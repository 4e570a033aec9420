/**
 * `--iexclude`: an exclude pattern made to match upper and lower case alike, written in the
 * exclude syntax itself (src/engine/backup/excludes.ts): each letter becomes a class of both
 * cases (`*.jpg` → `*.[jJ][pP][gG]`), letters and letter ranges inside a class gain their other
 * case, and [:lower:] / [:upper:] become [:alpha:]. So the engine and the watcher journal see an
 * ordinary pattern, and the journal tells a changed --iexclude from an unchanged one.
 */

/** The other case of a letter that has one (of the same length), else undefined. */
function otherCase(c: string): string | undefined {
  const lower = c.toLowerCase();
  const upper = c.toUpperCase();
  if (lower === upper || lower.length !== 1 || upper.length !== 1) return undefined;
  return c === lower ? upper : lower;
}

/** A literal character inside a class, escaped where the class syntax needs it. */
function classLiteral(c: string): string {
  return c === ']' || c === '\\' || c === '-' || c === '[' ? `\\${c}` : c;
}

/** The class starting at `pattern[i] === '['` with both cases added; undefined when it is not closed. */
function caseFoldClass(pattern: string, i: number): { text: string; next: number } | undefined {
  let j = i + 1;
  let out = '[';
  if (pattern[j] === '!' || pattern[j] === '^') out += pattern[j++];
  const extra: string[] = [];
  let first = true;
  for (;;) {
    const c = pattern[j];
    if (c === undefined) return undefined;
    if (c === ']' && !first) break;
    first = false;
    if (c === '[' && pattern[j + 1] === ':') {
      const close = pattern.indexOf(':]', j + 2);
      if (close !== -1) {
        const name = pattern.slice(j + 2, close);
        out += `[:${name === 'lower' || name === 'upper' ? 'alpha' : name}:]`;
        j = close + 2;
        continue;
      }
    }
    let lo = c;
    let len = 1;
    if (c === '\\') {
      if (pattern[j + 1] === undefined) return undefined;
      lo = pattern[j + 1] as string;
      len = 2;
    }
    out += pattern.slice(j, j + len);
    j += len;
    if (pattern[j] === '-' && pattern[j + 1] !== undefined && pattern[j + 1] !== ']') {
      let hi = pattern[j + 1] as string;
      let hiLen = 1;
      if (hi === '\\') {
        if (pattern[j + 2] === undefined) return undefined;
        hi = pattern[j + 2] as string;
        hiLen = 2;
      }
      out += pattern.slice(j, j + 1 + hiLen);
      j += 1 + hiLen;
      const oLo = otherCase(lo);
      const oHi = otherCase(hi);
      // A range of letters of one case (a-f, K-Z) gains the same range in the other case.
      if (oLo && oHi && (lo === lo.toLowerCase()) === (hi === hi.toLowerCase())) extra.push(`${oLo}-${oHi}`);
      continue;
    }
    const o = otherCase(lo);
    if (o) extra.push(classLiteral(o));
  }
  return { text: `${out}${extra.join('')}]`, next: j + 1 };
}

/** `pattern` made case-insensitive, in the same exclude syntax. */
export function ignoreCasePattern(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      const escaped = pattern[i + 1] as string;
      const o = otherCase(escaped);
      out += o ? `[${escaped}${o}]` : `\\${escaped}`;
      i += 2;
    } else if (c === '[') {
      const folded = caseFoldClass(pattern, i);
      if (!folded) return out + pattern.slice(i); // not closed: the engine names the error
      out += folded.text;
      i = folded.next;
    } else {
      const o = otherCase(c);
      out += o ? `[${c}${o}]` : c;
      i++;
    }
  }
  return out;
}
