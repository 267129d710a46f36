// Every table the Reports tab shows — the tiles', each chart's, the aging report, the forecast
// and the rest — for "Save as PDF…": each section registers its table while it is on screen,
// and the PDF takes them in the order the screen shows them.
import { getContext, onMount, setContext } from "svelte";
import type { ShownTable } from "../../lib/api";

interface Entry {
  node: () => Element | undefined;
  table: () => ShownTable;
}

const KEY = Symbol("report tables");

export class ShownTables {
  private entries = new Set<Entry>();

  add(entry: Entry): () => void {
    this.entries.add(entry);
    return () => this.entries.delete(entry);
  }

  /** The tables on screen, top to bottom. */
  all(): ShownTable[] {
    const placed = [...this.entries].map((e) => ({ node: e.node(), table: e.table }));
    placed.sort((a, b) => {
      if (!a.node || !b.node) return 0;
      return a.node.compareDocumentPosition(b.node) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
    return placed.map((p) => p.table());
  }
}

/** Called by the view: the sections inside it register with the registry returned. */
export function provideShownTables(): ShownTables {
  return setContext(KEY, new ShownTables());
}

/** Called by a section while it initialises: its table counts for as long as it is mounted. */
export function registerShownTable(node: () => Element | undefined, table: () => ShownTable): void {
  const registry = getContext<ShownTables | undefined>(KEY);
  if (registry) onMount(() => registry.add({ node, table }));
}
