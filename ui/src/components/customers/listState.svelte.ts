// The customer list's state: the query (search, sort and filters; sort and filters are saved in
// the database and restored at the next launch), the pages of rows fetched so far with the search
// matches behind them, the highlighted row and the CSV export. Pages of 100 are fetched as they
// scroll into view (`ensure`), so 100,000 customers scroll like 100.
import { tick } from "svelte";
import {
  api,
  toApiError,
  type ApiError,
  type CustomerFilters,
  type CustomerRow,
  type CustomerSort,
  type ListFacets,
  type SearchMatch,
} from "../../lib/api";
import { errorText } from "../../lib/errors";
import { formatCount } from "../../lib/format";
import { activeChips, emptyFilters } from "../../lib/listText";

/** Rows fetched at a time. */
export const PAGE = 100;

interface Page {
  gen: number;
  rows: CustomerRow[];
}

export interface ListHooks {
  /** A row was opened (click, Enter); `focus` moves focus to the customer screen. */
  onopen: (customer: CustomerRow, focus: boolean) => void;
  /** The tags, segments and currencies in use (for the customer screen's suggestions). */
  onfacets: (facets: ListFacets) => void;
  /** A new query starts at the top of the list: scroll there. */
  ontop: () => void;
}

export class CustomerListState {
  search = $state("");
  sort = $state<CustomerSort>("most_overdue");
  filters = $state<CustomerFilters>(emptyFilters());
  facets = $state<ListFacets>({ tags: [], segments: [], owners: [], currencies: [] });

  pages = $state.raw<Record<number, Page>>({});
  matches = $state.raw<Map<number, SearchMatch[]>>(new Map());
  matched = $state(0);
  loaded = $state(false);
  ready = $state(false);
  error = $state<ApiError | null>(null);
  /** Bumped whenever the rows in view are to be fetched again. */
  version = $state(0);
  /** The highlighted row's index. */
  active = $state(0);
  /** The search the shown rows answer (set when a query is sent, so highlights match the rows). */
  shownSearch = $state("");

  exporting = $state(false);
  exportNote = $state<{ ok: boolean; text: string } | null>(null);

  readonly chips = $derived(activeChips(this.filters));
  readonly narrowed = $derived(this.shownSearch !== "" || this.chips.length > 0);
  readonly rowCount = $derived(this.loaded ? this.matched : 0);

  #gen = 0;
  readonly #inflight = new Set<string>();
  #painted = false;
  #facetsAsked = false;
  readonly #hooks: ListHooks;

  constructor(hooks: ListHooks) {
    this.#hooks = hooks;
  }

  rowAt(index: number): CustomerRow | undefined {
    return this.pages[Math.floor(index / PAGE)]?.rows[index % PAGE];
  }

  rowMatches(row: CustomerRow): SearchMatch[] {
    return this.matches.get(row.id) ?? [];
  }

  /** The list's query as the core reads it: the search, the sort and the filters. */
  args() {
    const text = this.search.trim();
    return { search: text === "" ? null : text, sort: this.sort, filters: $state.snapshot(this.filters) };
  }

