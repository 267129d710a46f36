// An invoice's status as the customer screen shows it: always words (with a symbol), the colour
// only repeats what the words say.
import type { CustomerDetail, InvoiceOffer, InvoiceRow } from "./api";
import { formatDate, formatMoney } from "./format";

export interface StatusBadge {
  label: string;
  /** CSS modifier: status-open, status-partial, status-paid, status-disputed, status-promised ... */
  kind: "open" | "partial" | "paid" | "void" | "disputed" | "promised" | "broken" | "credit";
  symbol: string;
}

export function invoiceStatuses(row: InvoiceRow, detail: CustomerDetail): StatusBadge[] {
  const invoice = row.invoice;
  if (invoice.status === "void") return [{ label: "Void", kind: "void", symbol: "–" }];
  const offer = detail.offers.find((o) => o.invoice_id === invoice.id);
  if (invoice.status === "paid") {
    const paid: StatusBadge = { label: invoice.kind === "credit_note" ? "Applied" : "Paid", kind: "paid", symbol: "✓" };
    return offer?.standing === "taken" ? [paid, { label: "Offer taken", kind: "paid", symbol: "%" }] : [paid];
  }
  const out: StatusBadge[] = [];
  if (detail.disputed_invoice_ids.includes(invoice.id)) out.push({ label: "Disputed", kind: "disputed", symbol: "⚑" });
  if (detail.promised_invoice_ids.includes(invoice.id)) out.push({ label: "Promised", kind: "promised", symbol: "◷" });
  else if (detail.promises.some((p) => p.invoice_id === invoice.id && p.status === "broken"))
    out.push({ label: "Promise broken", kind: "broken", symbol: "✕" });
  if (detail.plans.some((p) => p.status === "active" && p.invoices.some((i) => i.id === invoice.id)))
    out.push({ label: "On a plan", kind: "promised", symbol: "◷" });
  if (invoice.kind === "credit_note") out.push({ label: "Credit", kind: "credit", symbol: "−" });
  else if (invoice.paid_minor !== 0) out.push({ label: "Partially paid", kind: "partial", symbol: "◐" });
  if (out.length === 0) out.push({ label: "Open", kind: "open", symbol: "○" });
  if (offer?.standing === "running") out.push({ label: offerLabel(offer), kind: "open", symbol: "%" });
  return out;
}

/** "Offer 2.5 % off until Dec 17, 2026" or "Offer $25.00 off until …". */
function offerLabel(offer: InvoiceOffer): string {
  const off =
    offer.percent_basis_points === null ? formatMoney(offer.discount, offer.currency) : `${offer.percent_basis_points / 100} %`;
  return `Offer ${off} off until ${formatDate(offer.valid_until)}`;
}

/** Can a payment still be recorded against it? */
export function payable(row: InvoiceRow): boolean {
  return row.invoice.status === "open" && row.invoice.kind === "invoice" && row.open.minor > 0;
}

/** An open invoice as a menu choice: its number and what is still due. */
export function dueChoiceLabel(row: InvoiceRow): string {
  return `${row.invoice.number} · ${formatMoney(row.open_decimal, row.open.currency)} due`;
}
