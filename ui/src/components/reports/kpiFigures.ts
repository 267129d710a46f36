// The KPI tiles: which figure, how it reads, which way is better, and its definition in plain
// words (the same definitions as the kpis module in the core and the README's "Reports").
import type { CurrencyKpis } from "../../lib/api";

export type Unit = "money" | "days" | "percent";
/** Which way a change is good news: lower DSO is better, higher CEI is better. */
export type Better = "lower" | "higher" | "neither";
export type FigureKey = keyof CurrencyKpis;

export interface Figure {
  key: FigureKey;
  label: string;
  unit: Unit;
  better: Better;
  definition: string;
}

/** N, the days the standard DSO and the paid-in-full averages look back over, unless changed
 * (the core's kpis::DEFAULT_DAYS). */
export const DEFAULT_DAYS = 90;

export const FIGURES: Figure[] = [
  {
    key: "ar_total",
    label: "Receivable (AR)",
    unit: "money",
    better: "neither",
    definition:
      "Everything owed on the day: the invoices and credit notes issued on or before it (void ones left out), less the payments dated on or before it.",
  },
  {
    key: "ar_current",
    label: "Not yet due",
    unit: "money",
    better: "neither",
    definition: "The part of the receivable whose due date is on or after the day.",
  },
  {
    key: "ar_overdue",
    label: "Overdue",
    unit: "money",
    better: "lower",
    definition: "The part of the receivable whose due date has passed.",
  },
  {
    key: "dso_countback",
    label: "DSO (countback)",
    unit: "days",
    better: "lower",
    definition:
      "Days sales outstanding by the countback method: walk back month by month from the day's month (which counts up to the day only), taking each month's sales off the receivable and adding the month's days while any remains; the month where it runs out adds its share of days. Empty when more is owed than was ever sold.",
  },
  {
    key: "dso_standard",
    label: "DSO (standard)",
    unit: "days",
    better: "lower",
    definition:
      "The receivable divided by the sales (invoices less credit notes) of the last N days, times N. Empty when there were no sales then.",
  },
  {
    key: "best_dso",
    label: "Best possible DSO",
    unit: "days",
    better: "lower",
    definition:
      "The not-yet-due receivable divided by the sales of the last N days, times N: the DSO if every customer paid on time.",
  },
  {
    key: "add",
    label: "Average days delinquent",
    unit: "days",
    better: "lower",
    definition: "Standard DSO minus best possible DSO: the days the late payers add.",
  },
  {
    key: "cei",
    label: "Collection effectiveness (CEI)",
    unit: "percent",
    better: "higher",
    definition:
      "Of what could be collected this month (the receivable at the end of last month plus this month's sales, less what is not yet due), the share that was collected. 100% is perfect.",
  },
  {
    key: "average_days_to_pay",
    label: "Average days to pay",
    unit: "days",
    better: "lower",
    definition:
      "Over the invoices paid in full in the last N days, the days from issue to full payment, weighted by amount.",
  },
  {
    key: "average_days_late",
    label: "Average days late",
    unit: "days",
    better: "lower",
    definition:
      "Over the invoices paid in full in the last N days, the days paid after the due date (0 when on time), weighted by amount.",
  },
];

/** Whether a change from `before` to `now` is good news ("better"), bad ("worse") or neither. */
export function verdict(better: Better, now: number, before: number): "better" | "worse" | "same" | null {
  if (better === "neither") return null;
  if (now === before) return "same";
  return (now < before) === (better === "lower") ? "better" : "worse";
}

/** The last day of the month before the month of `isoDate` (YYYY-MM-DD). */
export function previousMonthEnd(isoDate: string): string {
  const [y = 0, m = 1] = isoDate.split("-").map(Number);
  // Day 0 of month m (0-based m - 1) is the last day of the month before.
  const end = new Date(Date.UTC(y, m - 1, 0));
  return end.toISOString().slice(0, 10);
}
