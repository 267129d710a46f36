// Wording and arithmetic the statement preview shares with the PDF (src-tauri/core/src/statement/doc.rs).
import type { StatementEntry } from "../../lib/api";
import { formatMoney } from "../../lib/format";
import { minorToDecimal, todayIso } from "../../lib/money";

/** The first day of the month before `asOf`'s month: the core's default period. */
export function defaultPeriodStart(asOf: string): string {
  const [y, m] = asOf.split("-").map(Number);
  if (!y || !m) return asOf;
  return todayIso(new Date(y, m - 2, 1));
}

/** Minor units in the currency, e.g. (123450, "EUR", 2) → "€1,234.50". */
export function money(minor: number, currency: string, decimals: number): string {
  return formatMoney(minorToDecimal(minor, decimals), currency);
}

/** "Invoice INV-1", "Credit note CN-2", "Payment for INV-1 (ref. X)" as the PDF says it. */
export function describeEntry(entry: StatementEntry): string {
  switch (entry.kind) {
    case "invoice":
      return `Invoice ${entry.number}`;
    case "credit_note":
      return `Credit note ${entry.number}`;
    case "payment":
      return entry.reference ? `Payment for ${entry.number} (ref. ${entry.reference})` : `Payment for ${entry.number}`;
  }
}

export const AGING_LABELS = ["Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"] as const;

/** "s" when `n` is not 1. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
