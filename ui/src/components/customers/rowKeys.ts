// The list's keys: arrows or j/k move, PageUp/PageDown move a screenful, Home/End go to either
// end, Enter opens the highlighted customer and moves focus there, Space opens it and stays.

export type RowKeyAction = { moveTo: number } | { open: { focus: boolean } };

/** What `event` does in a list of `rowCount` rows with row `active` highlighted and `pageRows`
 * rows to a screen; undefined for keys the list leaves alone. */
export function rowKeyAction(event: KeyboardEvent, active: number, pageRows: number, rowCount: number): RowKeyAction | undefined {
  if (event.altKey || event.ctrlKey || event.metaKey) return undefined;
  const moves: Record<string, number> = {
    ArrowDown: active + 1,
    j: active + 1,
    ArrowUp: active - 1,
    k: active - 1,
    PageDown: active + pageRows,
    PageUp: active - pageRows,
    Home: 0,
    End: rowCount - 1,
  };
  const target = moves[event.key];
  if (target !== undefined) return { moveTo: target };
  if (event.key === "Enter") return { open: { focus: true } };
  if (event.key === " ") return { open: { focus: false } };
  return undefined;
}
