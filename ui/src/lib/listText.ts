// Labels for the list's sort and filters (one place, so the chips and the menus agree).
import type { AgingBucket, CustomerFilters, CustomerSort, MatchField } from "./api";

export const SORTS: { value: CustomerSort; label: string }[] = [
  { value: "most_overdue", label: "Oldest overdue" },
  { value: "balance", label: "Largest balance" },
  { value: "name", label: "Name (A–Z)" },
  { value: "last_contact", label: "Least recent contact" },
  { value: "next_follow_up", label: "Next follow-up" },
];

export const BUCKETS: { value: AgingBucket; label: string }[] = [
  { value: "current", label: "Nothing overdue yet" },
  { value: "1-30", label: "1–30 days overdue" },
  { value: "31-60", label: "31–60 days overdue" },
  { value: "61-90", label: "61–90 days overdue" },
  { value: "90+", label: "Over 90 days overdue" },
];

export type FlagFilter = "open_promise" | "broken_promise" | "disputed" | "do_not_contact" | "no_email";

export const FLAGS: { key: FlagFilter; label: string }[] = [
  { key: "open_promise", label: "Has an open promise" },
  { key: "broken_promise", label: "Broke a promise" },
  { key: "disputed", label: "Has a dispute" },
  { key: "do_not_contact", label: "Do not contact" },
  { key: "no_email", label: "No email address" },
];

export const emptyFilters = (): CustomerFilters => ({
  aging_bucket: null,
  currency: null,
  segment: null,
  owner: null,
  tag: null,
  open_promise: false,
  broken_promise: false,
  disputed: false,
  do_not_contact: false,
  no_email: false,
});

export interface Chip {
  label: string;
  clear: (f: CustomerFilters) => CustomerFilters;
}

/** The filters that are set, each with how to remove it. */
export function activeChips(f: CustomerFilters): Chip[] {
  const chips: Chip[] = [];
  if (f.aging_bucket)
    chips.push({
      label: BUCKETS.find((b) => b.value === f.aging_bucket)?.label ?? f.aging_bucket,
      clear: (x) => ({ ...x, aging_bucket: null }),
    });
  if (f.currency) chips.push({ label: `Currency ${f.currency}`, clear: (x) => ({ ...x, currency: null }) });
  if (f.segment) chips.push({ label: `Segment: ${f.segment}`, clear: (x) => ({ ...x, segment: null }) });
  if (f.owner) chips.push({ label: `Owner: ${f.owner}`, clear: (x) => ({ ...x, owner: null }) });
  if (f.tag) chips.push({ label: `Tag: ${f.tag}`, clear: (x) => ({ ...x, tag: null }) });
  for (const flag of FLAGS) if (f[flag.key]) chips.push({ label: flag.label, clear: (x) => ({ ...x, [flag.key]: false }) });
  return chips;
}

export const MATCH_LABELS: Record<MatchField, string> = {
  name: "Name",
  contact: "Contact",
  email: "Email",
  invoice_number: "Invoice",
};
