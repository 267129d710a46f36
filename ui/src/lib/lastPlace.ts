// Where the window was on a file (its main view and the customer open), saved by the shell in
// the file's settings and restored at the next start.
import { api, type CustomerRow } from "./api";
import { ownerText } from "./owner";
import { isMainView, type MainView } from "../components/campaigns/ViewSwitch.svelte";

export interface Place {
  view: MainView | null;
  customer: CustomerRow | null;
}

/** The saved place of the open file; a view this version does not know, or a customer that is
 * gone, is left out. */
export async function savedPlace(): Promise<Place> {
  const place = await api.getLastPlace();
  const view = isMainView(place.view) ? place.view : null;
  if (place.customer_id === null) return { view, customer: null };
  try {
    return { view, customer: await customerRow(place.customer_id) };
  } catch {
    return { view, customer: null };
  }
}

/** A customer as the list shows them, read by id (fails when there is no such customer). */
export async function customerRow(id: number): Promise<CustomerRow> {
  const detail = await api.customerDetail(id);
  return {
    id: detail.customer.id,
    name: detail.customer.name,
    segment: detail.customer.segment,
    owner: ownerText(detail.customer.owner) || null,
    balances: detail.balances,
    oldest_due_date: null,
    oldest_days_overdue: detail.oldest_days_overdue,
    last_contact_at: detail.last_contact_at,
    next_follow_up: detail.next_follow_up,
    on_hold: detail.customer.hold?.reason ?? null,
    credit_limit: detail.customer.credit_limit,
  };
}

/** Saves where the window is now; only the next start's convenience is lost if it fails. */
export function savePlace(view: MainView, customerId: number | null) {
  api.setLastPlace({ view, customer_id: customerId }).catch(() => {});
}
