// Which parts of a text a search explains, so the list can show why a row matched. Mirrors the
// search index (FTS5 unicode61 with diacritics removed): a word matches when a typed word is a
// prefix of it, compared without case and accents. Invoice numbers match by prefix.

export interface Segment {
  text: string;
  hit: boolean;
}

const WORD = /[\p{L}\p{N}]/u;

function fold(char: string): string {
  return char.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** The words of a query, folded like the index folds them. */
export function terms(query: string): string[] {
  return (fold(query).match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => t.length > 0);
}

function segments(chars: string[], hits: boolean[]): Segment[] {
  const out: Segment[] = [];
  chars.forEach((char, i) => {
    const hit = hits[i] ?? false;
    const last = out[out.length - 1];
    if (last && last.hit === hit) last.text += char;
    else out.push({ text: char, hit });
  });
  return out;
}

/** `text` split into matched and unmatched parts for the words of `query`. */
export function highlightWords(text: string, query: string): Segment[] {
  const wanted = terms(query);
  const chars = Array.from(text);
  const hits = chars.map(() => false);
  let i = 0;
  while (i < chars.length) {
    if (!WORD.test(chars[i] ?? "")) {
      i++;
      continue;
    }
    let end = i;
    while (end < chars.length && WORD.test(chars[end] ?? "")) end++;
    // Folded text of the word, and for each folded length the original chars it took.
    const folded: string[] = [];
    let foldedText = "";
    for (let k = i; k < end; k++) {
      foldedText += fold(chars[k] ?? "");
      folded.push(foldedText);
    }
    let longest = 0;
    for (const term of wanted) {
      if (!foldedText.startsWith(term)) continue;
      const taken = folded.findIndex((prefix) => prefix.length >= term.length) + 1;
      longest = Math.max(longest, taken);
    }
    for (let k = i; k < i + longest; k++) hits[k] = true;
    i = end;
  }
  return segments(chars, hits);
}

/** An invoice number with the typed prefix marked. */
export function highlightPrefix(text: string, query: string): Segment[] {
  const prefix = query.trim();
  const chars = Array.from(text);
  const match = prefix !== "" && text.toLowerCase().startsWith(prefix.toLowerCase());
  const length = match ? Array.from(prefix).length : 0;
  return segments(
    chars,
    chars.map((_, i) => i < length),
  );
}
