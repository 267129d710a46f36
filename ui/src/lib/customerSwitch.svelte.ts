// The customer screen keeps its sections when another customer opens and updates them in place:
// re-creating the panel's DOM for every customer cost WebKit memory it never returned (issue 4).
// What a section holds for one customer (a draft, an open form, an error) goes when the customer
// changes, as it did when the section was re-created.
import { untrack } from "svelte";

/** Calls `reset` each time `customerId()` changes (not on the first value). */
export function resetOnCustomerChange(customerId: () => number | null | undefined, reset: () => void): void {
  let shown: number | null | undefined;
  let first = true;
  $effect.pre(() => {
    const id = customerId();
    untrack(() => {
      if (!first && id !== shown) reset();
      first = false;
      shown = id;
    });
  });
}