  /** Fetches the pages rows `from` to `to` fall on that this query has not fetched yet (stale
   * pages stay on screen until their replacement arrives). */
  ensure(from: number, to: number) {
    const mine = this.#gen;
    const query = this.args();
    for (let p = Math.floor(from / PAGE); p <= Math.floor(to / PAGE); p++) {
      if (this.pages[p]?.gen === mine) continue;
      const key = `${mine}:${p}`;
      if (this.#inflight.has(key)) continue;
      this.#inflight.add(key);
      api
        .listCustomers({ ...query, offset: p * PAGE, limit: PAGE })
        .then(
          (page) => {
            if (mine !== this.#gen) return;
            this.matched = page.total;
            this.loaded = true;
            this.error = null;
            this.shownSearch = query.search ?? "";
            this.#keepPage(p, mine, page.rows, page.total);
            this.#mergeMatches(page.rows, page.matches);
            if (this.active >= page.total) this.active = Math.max(0, page.total - 1);
            if (!this.#painted && page.rows.length > 0) {
              this.#painted = true;
              tick().then(() => this.#markPainted());
            } else if (!this.#painted && !this.#facetsAsked) {
              this.loadFacets();
            }
          },
          (e: unknown) => {
            if (mine === this.#gen) this.error = toApiError(e);
          },
        )
        .finally(() => this.#inflight.delete(key));
    }
  }

  /** Stores page `p`, dropping the pages that now lie past the end of the list. */
  #keepPage(p: number, gen: number, rows: CustomerRow[], total: number) {
    const next: Record<number, Page> = {};
    for (const [index, kept] of Object.entries(this.pages))
      if (Number(index) * PAGE < total) next[Number(index)] = kept;
    next[p] = { gen, rows };
    this.pages = next;
  }

  /** The page's matches replace what was known about its rows. */
  #mergeMatches(rows: CustomerRow[], found: SearchMatch[]) {
    if (found.length === 0 && this.matches.size === 0) return;
    const merged = new Map(this.matches);
    for (const row of rows) merged.delete(row.id);
    for (const m of found) merged.set(m.customer_id, [...(merged.get(m.customer_id) ?? []), m]);
    this.matches = merged;
  }

  /** A new query: start from the top. */
  restart() {
    this.#gen++;
    this.#inflight.clear();
    this.pages = {};
    this.matches = new Map();
    this.loaded = false;
    this.active = 0;
    this.#hooks.ontop();
    this.version++;
  }

  /** The data changed (a save, another program): fetch the rows in view again, keep the place.
   * `facets`: the tags, segments and currencies may have changed too. */
  refresh(facets = false) {
    this.#gen++;
    this.#inflight.clear();
    this.version++;
    if (facets) this.loadFacets();
  }

  /** Opens row `index` (if it is fetched) and highlights it. */
  open(index: number, focus: boolean) {
    const row = this.rowAt(index);
    if (!row) return;
    this.active = index;
    this.#hooks.onopen(row, focus);
  }

  /** The sort and filters saved last time, then the first page. */
  restoreView() {
    api
      .getListView()
      .then(
        (view) => {
          this.sort = view.sort;
          this.filters = { ...emptyFilters(), ...view.filters };
        },
        () => {
          // No saved view (or it no longer reads): the defaults.
        },
      )
      .finally(() => {
        this.ready = true;
        this.restart();
      });
  }

  setSort(value: CustomerSort) {
    this.sort = value;
    this.#saveView();
    this.restart();
  }

  setFilters(next: CustomerFilters) {
    this.filters = next;
    this.#saveView();
    this.restart();
  }

  setFilter<K extends keyof CustomerFilters>(key: K, value: CustomerFilters[K]) {
    this.setFilters({ ...$state.snapshot(this.filters), [key]: value });
  }

  #saveView() {
    api
      .setListView({ sort: this.sort, filters: $state.snapshot(this.filters) })
      .catch((e: unknown) => (this.error = toApiError(e)));
  }

  loadFacets() {
    this.#facetsAsked = true;
    api.listFacets().then(
      (loadedFacets) => {
        this.facets = loadedFacets;
        this.#hooks.onfacets(loadedFacets);
      },
      () => {
        // The menus keep what they had; the list itself reports errors.
      },
    );
  }

  // The startup benchmark reads this mark: after the next frame the rows are on screen.
  #markPainted() {
    requestAnimationFrame(() =>
      setTimeout(() => {
        const ms = performance.now();
        console.info("duebook:list-painted", ms);
        api.markListPainted(ms).catch(() => {});
        // The filter menus' choices add up all open invoices: after the first rows are shown.
        this.loadFacets();
      }, 0),
    );
  }

  /** Saves the list as filtered (all pages) to a CSV file the user picks. */
  async exportList() {
    if (this.exporting) return;
    this.exporting = true;
    this.exportNote = null;
    try {
      const result = await api.exportCustomers(this.args());
      if (result)
        this.exportNote = {
          ok: true,
          text: `Saved ${formatCount(result.count)} ${result.count === 1 ? "customer" : "customers"} to ${result.file_name}`,
        };
    } catch (e) {
      this.exportNote = { ok: false, text: `The export failed: ${errorText(e)}` };
    } finally {
      this.exporting = false;
    }
  }
}
